import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOverrides } from '../../db/oncall/overrides';
import { parseSecretKeys } from '../../lib/secretKeys';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { weeklyRotation } from '../support/onCallLayers';

const HOUR = 3_600_000;
const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

/**
 * The calendar feed over the real API, as a calendar application and a person at a terminal reach it: the CLI prints
 * the signed URL, which serves the shifts without a token; a URL without its signature, with a wrong one, or signed
 * with a key no longer listed is refused (403) saying which; a person's URL is theirs (or a lead's) to get.
 */
describe('on-call calendar feed URLs', () => {
  let db: TestDatabase;
  let api: TestApi;
  let dir: string;
  const oldKey = key('2026-01');
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    db = await createTestDatabase('oncall_feed');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-oncall-feed-'));
    const schedulesFile = path.join(dir, 'schedules.json');
    fs.writeFileSync(
      schedulesFile,
      JSON.stringify({ schedules: [{ role: 'on-call-engineer', layers: [weeklyRotation('Europe/Berlin')] }] }),
    );
    // The feed never reaches Temporal: a lazy connection that is never used.
    const client = new Client({ connection: Connection.lazy({ address: inject('devServerAddress') }) });
    api = await startTestApi(client, db.pool, 'unused', { schedulesFile, secretKeys: parseSecretKeys(oldKey, 'test') });
    for (const person of ['oscar', 'sam', 'dana']) tokens[person] = await api.tokenOf(person);
  });
  afterAll(async () => {
    api?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cli = (as: string, ...args: string[]) =>
    dbops(['oncall', 'calendar', ...args], { DBOPS_API_URL: api.url, DBOPS_TOKEN: tokens[as], DBOPS_ROSTER: api.rosterFile });

  // The API straight, where the CLI's own part is already shown (each CLI run costs a process start).
  const urlOf = async (as: string, query: string, method = 'GET') => {
    const res = await fetch(`${api.url}/oncall/calendar-url?${query}`, { method, headers: { authorization: `Bearer ${tokens[as]}` } });
    return { status: res.status, ...((await res.json()) as { url?: string; error?: string }) };
  };

  it('prints a URL that serves the person’s shifts, an override as its own event, to a client without a token', async () => {
    const start = Math.ceil(Date.now() / HOUR) * HOUR + 48 * HOUR;
    await createOverrides(db.pool, 'on-call-engineer', { id: 'dana', rosterVersion: 't', scheduleVersion: 't' }, '', () => [
      { role: 'on-call-engineer', person: 'oscar', start, end: start + 2 * HOUR, replaces: [] },
    ]);
    const printed = await cli('oscar', '--person', 'oscar');
    expect(printed.code, printed.stderr).toBe(0);
    const url = printed.stdout.trim();
    expect(url).toMatch(new RegExp(`^${api.url}/calendar/person/oscar\\.ics\\?sig=2026-01\\.0\\.[A-Za-z0-9_-]{43}$`));

    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const calendar = new ICAL.Component(ICAL.parse(await res.text()));
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/Berlin');
    const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.length).toBeGreaterThan(20);
    const override = events.find((e) => e.summary === 'On call: on-call-engineer (override)');
    expect(override?.startDate.toUnixTime()).toBe(start / 1000);
    expect(override?.startDate.zone?.tzid).toBe('Europe/Berlin');

    // A role's feed is anyone's on the roster to subscribe to.
    const role = await urlOf('sam', 'role=on-call-engineer');
    expect(role.status).toBe(200);
    expect((await fetch(role.url!)).status).toBe(200);
  });

  it('refuses (403) a feed without its sig, with another feed’s or an altered one, saying which', async () => {
    const { url } = (await urlOf('oscar', 'person=oscar')) as { url: string };
    const sig = new URL(url).searchParams.get('sig')!;
    const refusal = async (u: string) => {
      const res = await fetch(u);
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    };
    expect(await refusal(url.replace(/\?sig=.*/, ''))).toEqual({ status: 403, error: expect.stringMatching(/has no sig/) });
    expect(await refusal(url.replace('/person/oscar.ics', '/person/bea.ics'))).toEqual({
      status: 403,
      error: expect.stringMatching(/sig does not match person 'bea'/),
    });
    const altered = sig.slice(0, -2) + (sig.endsWith('AA') ? 'BA' : 'AA');
    expect(await refusal(url.replace(sig, altered))).toMatchObject({ status: 403, error: expect.stringMatching(/does not match/) });
    expect(await refusal(url.replace(sig, 'nonsense'))).toMatchObject({
      status: 403,
      error: expect.stringMatching(/not a calendar signature/),
    });
  });

  it('gives a person’s URL only to them or a lead: a bystander with a valid token is refused', async () => {
    const refused = await cli('sam', '--person', 'oscar');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not entitled: oscar's calendar URL is given to oscar or to a database-lead or engineering-manager/);
    expect((await urlOf('dana', 'person=oscar')).status).toBe(200);
    const usage = await cli('oscar');
    expect(usage.stderr).toMatch(/give one of --person <id> or --role <role>/);
  });

  it('revokes one feed’s URLs on request of its person, audited, and gives the new URL', async () => {
    const before = (await urlOf('oscar', 'person=oscar')).url!;
    expect(await urlOf('sam', 'role=on-call-engineer', 'DELETE')).toMatchObject({
      status: 403,
      error: expect.stringMatching(/not entitled: a role's calendar URLs are revoked by/),
    });
    const revoked = await cli('oscar', '--person', 'oscar', '--revoke');
    expect(revoked.code, revoked.stderr).toBe(0);
    const after = revoked.stdout.trim();
    expect(after).toMatch(/sig=2026-01\.1\./);
    const res = await fetch(before);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/this calendar URL was revoked by oscar at \d{4}-/);
    expect((await fetch(after)).status).toBe(200);
    const { rows } = await db.pool.query('SELECT kind, subject, revoked_by FROM calendar_feed_revocations');
    expect(rows).toEqual([{ kind: 'person', subject: 'oscar', revoked_by: 'oscar' }]);
  });

  it('refuses URLs signed with a key no longer listed: rotating the key revokes them', async () => {
    const { url } = (await urlOf('oscar', 'person=oscar')) as { url: string };
    const rotated = await startTestApi(
      new Client({ connection: Connection.lazy({ address: inject('devServerAddress') }) }),
      db.pool,
      'unused',
      {
        secretKeys: parseSecretKeys(`${key('2026-06')}\n${oldKey}`, 'test'),
      },
    );
    const dropped = await startTestApi(
      new Client({ connection: Connection.lazy({ address: inject('devServerAddress') }) }),
      db.pool,
      'unused',
      {
        secretKeys: parseSecretKeys(key('2026-06'), 'test'),
      },
    );
    try {
      const path = url.slice(api.url.length);
      // The new key listed first: old URLs still work while the old key is listed.
      expect((await fetch(`${rotated.url}${path}`)).status).toBe(200);
      const res = await fetch(`${dropped.url}${path}`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/key '2026-01', which is no longer listed: this URL was revoked/);
    } finally {
      rotated.close();
      dropped.close();
    }
  });
});
