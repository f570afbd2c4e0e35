import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DbopsActivities } from '../../activities';
import type { ChecklistRunSnapshot } from '../../activities/contracts';
import type { ManualChecklistItem } from '../../runbooks/checklists';
import { OUTCOMES } from '../../runbooks/types';
import { AuditChain } from '../shared/auditChain';
import { decide, DEFAULT_ACTION_POLICY } from '../../runbooks/actionPolicy';
import { requireDecision, requireOneOf, requireResponder } from '../shared/authorisation';
import { requireText } from '../shared/inputChecks';
import { iso, MINUTE } from '../shared/time';
import {
  checklistPolicyQuery,
  checklistStateQuery,
  signOffUpdate,
  type ChecklistItemState,
  type ChecklistRunState,
  type DailyChecklistInput,
} from './messages';
import { SA_KIND, SA_PHASE, SA_TYPE } from '../shared/searchAttributes';
import { settle } from '../shared/settle';

/** Audit, reports and notifications: idempotent, retried until they land. */
const { recordChecklistEvent, storeChecklistReport, notify } = proxyActivities<DbopsActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Checks against a tier and opening incidents: a few attempts, then the item records the failure. */
const { runChecklistCheck, openIncidentsForBreaches } = proxyActivities<DbopsActivities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
});

/**
 * One run of a daily checklist: automated items run in parallel against each tier, a breached threshold opens
 * its incident, manual items wait for a named sign-off and escalate when overdue; the finished run is a report.
 */
export async function dailyChecklist(input: DailyChecklistInput): Promise<ChecklistRunState> {
  const { plan } = input;
  const def = plan.definition;
  // Who may sign off: the policy frozen into the run's input; runs started before it travelled there: the built-in one.
  const policy = plan.policy ?? DEFAULT_ACTION_POLICY;
  const startedAt = Date.now();
  const s: ChecklistRunState = {
    runId: workflowInfo().workflowId,
    checklistId: def.id,
    name: def.name,
    runbookVersion: plan.runbookVersion,
    status: 'running',
    startedAt: iso(startedAt),
    items: def.items.flatMap((item) => {
      const tiers = item.kind === 'automated' && item.tiers ? (item.tiers === 'all' ? plan.tiers : item.tiers) : [undefined];
      return tiers.map((tier) => ({
        key: tier ? `${item.id}@${tier}` : item.id,
        itemId: item.id,
        tier,
        title: item.title,
        kind: item.kind,
        status: 'pending' as const,
        incidents: [],
      }));
    }),
    counts: { pass: 0, warn: 0, fail: 0 },
    auditSeq: 0,
  };
  const snapshot = (): ChecklistRunSnapshot => ({
    runId: s.runId,
    checklistId: s.checklistId,
    name: s.name,
    runbookVersion: s.runbookVersion,
    status: s.status,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    counts: s.counts,
  });
  const audit = new AuditChain(s.runId, s, recordChecklistEvent);
  const record = (kind: string, actor: string | undefined, data: Record<string, unknown> = {}): Promise<void> =>
    audit.append(kind, actor, iso(Date.now()), data, snapshot());
  function finishItem(item: ChecklistItemState, result: Pick<ChecklistItemState, 'outcome' | 'summary' | 'evidence'>) {
    Object.assign(item, result, { status: 'done', finishedAt: iso(Date.now()) });
    s.counts[item.outcome!]++;
  }

  setHandler(checklistStateQuery, () => s);
  // A query answers without an event in history: runs recorded before it replay unchanged.
  setHandler(checklistPolicyQuery, () => ({
    policy,
    signOffRoles: Object.fromEntries(def.items.flatMap((i) => (i.kind === 'manual' ? [[i.id, i.signOffRoles]] : []))),
  }));
  setHandler(
    signOffUpdate,
    async ({ actor, itemId, outcome, note, rosterVersion }) => {
      const item = s.items.find((i) => i.itemId === itemId)!;
      item.signedBy = actor;
      item.note = note;
      finishItem(item, { outcome, summary: `signed off by ${actor}${note ? `: ${note}` : ''}`, evidence: { signedBy: actor, note } });
      await record('item-signed-off', actor, { itemId, outcome, note, ...(rosterVersion ? { rosterVersion } : {}) });
      return s;
    },
    {
      validator: ({ actor, itemId, outcome, note, roles: inForce, rosterVersion }) => {
        requireText('actor', actor);
        requireText('itemId', itemId);
        requireText('note', note, true);
        const item = s.items.find((i) => i.itemId === itemId);
        if (!item)
          throw ApplicationFailure.nonRetryable(
            `unknown item '${itemId}'; items: ${s.items.map((i) => i.itemId).join(', ')}`,
            'UnknownItem',
          );
        if (item.kind !== 'manual')
          throw ApplicationFailure.nonRetryable(`item '${itemId}' is automated: it signs itself off`, 'NotManual');
        if (item.status !== 'awaiting-sign-off')
          throw ApplicationFailure.nonRetryable(`item '${itemId}' is ${item.status}, not awaiting sign-off`, 'NotWaiting');
        const roles = (def.items.find((d) => d.id === itemId) as ManualChecklistItem).signOffRoles;
        const responder = requireResponder(plan.responders, actor, undefined, 'sign this off', { roles: inForce, rosterVersion });
        const facts = { actor, actorRoles: responder.roles, itemSignOffRoles: roles };
        requireDecision(decide(policy, 'sign-checklist-item', facts), actor, `sign off item '${itemId}'`);
        requireOneOf('outcome', outcome, OUTCOMES, 'BadOutcome');
      },
    },
  );

  async function runAutomated(item: ChecklistItemState) {
    const itemDef = def.items.find((d) => d.id === item.itemId)!;
    if (itemDef.kind !== 'automated') return;
    item.status = 'running';
    try {
      const result = await runChecklistCheck({
        runId: s.runId,
        itemKey: item.key,
        check: itemDef.check,
        tier: item.tier,
        now: iso(Date.now()),
      });
      if (result.breaches.length && item.tier) {
        item.incidents = await openIncidentsForBreaches({ runId: s.runId, itemKey: item.key, tier: item.tier, breaches: result.breaches });
      }
      finishItem(item, { outcome: result.outcome, summary: result.summary, evidence: { ...result.evidence, breaches: result.breaches } });
    } catch (err) {
      // A check that could not run is the item's failure; anything else is a bug and fails the workflow task.
      if (!(err instanceof ActivityFailure)) throw err;
      const cause = err.cause instanceof Error ? err.cause.message : err.message;
      finishItem(item, { outcome: 'fail', summary: `check could not run: ${cause}`, evidence: { error: cause } });
    }
    await record('item-checked', undefined, { item: item.key, outcome: item.outcome, summary: item.summary, incidents: item.incidents });
  }

  async function runManual(item: ChecklistItemState) {
    const itemDef = def.items.find((d) => d.id === item.itemId) as ManualChecklistItem;
    const dueAt = startedAt + itemDef.dueMinutes * MINUTE;
    const closeAt = startedAt + def.closeAfterMinutes * MINUTE;
    item.status = 'awaiting-sign-off';
    item.dueAt = iso(dueAt);
    item.escalationLevel = 0;
    const signed = () => item.status === 'done';
    // Overdue: page each escalation level at its offset from the due time (level 1 at once, 2 at +30 min, 3 at +1 h).
    for (const level of plan.levels) {
      const at = dueAt + level.afterMinutes * MINUTE;
      if (at >= closeAt || (await condition(signed, Math.max(at - Date.now(), 1)))) break;
      item.escalationLevel = level.level;
      await record('item-overdue', undefined, { item: item.key, level: level.level, dueAt: item.dueAt });
      await notify({
        notificationId: `${s.runId}:${item.key}:overdue:${level.level}`,
        subjectId: s.runId,
        kind: level.level === 1 ? 'reminder' : 'escalation',
        message: `${def.name}: '${item.title}' was due at ${item.dueAt} and is not signed off (level ${level.level}: ${level.name})`,
        recipients: level.contacts,
        occurredAt: iso(Date.now()),
      });
    }
    if (!signed() && !(await condition(signed, Math.max(closeAt - Date.now(), 1)))) {
      finishItem(item, {
        outcome: 'fail',
        summary: 'not signed off before the checklist closed',
        evidence: { dueAt: item.dueAt, closedAt: iso(Date.now()) },
      });
      await record('item-unsigned', undefined, { item: item.key });
    }
  }

  upsertSearchAttributes([
    { key: SA_KIND, value: 'checklist' },
    { key: SA_TYPE, value: def.id },
    { key: SA_PHASE, value: 'running' },
  ]);
  await record('run-started', undefined, { checklist: def.id, items: s.items.map((i) => i.key), runbookVersion: plan.runbookVersion });
  await Promise.all(s.items.map((item) => (item.kind === 'automated' ? runAutomated(item) : runManual(item))));

  s.status = 'finished';
  s.finishedAt = iso(Date.now());
  upsertSearchAttributes([{ key: SA_PHASE, value: 'finished' }]);
  await record('run-finished', undefined, { counts: s.counts });
  const report = await storeChecklistReport(s);
  await notify({
    notificationId: `${s.runId}:report`,
    subjectId: s.runId,
    kind: 'report',
    message: report.summary,
    recipients: plan.levels[0]?.contacts ?? [],
    occurredAt: s.finishedAt,
  });
  await settle(() => audit.tail);
  return s;
}
