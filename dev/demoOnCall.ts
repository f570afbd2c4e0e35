import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { createOverrides, listOverrides } from '../db/oncall/overrides';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { runtimeFile } from '../lib/runtime';
import { readSchedulesFile } from '../lib/schedules';
import { versionOf } from '../lib/fileInForce';
import { inZone } from '../lib/timeInZone';
import { holdersAt, onCallAt, type Turn } from '../runbooks/onCall';
import type { Roster } from '../runbooks/roster';

/** npm start's on-call schedule unless DBOPS_SCHEDULES names one: oscar and bea take the on-call role a week each. */
export const DEMO_SCHEDULES = path.resolve(__dirname, '../config/schedules.demo.json');
const ROLE = 'on-call-engineer';
const HOUR = 3_600_000;

/**
 * The demo's on-call: the demo schedule (config/schedules.demo.json) unless DBOPS_SCHEDULES is set, told to the CLI in
 * other terminals through runtime.json, and one override, made once on a fresh store: whoever is not on call now covers
 * four hours starting at the next full hour but one (a swap for an appointment). Returns the banner's lines: who is on
 * call now and until when, and who next.
 */
export async function demoOnCall(config: Config, pool: Pool, roster: Roster, log: Logger): Promise<string> {
  config.schedulesPath ??= DEMO_SCHEDULES;
  const file = runtimeFile(config);
  const started = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...started, schedulesPath: config.schedulesPath }), { mode: 0o600 });
  const { schedules, version } = readSchedulesFile(config.schedulesPath, roster);
  const now = Date.now();
  if (!(await listOverrides(pool, { role: ROLE, after: now })).length) {
    const onCall = holdersAt(schedules, [], roster, ROLE, now).map((p) => p.id);
    const cover = schedules.schedules.find((s) => s.role === ROLE)?.layers[0]?.participants.find((p) => !onCall.includes(p));
    if (cover) {
      const start = Math.ceil(now / HOUR) * HOUR + HOUR;
      const actor = { id: 'demo', rosterVersion: versionOf(JSON.stringify(roster)), scheduleVersion: version };
      await createOverrides(pool, ROLE, actor, 'demo: covers an appointment', () => [
        { role: ROLE, person: cover, start, end: start + 4 * HOUR, replaces: onCall },
      ]);
      log.info({ role: ROLE, person: cover }, 'demo override made');
    }
  }
  const { now: current, next } = onCallAt(schedules, await listOverrides(pool, { role: ROLE, after: now }), roster, ROLE, now);
  const turn = (t: Turn) => {
    const who = t.holders.length ? t.holders.map((p) => p.name).join(', ') : 'NOBODY';
    const why = t.source.kind === 'override' ? ' (override)' : t.source.kind === 'layer' ? ` (${t.source.name ?? 'rotation'})` : '';
    return `${who}${why}${t.until === undefined ? '' : ` until ${inZone(new Date(t.until).toISOString(), config.timeZone)}`}`;
  };
  return `  On call now    ${turn(current)}\n${next ? `  Then           ${turn(next)}\n` : ''}`;
}
