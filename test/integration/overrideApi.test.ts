import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OverrideJson } from '../../client/api/onCallRoutes';
import { overrideEvents } from '../../db/oncall/overrides';
import { shiftAt } from '../../runbooks/onCall';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { weeklyRotation } from '../support/onCallLayers';

/**
 * Overrides through the real API on a real PostgreSQL: a person may hand over their own shift, a database lead or
 * engineering manager anyone's (and make swaps); anyone else is refused, and nothing is stored or audited for them.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const weekly = weeklyRotation('Europe/Berlin');

/** An hour inside the next shift of `person` that starts at least a day from now. */
function hourOf(person: string, after = Date.now() + DAY): { from: string; to: string } {
  let shift = shiftAt(weekly, after)!;
  // The hour must fit inside the shift: one that runs past its handoff is held by two people.
  while (shift.person !== person || Math.max(shift.start, after) + 2 * HOUR > shift.end) shift = shiftAt(weekly, shift.end)!;
  const start = Math.max(shift.start, after) + HOUR;
  return { from: new Date(start).toISOString(), to: new Date(start + HOUR).toISOString() };
}

describe('on-call overrides through the API', () => {
  let db: TestDatabase;
  let api: TestApi;
  let dir: string;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    db = await createTestDatabase('override');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-oncall-'));
    const schedulesFile = path.join(dir, 'schedules.json');
    fs.writeFileSync(schedulesFile, JSON.stringify({ schedules: [{ role: 'on-call-engineer', layers: [weekly] }] }));
    // The on-call routes never reach Temporal: a lazy connection that is never used.
    const client = new Client({ connection: Connection.lazy({ address: inject('devServerAddress') }) });
    api = await startTestApi(client, db.pool, 'unused', { schedulesFile });
    for (const person of ['oscar', 'bea', 'sam', 'dana', 'erin']) tokens[person] = await api.tokenOf(person);
  });
  afterAll(async () => {
    api?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = async (as: string | undefined, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: { ...(as && { authorization: `Bearer ${tokens[as]}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: string; overrides?: OverrideJson[]; deleted?: OverrideJson[] } };
  };
  const stored = async () => (await db.pool.query('SELECT count(*)::int AS n FROM oncall_overrides')).rows[0].n as number;

  it('refuses an override of someone else’s shift by a person not entitled (403), storing and auditing nothing', async () => {
    const before = await stored();
    const refused = await call('sam', 'POST', '/oncall/overrides', { role: 'on-call-engineer', person: 'sam', ...hourOf('oscar') });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/not entitled: .*database-lead or engineering-manager, or by the person it replaces \(oscar\)/);
    // Taking over from oscar is not bea's to decide either, though she is in the rotation.
    expect((await call('bea', 'POST', '/oncall/overrides', { role: 'on-call-engineer', person: 'bea', ...hourOf('oscar') })).status).toBe(
      403,
    );
    expect(await stored()).toBe(before);
    expect(await overrideEvents(db.pool)).toEqual([]);
    expect((await call(undefined, 'GET', '/oncall/overrides')).status).toBe(401);
  });

  it('lets the person replaced hand over their shift, audited, and only them or an entitled person remove it', async () => {
    const window = hourOf('oscar');
    const made = await call('oscar', 'POST', '/oncall/overrides', {
      role: 'on-call-engineer',
      person: 'sam',
      ...window,
      reason: 'dentist',
    });
    expect(made.status).toBe(201);
    const [override] = made.body.overrides!;
    expect(override).toMatchObject({ person: 'sam', ...window, replaces: ['oscar'], createdBy: 'oscar', reason: 'dentist' });

    // The override decides who holds the role in its window.
    const during = await call('bea', 'GET', `/oncall?role=on-call-engineer&at=${encodeURIComponent(window.from)}`);
    expect(during.status).toBe(200);
    expect((during.body as unknown as { roles: { now: { holders: { id: string }[] } }[] }).roles[0].now.holders).toEqual([
      { id: 'sam', name: 'Sam Reyes' },
    ]);

    // sam took the shift but is not who it replaces: he may not remove it.
    expect((await call('sam', 'DELETE', `/oncall/overrides/${override.id}`)).status).toBe(403);
    expect((await call('oscar', 'DELETE', `/oncall/overrides/${override.id}`)).status).toBe(200);
    expect((await call('oscar', 'DELETE', `/oncall/overrides/${override.id}`)).status).toBe(404);

    const events = await overrideEvents(db.pool, override.id);
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['created', 'oscar'],
      ['deleted', 'oscar'],
    ]);
    expect(events[0].rosterVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(events[0].scheduleVersion).toMatch(/^[0-9a-f]{16}$/);
  });

  it('makes a swap as two overrides at once, for an entitled person only, and removes them together', async () => {
    const mine = hourOf('oscar');
    const theirs = hourOf('bea');
    const swap = { role: 'on-call-engineer', person: 'bea', ...mine, swap: theirs };
    const tried = await call('oscar', 'POST', '/oncall/overrides', swap);
    expect(tried.status, JSON.stringify([swap, tried.body])).toBe(403);
    const made = await call('dana', 'POST', '/oncall/overrides', swap);
    expect(made.status).toBe(201);
    const [first, second] = made.body.overrides!;
    expect([first.person, first.replaces, second.person, second.replaces]).toEqual(['bea', ['oscar'], 'oscar', ['bea']]);
    expect(second.swapId).toBe(first.id);
    const removed = await call('erin', 'DELETE', `/oncall/overrides/${second.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.deleted!.map((o) => o.id)).toEqual([first.id, second.id]);
  });

  it('is driven from the CLI as the token’s person: create, list by name, a refused delete, delete', async () => {
    const as = (person: string) => ({ DBOPS_API_URL: api.url, DBOPS_TOKEN: tokens[person], DBOPS_TIMEZONE: 'UTC' });
    const { from, to } = hourOf('oscar', Date.now() + 3 * DAY);
    const made = await dbops(
      ['override', 'create', '--role', 'on-call-engineer', '--person', 'sam', '--from', from, '--to', to],
      as('oscar'),
    );
    expect(made.code, made.stderr).toBe(0);
    const id = /^(\d+)\s+on-call-engineer\s+Sam Reyes\s+.*\s+Oscar Kim\s+Oscar Kim$/m.exec(made.stdout)?.[1];
    expect(id, made.stdout).toBeDefined();
    expect((await dbops(['override', 'list', '--role', 'on-call-engineer'], as('bea'))).stdout).toMatch(
      new RegExp(`^${id}\\s+on-call-engineer\\s+Sam Reyes`, 'm'),
    );
    const refused = await dbops(['override', 'delete', id!], as('bea'));
    // Refused by the API: exit 4 (exitCodes.ts).
    expect([refused.code, refused.stderr]).toEqual([4, expect.stringMatching(/refused \(403\): not entitled/)]);
    expect((await dbops(['override', 'delete', id!], as('oscar'))).stdout).toBe(`deleted override ${id}\n`);
  });

  it('refuses a malformed override naming the field (400)', async () => {
    const bad = await call('dana', 'POST', '/oncall/overrides', { role: 'on-call-engineer', person: 'bea', from: 'tomorrow', to: 'later' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^from: an ISO 8601 date-time/);
    const backwards = await call('dana', 'POST', '/oncall/overrides', { role: 'on-call-engineer', person: 'zed', ...hourOf('oscar') });
    expect(backwards.body.error).toMatch(/person: 'zed' is not on the roster/);
  });
});
