import { ActivityFailure, ApplicationFailure, condition, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { DbopsActivities } from '../../activities';
import type { StepResult } from '../../activities/contracts';
import type { Contact } from '../../runbooks/plan';
import { drillStopsBefore } from '../../runbooks/drillStops';
import {
  HOOK_ACTIONS,
  OUTCOME_UNKNOWN,
  type AutomatedStep,
  type ClassifyStep,
  type ManualStep,
  type ProbeStep,
  type ProbeRequest,
  type Role,
} from '../../runbooks/types';
import { iso, MINUTE } from '../shared/time';
import { isResolved, type IncidentContext } from './context';
import { pagedRungs } from './ladder';
import type { StepState } from './messages';

const currentResponders = ({ plan, s }: IncidentContext): Contact[] => pagedRungs(plan, s).flatMap((r) => r.contacts);

/** The roles of every rung paged so far: who a reminder or a failed step is for, in the roster in force. */
const currentRoles = ({ plan, s }: IncidentContext): Role[] => [...new Set(pagedRungs(plan, s).flatMap((r) => r.roles))];

const contactsFor = ({ plan }: IncidentContext, roles: Role[]): Contact[] =>
  plan.ladder.flatMap((r) => r.contacts).filter((c, i, all) => roles.includes(c.role) && all.findIndex((x) => x.id === c.id) === i);

/**
 * A manual step waits for a person to complete it, reminding the responders (and marking it overdue) meanwhile. So
 * does an unclassified incident's classify step, until a person names its type.
 */
async function runManualStep(ctx: IncidentContext, def: ManualStep | ClassifyStep, step: StepState) {
  const { s, audit } = ctx;
  if (step.status === 'pending') {
    step.status = 'awaiting-completion';
    step.startedAt = iso(Date.now());
    step.dueAt = iso(Date.now() + def.dueMinutes * MINUTE);
    await audit.record('step-waiting', undefined, { stepId: def.id, dueAt: step.dueAt });
  }
  let overdueRecorded = Date.now() > Date.parse(step.dueAt!);
  while (step.status === 'awaiting-completion' && !isResolved(s)) {
    const done = await condition(() => step.status !== 'awaiting-completion' || isResolved(s), def.reminderMinutes * MINUTE);
    if (done) break;
    const overdue = Date.now() >= Date.parse(step.dueAt!);
    if (overdue && !overdueRecorded) {
      overdueRecorded = true;
      await audit.record('step-overdue', undefined, { stepId: def.id, dueAt: step.dueAt });
    }
    await audit.record('step-reminder', undefined, { stepId: def.id, overdue });
    await audit.send(
      'reminder',
      currentResponders(ctx),
      `${overdue ? 'OVERDUE' : 'Reminder'}: step '${def.title}' of ${s.incidentId} awaits completion (due ${step.dueAt})`,
      currentRoles(ctx),
    );
  }
}

/**
 * The step's error when a hook may have run although its step failed: the attempt timed out after it started (its
 * worker lost, or the hook too slow), or the activity itself says so (it had to stop the hook mid-run).
 */
function outcomeUnknown(def: AutomatedStep | ProbeStep, err: ActivityFailure): string | undefined {
  const hook = def.kind === 'automated' ? HOOK_ACTIONS[def.action] : undefined;
  const { cause } = err;
  if (cause instanceof ApplicationFailure && cause.type === OUTCOME_UNKNOWN) return cause.message;
  const timedOutRunning = cause instanceof TimeoutFailure && (cause.timeoutType === 'START_TO_CLOSE' || cause.timeoutType === 'HEARTBEAT');
  return hook && timedOutRunning ? `outcome unknown: the ${hook} hook may have run; check before retrying (${cause.message})` : undefined;
}

/**
 * An automated step runs its activity (after an approval, for risky ones). One that keeps failing waits for a
 * person's decision (retry, skip, abort) and never reruns by itself.
 */
async function runAutomatedStep(ctx: IncidentContext, def: AutomatedStep | ProbeStep, step: StepState) {
  const { s, audit } = ctx;
  // A drill walks the runbook without acting on the world: the step is shown, recorded, and passed over. A probe
  // only reads, and runs.
  const stop = s.drill && step.status === 'pending' && def.kind === 'automated' ? drillStopsBefore(def) : undefined;
  if (stop) {
    Object.assign(step, { status: 'skipped', summary: 'not run: drill', startedAt: iso(Date.now()), finishedAt: iso(Date.now()) });
    await audit.record('step-not-run', undefined, { stepId: def.id, reason: 'drill', why: stop }, 'not run: drill');
    return;
  }
  const approvalRoles = def.kind === 'automated' ? def.approvalRoles : undefined;
  if (approvalRoles && step.status === 'pending') await askApproval(ctx, def as AutomatedStep, step);
  if (step.status === 'awaiting-approval' && !(await approved(ctx, step))) return; // rejected, or the incident was resolved
  const act = proxyActivities<DbopsActivities>({
    // A probe's statement times out on the server first; the attempt allows a few seconds more to connect.
    startToCloseTimeout: (def.timeoutSeconds + (def.kind === 'probe' ? PROBE_CONNECT_SECONDS : 0)) * 1000,
    // A hook heartbeats while it runs, so a lost worker is noticed in seconds (plans frozen before this have none).
    ...(def.kind === 'automated' && def.heartbeatSeconds !== undefined && { heartbeatTimeout: def.heartbeatSeconds * 1000 }),
    retry: { maximumAttempts: def.maxAttempts, initialInterval: '2 seconds', backoffCoefficient: 2 },
  })[def.kind === 'probe' ? 'runProbe' : def.action];
  const probe = def.kind === 'probe' ? probeRequest(ctx, def) : undefined;
  while (!isResolved(s)) {
    // A step already waiting for a decision (say, across continue-as-new) waits on; it never reruns by itself.
    if (step.status !== 'awaiting-decision') {
      step.status = 'running';
      step.startedAt = iso(Date.now());
      step.attempts++;
      try {
        const result: StepResult = await audit.tracked(() =>
          act({
            incidentId: s.incidentId,
            stepId: def.id,
            tier: s.tier,
            now: iso(Date.now()),
            title: s.title,
            idempotencyKey: `${s.incidentId}:${def.id}:${step.attempts}`,
            recipients: currentResponders(ctx),
            ...(probe && { probe }),
          }),
        );
        Object.assign(step, {
          status: 'succeeded',
          outcome: result.outcome,
          summary: result.summary,
          evidence: result.evidence,
          error: undefined,
          finishedAt: iso(Date.now()),
        });
        await audit.record('step-succeeded', undefined, {
          stepId: def.id,
          outcome: result.outcome,
          summary: result.summary,
          evidence: result.evidence,
        });
        return;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const unknown = outcomeUnknown(def, err);
        const cause = unknown ?? (err.cause instanceof Error ? err.cause.message : err.message);
        Object.assign(step, { status: 'awaiting-decision', error: cause });
        await audit.record('step-failed', undefined, {
          stepId: def.id,
          error: cause,
          attempts: step.attempts,
          ...(unknown && { outcomeUnknown: true }),
        });
        await audit.send(
          'step-failed',
          currentResponders(ctx),
          `Step '${def.title}' of ${s.incidentId} failed: ${cause}. Decide: retry, skip or abort.`,
          currentRoles(ctx),
        );
      }
    }
    // The decision lives on the step (part of the state), so it survives continue-as-new.
    await condition(() => step.decision !== undefined || isResolved(s));
    const decision = step.decision;
    step.decision = undefined;
    if (decision === 'skip') {
      Object.assign(step, { status: 'skipped', finishedAt: iso(Date.now()) });
      return;
    }
    if (decision === 'abort') {
      Object.assign(step, { status: 'aborted', finishedAt: iso(Date.now()) });
      s.stepsAborted = true;
      return;
    }
    if (decision === 'retry') {
      step.status = 'running';
      // Every attempt of an approval-gated step has its own approval: a retried failover is approved again.
      if (ctx.version.actionPolicy && approvalRoles) {
        await askApproval(ctx, def as AutomatedStep, step);
        if (!(await approved(ctx, step))) return;
      }
    }
  }
}

/** An approval-gated step asks its approvers before an attempt (the step's next attempt is named). */
async function askApproval(ctx: IncidentContext, def: AutomatedStep, step: StepState) {
  const { s, audit } = ctx;
  step.status = 'awaiting-approval';
  const attempt = ctx.version.actionPolicy ? { attempt: step.attempts + 1 } : {};
  await audit.record('step-awaiting-approval', undefined, { stepId: def.id, roles: def.approvalRoles, ...attempt });
  await audit.send(
    'approval-request',
    contactsFor(ctx, def.approvalRoles!),
    `Approval needed: '${def.title}' for ${s.incidentId} (${s.tier})${step.attempts ? `, attempt ${step.attempts + 1}` : ''}. Approve or reject with dbops.`,
    def.approvalRoles,
  );
}

/** Waits for the approval; false when the step was rejected or the incident resolved meanwhile. */
async function approved({ s }: IncidentContext, step: StepState): Promise<boolean> {
  await condition(() => step.status !== 'awaiting-approval' || isResolved(s));
  return (step.status as StepState['status']) === 'running';
}

/** Seconds a probe's attempt allows beyond its statement timeout, to connect and answer. */
const PROBE_CONNECT_SECONDS = 5;

/** A probe as the plan froze it, with the environment variable of its tier's primary (the plan's tiers, when it has them). */
function probeRequest({ plan, s }: IncidentContext, def: ProbeStep): ProbeRequest {
  const connectionEnv = plan.tierDatabases?.[s.tier]?.connectionEnv;
  return {
    sql: def.sql,
    timeoutSeconds: def.timeoutSeconds,
    thresholds: def.thresholds,
    evidence: def.evidence,
    ...(connectionEnv && { connectionEnv }),
  };
}

/** The runbook's steps in order, from the current one (which may have been carried across continue-as-new). */
export async function runSteps(ctx: IncidentContext): Promise<void> {
  const { plan, s, audit } = ctx;
  while (s.currentStep < plan.type.steps.length && !isResolved(s) && !s.stepsAborted) {
    const def = plan.type.steps[s.currentStep];
    const step = s.steps[s.currentStep];
    if (def.kind === 'manual' || def.kind === 'classify') await runManualStep(ctx, def, step);
    else if (def.kind === 'probe' && !ctx.version.runbookProbes()) {
      // Unreachable: a plan with probes is only frozen into runs that carry the marker. Said, never run blind.
      Object.assign(step, { status: 'skipped', error: 'this incident predates runbook probes', finishedAt: iso(Date.now()) });
    } else await runAutomatedStep(ctx, def, step);
    if (isResolved(s)) return;
    s.currentStep++;
  }
  if (!isResolved(s)) {
    await audit.record(s.stepsAborted ? 'runbook-aborted' : 'runbook-finished', undefined, {
      steps: s.steps.map((x) => ({ id: x.id, status: x.status, outcome: x.outcome })),
    });
  }
}
