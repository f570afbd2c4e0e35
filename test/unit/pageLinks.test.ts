import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { escapeHtml } from '../../lib/html';
import { createLogger } from '../../lib/logger';
import { pageLinksFor, signPageLink, verifyPageLink, type PageLink } from '../../lib/pageLinks';

const SECRET = 'k'.repeat(40);
const NOW = Date.parse('2026-11-25T10:00:00Z');
const link: PageLink = {
  purpose: 'ack',
  incidentId: 'INC-20261125-0123456789ab',
  person: 'oscar',
  expiresAt: NOW / 1000 + 3600,
  linkId: 'abc',
};
const config = { secret: SECRET, publicUrl: 'https://dbops.example.com/', ttlMs: 24 * 3_600_000 };
const page = {
  notificationId: 'INC-20261125-0123456789ab:page:2:dana,oscar',
  subjectId: link.incidentId,
  kind: 'page',
  occurredAt: '2026-11-25T10:00:00.000Z',
};
const tokenOf = (url: string) => url.split('/').pop()!;

describe('page links', () => {
  it('verify what was signed, for its purpose, until it expires', () => {
    const token = signPageLink(SECRET, link);
    expect(verifyPageLink(SECRET, token, 'ack', NOW)).toEqual({ ok: true, link });
    expect(verifyPageLink(SECRET, token, 'open', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(verifyPageLink(SECRET, token, 'ack', NOW + 3600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse a changed payload, a changed signature, another secret, and what is not a link', () => {
    const token = signPageLink(SECRET, link);
    const [payload, signature] = token.split('.');
    const otherPerson = Buffer.from(JSON.stringify({ a: 'ack', i: link.incidentId, p: 'dana', x: link.expiresAt, n: 'abc' })).toString(
      'base64url',
    );
    expect(verifyPageLink(SECRET, `${otherPerson}.${signature}`, 'ack', NOW)).toEqual({ ok: false, reason: 'tampered' });
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    expect(verifyPageLink(SECRET, `${payload}.${flipped}`, 'ack', NOW)).toEqual({ ok: false, reason: 'tampered' });
    expect(verifyPageLink('x'.repeat(40), token, 'ack', NOW)).toEqual({ ok: false, reason: 'tampered' });
    for (const bad of ['', 'abc', `${payload}.`, `${payload}.${signature}.x`, `<script>.${signature}`])
      expect(verifyPageLink(SECRET, bad, 'ack', NOW).ok, bad).toBe(false);
    // Another payload under the original signature.
    const odd = Buffer.from(JSON.stringify({ a: 'ack', i: 1 })).toString('base64url');
    const oddToken = signPageLink(SECRET, link).replace(payload, odd);
    expect(verifyPageLink(SECRET, oddToken, 'ack', NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('are made per person from the notification alone: the same page gives the same links, another person other ones', () => {
    const oscar = pageLinksFor(config, page, 'oscar')!;
    expect(pageLinksFor(config, page, 'oscar')).toEqual(oscar);
    expect(oscar.ack).toMatch(/^https:\/\/dbops\.example\.com\/links\/ack\/[\w-]+\.[\w-]{43}$/);
    expect(oscar.open).toMatch(/^https:\/\/dbops\.example\.com\/links\/open\//);
    expect(oscar.expiresAt).toBe('2026-11-26T10:00:00.000Z');
    const verified = verifyPageLink(SECRET, tokenOf(oscar.ack), 'ack', NOW);
    expect(verified.ok && verified.link).toMatchObject({ person: 'oscar', incidentId: page.subjectId, purpose: 'ack' });
    const dana = pageLinksFor(config, page, 'dana')!;
    const danaLink = verifyPageLink(SECRET, tokenOf(dana.ack), 'ack', NOW);
    expect(danaLink.ok && verified.ok && danaLink.link.linkId !== verified.link.linkId).toBe(true);
    // The escalation that follows is another notification: its ack link is another single-use link.
    const next = pageLinksFor(config, { ...page, kind: 'escalation', notificationId: `${page.notificationId}x` }, 'oscar')!;
    expect(next.ack).not.toBe(oscar.ack);
  });

  it('name the incident’s workflow when the page came from one (signed, so it finds the incident before its audit row), and older links without it still verify', () => {
    const withWorkflow = pageLinksFor(config, { ...page, workflowId: 'incident/database-outage/oltp/pg-1' }, 'oscar')!;
    const verified = verifyPageLink(SECRET, tokenOf(withWorkflow.ack), 'ack', NOW);
    expect(verified).toMatchObject({ ok: true, link: { incidentId: link.incidentId, workflowId: 'incident/database-outage/oltp/pg-1' } });
    expect(verifyPageLink(SECRET, signPageLink(SECRET, link), 'ack', NOW)).toEqual({ ok: true, link });
    // Signed, but naming something that is not an incident's workflow: refused as not a dbops link.
    expect(verifyPageLink(SECRET, signPageLink(SECRET, { ...link, workflowId: 'checklist/morning' }), 'ack', NOW)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('are carried only by pages, escalations and reminders of incidents', () => {
    expect(pageLinksFor(config, { ...page, kind: 'reminder' }, 'oscar')).toBeDefined();
    for (const kind of ['report', 'resolved', 'delivery-failed', 'stakeholder'])
      expect(pageLinksFor(config, { ...page, kind }, 'oscar'), kind).toBeUndefined();
    expect(pageLinksFor(config, { ...page, kind: 'reminder', subjectId: 'run-morning-2026-11-25' }, 'oscar')).toBeUndefined();
  });

  it('escapeHtml leaves nothing that starts markup or ends an attribute', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });
});

describe('pages-out configuration', () => {
  const env = { SMTP_HOST: 'smtp.example.com', SMTP_FROM: 'dbops@example.com', SMTP_USER: 'dbops', SMTP_PASSWORD: 'SMTP-PASSWORD-1' };

  it('never logs the SMTP password or the signing secrets', () => {
    const config = loadConfig({
      ...env,
      DBOPS_LINK_SECRET: 'LINK-SECRET'.padEnd(40, '1'),
      DBOPS_SIGNED_WEBHOOK_SECRET: 'HOOK-SECRET'.padEnd(40, '2'),
    });
    let out = '';
    const sink = new Writable({ write: (c, _e, done) => ((out += c.toString()), done()) });
    const log = createLogger({ level: 'info', destination: sink });
    log.info({ config }, 'configuration');
    log.info({ smtp: config.smtp, auth: { user: 'dbops', pass: 'SMTP-PASSWORD-1' } }, 'smtp');
    expect(out).toContain('smtp.example.com');
    for (const secret of ['SMTP-PASSWORD', 'LINK-SECRET', 'HOOK-SECRET']) expect(out).not.toContain(secret);
  });

  it('refuses an incomplete SMTP or signing configuration, naming the variable', () => {
    expect(() => loadConfig({ SMTP_HOST: 'smtp.example.com' })).toThrow(/SMTP_FROM: required with SMTP_HOST/);
    expect(() => loadConfig({ ...env, SMTP_PASSWORD: undefined })).toThrow(/SMTP_PASSWORD: required with SMTP_USER/);
    expect(() => loadConfig({ SMTP_FROM: 'x@example.com' })).toThrow(/SMTP_HOST: required/);
    expect(() => loadConfig({ SMTP_HOST: 'h', SMTP_FROM: 'f@x', SMTP_TLS: 'maybe' })).toThrow(/SMTP_TLS/);
    expect(() => loadConfig({ DBOPS_LINK_SECRET: 'short' })).toThrow(/DBOPS_LINK_SECRET: at least 32 characters/);
    expect(() => loadConfig({ DBOPS_SIGNED_WEBHOOK_URL: 'https://hooks.example.com/x' })).toThrow(/DBOPS_SIGNED_WEBHOOK_SECRET: required/);
    expect(() => loadConfig({ DBOPS_PUBLIC_URL: 'ftp://x' })).toThrow(/DBOPS_PUBLIC_URL/);
    expect(loadConfig({ DBOPS_LINK_SECRET: 'z'.repeat(32), DBOPS_INTAKE_PORT: '9000' }).pageLinks).toEqual({
      secret: 'z'.repeat(32),
      publicUrl: 'http://127.0.0.1:9000',
      ttlMs: 24 * 3_600_000,
    });
  });
});
