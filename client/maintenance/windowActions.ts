/**
 * Making and ending maintenance windows as a person: what POST /maintenance and POST /maintenance/:id/end do, and the
 * console's maintenance page with them, so both judge, store, audit and start alike. Making or ending one is the
 * action policy's `maintenance` (a refusal names its rule).
 */
import { WorkflowIdReusePolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { activateOccurrence, createWindow, endWindow, type StoredWindow } from '../../db/maintenance/windows';
import type { Logger } from '../../lib/logger';
import { decide } from '../../runbooks/actionPolicy';
import { TEXT_LIMITS, unstorableText } from '../../runbooks/limits';
import { nextOccurrence } from '../../runbooks/maintenance';
import { planWindow, WindowRequestSchema } from '../../runbooks/maintenanceRequest';
import { runbookNow, type Runbook } from '../../runbooks/runbook';
import type { ActingRole } from '../../runbooks/types';
import type { maintenanceWindow } from '../../workflows/maintenance/maintenanceWindow';
import { endMaintenanceSignal, maintenanceWorkflowId } from '../../workflows/maintenance/messages';

export const WINDOW_SHAPE =
  '{ "reason", "tiers"?, "types"?, "labels"?, "from"?, "to" } or { "reason", "tiers"?, "types"?, "labels"?, "weekly": { "days", "start", "end", "timeZone", "until" } }';

/** A window as the API shows it: its next (or current) occurrence, whether it is over. */
export type WindowJson = StoredWindow & { next: { from: string; to: string } | null };

export const windowJson = (w: StoredWindow, now: number): WindowJson => {
  const next = w.endedAt ? undefined : nextOccurrence(w.timing, now);
  return { ...w, next: next ? { from: new Date(next.start).toISOString(), to: new Date(next.end).toISOString() } : null };
};

export interface WindowDeps {
  client: Client;
  taskQueue: string;
  pool: Pool;
  now?: () => number;
  log: Logger;
  /** The runbook in force: its action policy decides who may make or end a window (the built-in one when absent). */
  runbook?: () => Runbook;
}

/** Who acts, with their roles in the roster in force and its version (recorded with the window's events). */
export interface WindowActor {
  id: string;
  roles: readonly ActingRole[];
  rosterVersion: string;
}

export type WindowRefusal = { status: 400 | 403 | 404 | 409; error: string; rule?: string };
export type WindowOutcome = { window: WindowJson } | WindowRefusal;

/** The policy's refusal (403 naming the rule; 400 without a reason), or undefined when the actor may. */
export function maintenanceRefusal(
  deps: Pick<WindowDeps, 'log' | 'runbook'>,
  actor: WindowActor,
  reason: string | undefined,
  doWhat: string,
): WindowRefusal | undefined {
  const decision = decide(runbookNow(deps.runbook).actionPolicy, 'maintenance', { actor: actor.id, actorRoles: actor.roles, reason });
  if (decision.allowed) return undefined;
  deps.log.info({ actor: actor.id, rule: decision.rule.id, rosterVersion: actor.rosterVersion }, 'maintenance refused');
  return {
    status: decision.missing === 'reason' ? 400 : 403,
    rule: decision.rule.id,
    error: `'${actor.id}' may not ${doWhat}: ${decision.why} (policy rule '${decision.rule.id}'; dbops policy lists them); nothing was changed`,
  };
}

/** Makes a window from a request body (WindowRequestSchema), stores and audits it, and starts its clock. */
export async function makeWindow(deps: WindowDeps, actor: WindowActor, body: Record<string, unknown>): Promise<WindowOutcome> {
  const now = () => (deps.now ?? Date.now)();
  // Who may comes first: a bystander learns nothing about what a valid window would be.
  const refused = maintenanceRefusal(deps, actor, typeof body.reason === 'string' ? body.reason : 'unchecked', 'make a maintenance window');
  if (refused) return refused;
  const parsed = WindowRequestSchema.safeParse(body);
  if (!parsed.success)
    return {
      status: 400,
      error: `${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}: ${WINDOW_SHAPE}`,
    };
  const planned = planWindow(parsed.data, now(), runbookNow(deps.runbook));
  if ('error' in planned) return planned;
  const window = await createWindow(
    deps.pool,
    { reason: parsed.data.reason, ...planned },
    { id: actor.id, rosterVersion: actor.rosterVersion },
  );
  // A window that has begun holds from the answer on; its workflow finds the occurrence active already.
  const first = nextOccurrence(window.timing, now());
  if (first && first.start <= now()) await activateOccurrence(deps.pool, window.id, first, now());
  // The window's clock: activates each occurrence at its start and releases it at its end (a durable timer).
  await deps.client.workflow.start<typeof maintenanceWindow>('maintenanceWindow', {
    workflowId: maintenanceWorkflowId(window.id),
    taskQueue: deps.taskQueue,
    args: [{ windowId: window.id, timing: window.timing }],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
  deps.log.info({ actor: actor.id, window: window.id }, 'maintenance window created');
  return { window: windowJson(window, now()) };
}

/** Ends a window now: what it held and still fires opens its incidents. */
export async function endWindowEarly(deps: WindowDeps, actor: WindowActor, id: string, reason: string | undefined): Promise<WindowOutcome> {
  if (!/^\d{1,18}$/.test(id)) return { status: 400, error: `'${id}' is not a window id (a number, as listed)` };
  const refused = maintenanceRefusal(deps, actor, reason, 'end a maintenance window');
  if (refused) return refused;
  if (reason!.length > TEXT_LIMITS.reason || unstorableText(reason!))
    return { status: 400, error: `reason: at most ${TEXT_LIMITS.reason} characters of storable text` };
  const ended = await endWindow(deps.pool, id, { id: actor.id, rosterVersion: actor.rosterVersion }, reason!);
  if (ended === undefined) return { status: 404, error: `no maintenance window ${id}` };
  if (ended === false) return { status: 409, error: `maintenance window ${id} has already ended` };
  // The store says it ended (the intake holds nothing more); the workflow releases what it held, at once.
  // A window whose last occurrence is over has no workflow running any more, and holds nothing.
  await deps.client.workflow
    .getHandle(maintenanceWorkflowId(id))
    .signal(endMaintenanceSignal)
    .catch((err) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
  deps.log.info({ actor: actor.id, window: id }, 'maintenance window ended early');
  return { window: windowJson(ended, (deps.now ?? Date.now)()) };
}
