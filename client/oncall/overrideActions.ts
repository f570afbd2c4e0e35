/**
 * Making an override as a person: what POST /oncall/overrides does, and the console's on-call page with it, so both
 * judge (runbooks/onCallOverrides: a lead or manager, or the person replaced), store and audit alike.
 */
import { runbookNow, type Runbook } from '../../runbooks/runbook';
import { notInRunbook } from '../../runbooks/vocabulary';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { createOverrides, type StoredOverride } from '../../db/oncall/overrides';
import type { Logger } from '../../lib/logger';
import type { RosterInForce } from '../../lib/rosterInForce';
import { ROSTER_ONLY, type SchedulesInForce } from '../../lib/schedules';
import { OverrideRequestSchema, planOverrides, type Refusal } from '../../runbooks/onCallOverrides';
import { personName, type Roster } from '../../runbooks/roster';
import type { Role } from '../../runbooks/types';
import { tellHandoffWorkflowOfChange } from './handoffWatch';

export const OVERRIDE_SHAPE = '{ "role", "person", "from", "to", "reason"?, "swap"?: { "from", "to" } }';

/** An override as the API shows it: its window as ISO 8601 times. */
export type OverrideJson = Omit<StoredOverride, 'start' | 'end'> & {
  from: string;
  to: string;
  /** The people it names, by name (the roster in force; an id no longer on it stands for itself). */
  names: { person: string; replaces: string[]; createdBy: string };
};
/** An override as the API answers it, with the names a person reads. */
export const overrideJson =
  (roster: Roster) =>
  ({ start, end, ...rest }: StoredOverride): OverrideJson => ({
    ...rest,
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    names: {
      person: personName(roster, rest.person),
      replaces: rest.replaces.map((id) => personName(roster, id)),
      createdBy: personName(roster, rest.createdBy),
    },
  });

export interface OverrideDeps {
  client: Client;
  taskQueue: string;
  pool: Pool;
  roster: () => RosterInForce;
  schedules?: () => SchedulesInForce;
  now?: () => number;
  log: Logger;
  /** The runbook in force: the roles an override may name (the built-in one when absent). */
  runbook?: () => Runbook;
}

/** Who acts, with their roles in the roster in force and its version (recorded with the override). */
export interface OverrideMaker {
  id: string;
  roles: readonly Role[];
  rosterVersion: string;
}

/** The handoff workflow recomputes its next handoff now rather than at its next look (an override's edges are handoffs). */
export const wakeHandoffs = (deps: OverrideDeps) =>
  tellHandoffWorkflowOfChange(deps.client, deps.taskQueue).catch((err) =>
    deps.log.warn({ error: (err as Error).message }, 'could not wake the handoff workflow; it looks again within minutes'),
  );

/** Makes an override (or a swap) from a request body (OverrideRequestSchema), or says why not. */
export async function makeOverride(
  deps: OverrideDeps,
  maker: OverrideMaker,
  body: unknown,
): Promise<{ overrides: OverrideJson[] } | Refusal> {
  const parsed = OverrideRequestSchema.safeParse(body);
  if (!parsed.success)
    return {
      status: 400,
      error: `${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}: ${OVERRIDE_SHAPE}`,
    };
  const request = parsed.data;
  const unknownRole = notInRunbook('role', request.role, 'a role', runbookNow(deps.runbook).roles);
  if (unknownRole) return { status: 400, error: unknownRole };
  const schedules = deps.schedules?.() ?? ROSTER_ONLY;
  const { roster } = deps.roster();
  const actor = { id: maker.id, rosterVersion: maker.rosterVersion, scheduleVersion: schedules.version };
  const result = await createOverrides(deps.pool, request.role, actor, request.reason ?? '', (overrides) =>
    planOverrides(request, maker, { schedules: schedules.schedules, overrides, roster, now: (deps.now ?? Date.now)() }),
  );
  if (!Array.isArray(result)) {
    if (result.status === 403)
      deps.log.info({ actor: maker.id, role: request.role, rosterVersion: maker.rosterVersion }, 'override refused');
    return result;
  }
  deps.log.info({ actor: maker.id, overrides: result.map((o) => o.id) }, 'override created');
  await wakeHandoffs(deps);
  return { overrides: result.map(overrideJson(roster)) };
}
