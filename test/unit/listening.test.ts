import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../client/api/rateLimiter';
import { loadConfig } from '../../lib/config';

describe('where the API may listen', () => {
  it('listens on loopback by default', () => {
    expect(loadConfig({}).intakeHost).toBe('127.0.0.1');
  });

  it('refuses another address without TLS or a declared TLS proxy, naming both ways out', () => {
    expect(() => loadConfig({ DBOPS_INTAKE_HOST: '0.0.0.0' })).toThrow(
      /DBOPS_INTAKE_HOST '0.0.0.0' is not loopback; set DBOPS_TLS_CERT and DBOPS_TLS_KEY, or DBOPS_BEHIND_TLS_PROXY=true/,
    );
    expect(loadConfig({ DBOPS_INTAKE_HOST: '0.0.0.0', DBOPS_BEHIND_TLS_PROXY: 'true' }).tls).toBeUndefined();
    expect(loadConfig({ DBOPS_INTAKE_HOST: '10.0.0.5', DBOPS_TLS_CERT: 'c.pem', DBOPS_TLS_KEY: 'k.pem' }).tls).toEqual({
      cert: 'c.pem',
      key: 'k.pem',
    });
    expect(() => loadConfig({ DBOPS_TLS_CERT: 'c.pem' })).toThrow(/DBOPS_TLS_CERT and DBOPS_TLS_KEY are set together/);
  });
});

describe('configuration from the environment', () => {
  it("takes a variable set to '' as unset, as docker compose passes every option left out", () => {
    const config = loadConfig({ DBOPS_WEBHOOK_URL: '', SMTP_HOST: '', DBOPS_LINK_SECRET: '', DBOPS_ADMIN_STATUS_URL: '' });
    expect(config.webhookUrl).toBeUndefined();
    expect(config.pageLinks).toBeUndefined();
    expect(() => loadConfig({ DBOPS_WEBHOOK_URL: 'not a url' })).toThrow(/DBOPS_WEBHOOK_URL/);
  });
});

describe('the per-credential rate limit', () => {
  it('lets a burst of the limit through, then asks to wait, and refills with time', () => {
    let now = 0;
    const limiter = createRateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1); // one a second refills
    expect(limiter.take('b')).toBe(0); // another credential has its own bucket
    now += 1000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThanOrEqual(1);
  });
});
