import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOverrides } from '../../db/oncall/overrides';
import type { Layer } from '../../runbooks/onCallSchedule';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { weeklyRotation } from '../support/onCallLayers';

/**
 * `dbops oncall` as a person at a terminal runs it, through the real dbops API (which reads the schedules and roster
 * files it has in force) and a real audit store: a role on a ladder with nobody for a while is found ahead and fails
 * the check; the tables name people, not ids.
 */
const weekly = weeklyRotation('UTC');
const businessHours: Layer = { ...weekly, restrictions: [{ weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }] };

describe('dbops oncall', () => {
  let db: TestDatabase;
  let api: TestApi;
  let token: string;
  let dir: string;
  const schedulesFile = () => path.join(dir, 'schedules.json');
  /** Rewrites the file the API reads; its mtime moves on (a same-millisecond edit would otherwise look unchanged). */
  const writeSchedules = (...layers: Layer[]) => {
    fs.writeFileSync(schedulesFile(), JSON.stringify({ schedules: [{ role: 'on-call-engineer', layers }] }));
    const later = new Date(Date.now() + Math.random() * 60_000);
    fs.utimesSync(schedulesFile(), later, later);
  };
  // No DATABASE_URL: every one of these commands goes through the API.
  const run = (...args: string[]) =>
    dbops(args, { DBOPS_API_URL: api.url, DBOPS_TOKEN: token, DBOPS_TIMEZONE: 'UTC', DBOPS_ROSTER: 'config/roster.example.json' });
  beforeAll(async () => {
    db = await createTestDatabase('oncall_cli');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-oncall-cli-'));
    writeSchedules(weekly);
    // The on-call routes never reach Temporal: a lazy connection that is never used.
    const client = new Client({ connection: Connection.lazy({ address: inject('devServerAddress') }) });
    api = await startTestApi(client, db.pool, 'unused', { schedulesFile: schedulesFile() });
    token = await api.tokenOf('sam');
  });
  afterAll(async () => {
    api?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('check exits non-zero listing each window a ladder role has nobody, and passes once it is covered', async () => {
    // On call in business hours only: every night and weekend of the next 30 days is a gap.
    writeSchedules(businessHours);
    const gaps = await run('oncall', 'check', '--days', '30');
    expect(gaps.code, gaps.stderr).toBe(6);
    const rows = gaps.stdout.split('\n').slice(1).filter(Boolean);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.every((r) => r.startsWith('on-call-engineer '))).toBe(true);
    // A weekday night: 17:00 until 09:00 the next morning, 16 hours.
    expect(gaps.stdout).toMatch(/on-call-engineer\s+\d{4}-\d\d-\d\d 17:00 UTC\s+\d{4}-\d\d-\d\d 09:00 UTC\s+16 h/);
    expect(gaps.stderr).toMatch(/gaps? in the next 30 days/);
    // For a script: the same gaps as JSON, the same exit code.
    const json = await run('oncall', 'check', '--days', '30', '--output', 'json');
    expect(json.code, json.stderr).toBe(6);
    const answer = JSON.parse(json.stdout) as { gaps: { role: string; from: string; to: string }[] };
    expect(answer.gaps).toHaveLength(rows.length);
    expect(answer.gaps[0]).toMatchObject({ role: 'on-call-engineer', from: expect.stringMatching(/Z$/) });
    // The API says what it accepts.
    const bad = await fetch(`${api.url}/oncall/gaps?days=0`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('days: a whole number of days, 1 to 366');

    // The weekly rotation under the business-hours layer covers the rest.
    writeSchedules(weekly, businessHours);
    const covered = await run('oncall', 'check', '--days', '30');
    expect(covered.code, covered.stderr).toBe(0);
    expect(covered.stdout).toMatch(/every role on the escalation ladders has someone for the next 30 days/);
  });

  it('counts an override as cover', async () => {
    writeSchedules(businessHours);
    const first = await run('oncall', 'check', '--days', '3');
    const [, from, to] = /(\d{4}-\d\d-\d\d \d\d:\d\d) UTC\s+(\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(first.stdout)!;
    const start = Date.parse(`${from.replace(' ', 'T')}:00Z`);
    const end = Date.parse(`${to.replace(' ', 'T')}:00Z`);
    await createOverrides(db.pool, 'on-call-engineer', { id: 'dana', rosterVersion: 'test', scheduleVersion: 'test' }, '', () => [
      { role: 'on-call-engineer', person: 'sam', start: Math.max(start, Date.now()) - 60_000, end, replaces: [] },
    ]);
    const after = await run('oncall', 'check', '--days', '3');
    expect(after.stdout).not.toContain(`${from} UTC`);
  });

  it('prints a role’s shifts and who is on call now and next, by name', async () => {
    writeSchedules(weekly);
    const shifts = await run('oncall', 'schedule', '--role', 'on-call-engineer', '--from', '2026-03-02', '--to', '2026-03-23');
    expect(shifts.code, shifts.stderr).toBe(0);
    expect(shifts.stdout.split('\n').slice(1, 4)).toEqual([
      '2026-03-02 00:00 UTC  2026-03-02 09:00 UTC  Bea Novak  layer 1',
      '2026-03-02 09:00 UTC  2026-03-09 09:00 UTC  Oscar Kim  layer 1',
      '2026-03-09 09:00 UTC  2026-03-16 09:00 UTC  Bea Novak  layer 1',
    ]);
    const now = await run('oncall', '--role', 'on-call-engineer', '--at', '2026-03-04T12:00:00Z');
    expect(now.code, now.stderr).toBe(0);
    expect(now.stdout).toMatch(/on-call-engineer\s+Oscar Kim\s+2026-03-09 09:00 UTC\s+Bea Novak\s+2026-03-16 09:00 UTC/);
    expect(now.stdout).not.toMatch(/\boscar\b|\bbea\b/);
  });
});
