import { condition, continueAsNew, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { RearmableDeadline } from '../shared/deadline';
import { incidentAttributes } from '../shared/searchAttributes';
import { settle } from '../shared/settle';
import { isResolved, type IncidentContext } from './context';
import { registerIncidentHandlers } from './handlers';
import { registerRelatedAlertHandlers } from './relatedAlerts';
import { IncidentAudit } from './incidentAudit';
import { runAckTimeout } from './ackTimeout';
import { holdBreach, reopenWithinWindow, startHold } from './flapping';
import { pageOnOpen, runLadder } from './ladder';
import type { IncidentState, OpenIncidentInput } from './messages';
import { initialState } from './state';
import { runSnoozes } from './snooze';
import { runSteps } from './steps';
import { incidentVersion } from './versions';

/**
 * One incident, from trigger to resolution, interpreting the plan frozen into its input: pages the escalation
 * ladder until someone acknowledges, runs the runbook's steps in order, and records every transition.
 */
export async function incidentResponse(input: OpenIncidentInput): Promise<IncidentState> {
  const s: IncidentState = input.carried ?? initialState(input);
  const version = incidentVersion();
  // A drill is marked once, when it opens; a continued run carries the mark in its state.
  if (!input.carried && input.drill && version.drills()) s.drill = true;
  // A critical incident's first start writes its opening at once (versions.ts, OPENING_AT_ONCE); a continued run's
  // first batch, and a lower severity's opening, are ordinary writes, held back by the main queue's rate in a storm.
  const audit = new IncidentAudit(s, version.stormReady, version.openingAtOnce && !input.carried && s.severity === 'critical');
  const ctx: IncidentContext = {
    plan: input.plan,
    s,
    audit,
    deadline: new RearmableDeadline(),
    version,
    lifecycle: { endsRecorded: new Set() },
  };
  registerIncidentHandlers(ctx);
  if (version.alertGrouping) registerRelatedAlertHandlers(ctx);

  // The start (openIncident) set these already; a continued run, or a run of an older version, says them again.
  if (input.carried || !version.stormReady) {
    upsertSearchAttributes(incidentAttributes(s));
  }
  if (!input.carried) {
    // An alert's breach may have to hold before it pages (alert-lifecycle runs; flapping.ts).
    const held = version.alertLifecycle && startHold(ctx, input);
    const opened = ctx.audit.record('opened', input.trigger.by, {
      key: input.incidentKey,
      source: input.trigger.source,
      summary: input.trigger.summary,
      receivedAt: input.trigger.receivedAt,
      firedAt: input.trigger.firedAt,
      ...(version.alertGrouping && input.trigger.heldBy && { heldBy: input.trigger.heldBy }),
      runbookVersion: input.plan.runbookVersion,
      ...(s.drill && { drill: true }),
      ladder: input.plan.ladder.map((r) => ({ roles: r.roles, contacts: r.contacts.map((c) => c.id) })),
      ...(held && { holdUntil: s.hold?.until, holdForSeconds: s.hold?.holdForSeconds }),
    });
    if (held) {
      // pages once the hold passes, below
    } else if (version.pagingNeverWaits()) {
      // The ladder's clock starts now, whether or not the first pages (or the audit) have landed yet.
      void pageOnOpen(ctx);
    } else {
      await opened;
      await pageOnOpen(ctx);
    }
  }

  const canAfter = input.continueAsNewAfterEvents;
  const shouldContinueAsNew = () =>
    (canAfter !== undefined ? workflowInfo().historyLength > canAfter : workflowInfo().continueAsNewSuggested) &&
    ctx.audit.activitiesInFlight === 0;

  if (s.hold) await holdBreach(ctx);

  // Once, or again each time a cleared alert firing within its reopen window reopens the incident (flapping.ts).
  for (;;) {
    void runLadder(ctx);
    void runSteps(ctx);
    if (version.alertLifecycle) {
      void runSnoozes(ctx);
      void runAckTimeout(ctx);
    }
    // Continue as new only at a quiet moment: a step activity started while the audit chain settled would otherwise
    // be cut off, and run again (a failover, twice) in the next run.
    do {
      await condition(() => isResolved(s) || shouldContinueAsNew());
      await settle(
        () => ctx.audit.tail,
        () => ctx.audit.hasUnrecordedRepeats,
      );
    } while (!isResolved(s) && !shouldContinueAsNew());
    if (!isResolved(s)) {
      s.runs++;
      await continueAsNew<typeof incidentResponse>({ ...input, carried: s });
    }
    if (!version.alertLifecycle || !(await reopenWithinWindow(ctx))) break;
  }
  return s;
}
