import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { forgeryOf } from '../../client/console/consoleSession';

const TOKEN = 'a'.repeat(43);
const app = new Hono().post('/act', async (c) => {
  const form = await c.req.parseBody();
  return c.text(forgeryOf(c, form.csrf, TOKEN) ?? 'ok');
});
const post = async (headers: Record<string, string>, body: string) => {
  const res = await app.request('http://console.test/act', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return res.text();
};

describe('the console’s forms: a forged POST is told apart', () => {
  it('accepts its own origin with the session’s token', async () => {
    expect(await post({ origin: 'http://console.test' }, `csrf=${TOKEN}`)).toBe('ok');
    expect(await post({ referer: 'http://console.test/console/incidents/x' }, `csrf=${TOKEN}`)).toBe('ok');
  });

  it('refuses another origin, no origin at all, no token, or another token', async () => {
    expect(await post({ origin: 'https://evil.example' }, `csrf=${TOKEN}`)).toMatch(/came from https:\/\/evil.example/);
    expect(await post({}, `csrf=${TOKEN}`)).toMatch(/came from an unknown origin/);
    expect(await post({ origin: 'null', referer: 'https://evil.example/x' }, `csrf=${TOKEN}`)).toMatch(/evil.example/);
    expect(await post({ origin: 'http://console.test' }, '')).toMatch(/no CSRF token/);
    expect(await post({ origin: 'http://console.test' }, `csrf=${'b'.repeat(43)}`)).toMatch(/not this session’s/);
    expect(await post({ origin: 'http://console.test' }, 'csrf=short')).toMatch(/not this session’s/);
  });
});
