import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../lib/html';
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
