import type { Pool } from 'pg';
import { listOverrides } from '../db/oncall/overrides';
import type { Logger } from '../lib/logger';
import type { RosterInForce } from '../lib/rosterInForce';
import type { SchedulesInForce } from '../lib/schedules';
import { findGaps, ladderRoles } from '../runbooks/onCallGaps';

const DAY_MS = 24 * 3_600_000;
/** How far ahead the worker looks, as `dbops oncall check` does by default. */
const LOOK_AHEAD_DAYS = 30;
/** Lines per look: a schedule with nights uncovered has a gap a night; the rest is counted, and `oncall check` lists all. */
const LINES_KEPT = 20;

/**
 * Gaps found before they matter: at start and then daily, the worker logs every window in the next 30 days in which a
 * role on an escalation ladder has nobody (schedules, overrides and roster in force), one line per gap naming the role
 * and the window. A page into a gap still goes out (to the next rung); this is so the team fills it first.
 */
export function logOnCallGaps(o: {
  pool: Pool;
  roster: () => RosterInForce;
  schedules: () => SchedulesInForce;
  log: Logger;
  now?: () => number;
}): { stop(): void; looked: Promise<void> } {
  const look = async () => {
    const from = (o.now ?? Date.now)();
    const to = from + LOOK_AHEAD_DAYS * DAY_MS;
    try {
      const { roster, version: rosterVersion } = o.roster();
      const { schedules, version: scheduleVersion } = o.schedules();
      const gaps = findGaps(schedules, await listOverrides(o.pool, { after: from }), roster, ladderRoles(), from, to);
      for (const g of gaps.slice(0, LINES_KEPT))
        o.log.warn(
          { role: g.role, from: new Date(g.start).toISOString(), to: new Date(g.end).toISOString(), scheduleVersion },
          `on-call gap: nobody holds ${g.role} from ${new Date(g.start).toISOString()} to ${new Date(g.end).toISOString()}; a page then goes to the next rung`,
        );
      if (gaps.length > LINES_KEPT)
        o.log.warn({ more: gaps.length - LINES_KEPT }, `on-call gaps: ${gaps.length - LINES_KEPT} more (dbops oncall check lists all)`);
      if (!gaps.length)
        o.log.info({ days: LOOK_AHEAD_DAYS, rosterVersion, scheduleVersion }, 'on-call: every ladder role is held for the next 30 days');
    } catch (err) {
      o.log.warn({ error: (err as Error).message }, 'on-call gaps could not be looked for; trying again tomorrow');
    }
  };
  const looked = look();
  const timer = setInterval(() => void look(), DAY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), looked };
}
