import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { slaReport } from '../../db/reports/slaReport';
import { openIncident } from '../../client/incidents/openIncident';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertResolvedSignal,
  approveStepUpdate,
  changeSeverityUpdate,
  classifyUpdate,
  completeStepUpdate,
  decideStepUpdate,
  incidentStateQuery,
  resolveUpdate,
  type IncidentState,
  type OpenIncidentInput,
} from '../../workflows/incident/messages';
import { eventually } from '../support/eventually';
import { maybeRecordHistory } from '../support/histories';

/** The first value `read` gives that is defined (real servers answer in their own time). */
const defined = <T>(what: string, read: () => Promise<T | undefined> | T | undefined) =>
  eventually(what, read, (v) => v !== undefined) as Promise<T>;
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { rejectionOf } from '../support/updateRejection';
import { openFailover } from '../support/failoverIncident';

type Handle = WorkflowHandle<typeof incidentResponse>;

/**
 * The action policy on a real (time-skipping) Temporal server: who may do what to an incident, and what the ladder does
 * for people who do nothing. The roster is the example one: dana database lead, oscar on-call, erin engineering
 * manager, chris CTO, casey CEO, lee legal, pat product owner.
 */
describe('incident action policy (time-skipping)', () => {
  const taskQueue = 'ts-policy';
  const suite = timeSkippingSuite(taskQueue);
  const ctx = () => ({ client: suite.env.client, taskQueue, roster, calendar });
  const open = async (type: OpenIncidentInput['type'], fingerprint: string, severity?: OpenIncidentInput['severity']) => {
    const { handle } = await openIncident(ctx(), { type, tier: 'oltp', fingerprint, severity, title: `policy ${fingerprint}` });
    return handle as Handle;
  };
  const stateOf = (h: Handle) => h.query(incidentStateQuery);
  const sent = (incidentId: string) => suite.harness.channel.sent.filter((n) => n.subjectId === incidentId);
  const eventsOf = async (incidentId: string) =>
    (await readIncidentEvents(suite.harness.db.pool, incidentId)).map((e) => ({ ...e, data: e.data as Record<string, unknown> }));
  const updateCount = async (h: Handle) =>
    (await h.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;

  it('refuses a bystander every action that silences or closes a critical outage, names the rule, and changes nothing', async () => {
    const h = await open('database-outage', 'bystander');
    const before = await stateOf(h);
    const refusals = {
      lower: await rejectionOf(h.executeUpdate(changeSeverityUpdate, { args: [{ actor: 'pat', severity: 'low', reason: 'fine' }] })),
      ack: await rejectionOf(h.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'pat' }] })),
      resolve: await rejectionOf(h.executeUpdate(resolveUpdate, { args: [{ actor: 'lee', summary: 'nothing to see' }] })),
      unreasoned: await rejectionOf(h.executeUpdate(changeSeverityUpdate, { args: [{ actor: 'oscar', severity: 'high' }] })),
    };
    expect(refusals.lower).toMatch(
      /^'pat' may not lower the severity: it takes a role on this incident's escalation ladder .*policy rule 'lower-severity\.unacknowledged-urgent'/,
    );
    expect(refusals.ack).toMatch(/^'pat' may not acknowledge this incident: .*policy rule 'acknowledge'/);
    expect(refusals.resolve).toMatch(/^'lee' may not resolve this incident: .*policy rule 'resolve'/);
    expect(refusals.unreasoned).toMatch(/^'oscar' may not lower the severity: it takes a reason/);
    // The roles a person holds in the roster in force decide (the API sends them): pat made CTO may lower it.
    const asCto = { actor: 'pat', roles: ['cto' as const], rosterVersion: 'abc123' };
    const after = await stateOf(h);
    expect([after.severity, after.phase, after.acknowledgedBy, after.notes.length]).toEqual([before.severity, 'triggered', undefined, 0]);
    expect(await updateCount(h)).toBe(0);

    // Allowed: anyone on the roster may add a note; the ladder's people may lower it with a reason.
    await h.executeUpdate(addNoteUpdate, { args: [{ actor: 'pat', text: 'customers report errors' }] });
    await h.executeUpdate(changeSeverityUpdate, { args: [{ ...asCto, severity: 'high', reason: 'read replicas serve' }] });
    expect((await stateOf(h)).severity).toBe('high');
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'restarted' }] });
  });

  it('a downgrade of an unacknowledged incident is told to everyone paged and delays no page that was due', async () => {
    // high, 10-minute type: level 2 is due at minute 10. Lowered to low at minute 2, it still goes at minute 10.
    const h = await open('connection-pool-exhaustion', 'downgrade', 'high');
    const { incidentId, openedAt } = await stateOf(h);
    await suite.env.sleep('2 minutes');
    await h.executeUpdate(changeSeverityUpdate, { args: [{ actor: 'dana', severity: 'low', reason: 'batch job, not users' }] });
    const notice = await defined('the downgrade notice', () => sent(incidentId).find((n) => n.kind === 'severity-changed'));
    expect(notice.message).toMatch(/severity lowered from high to low by Dana Ortiz \(dana\): batch job, not users; still unacknowledged/);
    expect(notice.recipients.map((r) => r.id).sort()).toEqual(['dana', 'oscar']);
    await suite.env.sleep('9 minutes');
    const escalations = sent(incidentId).filter((n) => n.kind === 'escalation');
    expect(escalations.map((n) => Math.round((Date.parse(n.occurredAt) - Date.parse(openedAt)) / 60_000))).toEqual([10]);
    expect(escalations[0].message).toMatch(/escalated to level 2/);
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'done' }] });
  });

  it('the ladder starts again from level 1 after its top, and the audit names who was really paged, by level from 1', async () => {
    const h = await open('connection-pool-exhaustion', 'repeat', 'high');
    const { incidentId } = await stateOf(h);
    await suite.env.sleep('101 minutes'); // levels 1 (0), 2 (10), 3 (40), 4 (70), then level 1 again (100)
    const pages = sent(incidentId).filter((n) => n.kind === 'page' || n.kind === 'escalation');
    expect(
      pages
        .at(-1)!
        .recipients.map((r) => r.id)
        .sort(),
    ).toEqual(['dana', 'oscar']);
    expect(pages.at(-1)!.message).toMatch(/still unacknowledged: level 1, repeat 1/);
    const events = await defined('five page events', async () => {
      const all = (await eventsOf(incidentId)).filter((e) => e.kind === 'paged' || e.kind === 'escalated');
      return all.length === 5 ? all : undefined;
    });
    expect(events.map((e) => [e.data.level, e.data.repeat])).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 0],
      [1, 1],
    ]);
    expect(events[0].data.paged as string[]).toEqual(expect.arrayContaining(['dana', 'oscar']));
    // who acked, at which level: the same numbering
    await h.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    expect((await stateOf(h)).acknowledgedBy).toBe('oscar');
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'done' }] });
  });

  it('a retried failover runs only after its own approval, by an approver; a bystander cannot retry it', async () => {
    const h = await openFailover(suite.env.client, taskQueue, 'retry-approval');
    suite.harness.failover.command = 'exit 3';
    const step = async () => (await stateOf(h)).steps[0];
    await defined('the approval request', async () => ((await step()).status === 'awaiting-approval' ? true : undefined));
    expect(await rejectionOf(h.executeUpdate(approveStepUpdate, { args: [{ actor: 'lee', stepId: 'execute-failover' }] }))).toMatch(
      /policy rule 'approve-step'/,
    );
    await h.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover' }] });
    await defined('the failed attempt', async () => ((await step()).status === 'awaiting-decision' ? true : undefined));
    expect(
      await rejectionOf(h.executeUpdate(decideStepUpdate, { args: [{ actor: 'lee', stepId: 'execute-failover', decision: 'retry' }] })),
    ).toMatch(/policy rule 'retry-step'/);
    await h.executeUpdate(decideStepUpdate, { args: [{ actor: 'oscar', stepId: 'execute-failover', decision: 'retry' }] });
    // The retry waits for an approval of attempt 2: the hook has not run again.
    const waiting = await defined('the second approval request', async () =>
      (await step()).status === 'awaiting-approval' ? step() : undefined,
    );
    expect(waiting.attempts).toBe(1);
    await h.executeUpdate(approveStepUpdate, { args: [{ actor: 'erin', stepId: 'execute-failover' }] });
    const failedAgain = await defined('the second failed attempt', async () =>
      (await step()).status === 'awaiting-decision' && (await step()).attempts === 2 ? step() : undefined,
    );
    expect(failedAgain.attempts).toBe(2);
    const { incidentId } = await stateOf(h);
    const approvals = (await defined('two approvals', async () => {
      const e = (await eventsOf(incidentId)).filter((x) => x.kind === 'step-approved');
      return e.length === 2 ? e : undefined;
    }))!;
    expect(approvals.map((e) => [e.actor, e.data.attempt])).toEqual([
      ['dana', 1],
      ['erin', 2],
    ]);
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'failed over by hand' }] });
  });

  it('an unclassified incident pages the first rung, and once classified runs only that type’s steps', async () => {
    const h = await open('unclassified', 'unrouted');
    const s = await stateOf(h);
    expect(s.steps.map((x) => x.id)).toEqual(['classify']);
    const first = await defined('the first page', () => sent(s.incidentId).find((n) => n.kind === 'page'));
    expect(first.roles).toEqual(['on-call-engineer', 'database-lead']);
    expect(
      await rejectionOf(h.executeUpdate(completeStepUpdate, { args: [{ actor: 'oscar', stepId: 'classify', outcome: 'pass' }] })),
    ).toMatch(/classifying the incident/);
    expect(await rejectionOf(h.executeUpdate(classifyUpdate, { args: [{ actor: 'oscar', type: 'unclassified' as never }] }))).toMatch(
      /type must be one of database-outage, connection-pool-exhaustion/,
    );
    await h.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    await h.executeUpdate(classifyUpdate, { args: [{ actor: 'oscar', type: 'data-integrity', note: 'checksum errors on the primary' }] });
    const classified = await defined("the classified type's first step", async () => {
      const now = await stateOf(h);
      return now.steps[1]?.status === 'awaiting-completion' ? now : undefined;
    });
    expect(classified.type).toBe('data-integrity');
    expect(classified.classifiedFrom).toBe('unclassified');
    expect(classified.steps.map((x) => x.id)).toEqual(['classify', 'identify-scope', 'quarantine-data', 'begin-recovery']);
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'restored from backup' }] });
    await h.result();
    await maybeRecordHistory(h, 'incident-unclassified');
  });

  it('MTTA counts acknowledgements only, and an acknowledgement a few milliseconds late is a breach', async () => {
    // Resolved by its alert with nobody answering: no MTTA. Acknowledged 5 ms after its deadline: a breach.
    const quiet = await open('performance-degradation', 'self-resolved', 'medium');
    const quietState = await stateOf(quiet);
    const { runId } = await quiet.describe();
    await suite.env.sleep('1 minute');
    await quiet.signal(alertResolvedSignal, {
      by: 'integration:monitoring',
      policy: 'resolve',
      firstRunId: runId,
      dedupKey: 'k',
    });
    const closed = await defined('the self-resolved incident closed', async () => {
      const now = await stateOf(quiet);
      return now.phase === 'resolved' ? now : undefined;
    });
    expect(closed.acknowledgedAt).toBeUndefined();

    const late = await open('performance-degradation', 'late-ack', 'medium');
    const lateState = await stateOf(late);
    const due = Date.parse(lateState.escalation.responseDueAt);
    await suite.env.sleep(due - (await suite.env.currentTimeMs()) + 5);
    await late.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    const acked = await stateOf(late);
    expect(Date.parse(acked.acknowledgedAt!)).toBeGreaterThan(due);
    expect(acked.escalation.responseMissed).toBe(true);
    await late.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'vacuumed' }] });

    const rows = await defined('both incidents in the report', async () => {
      const events = [...(await eventsOf(quietState.incidentId)), ...(await eventsOf(lateState.incidentId))];
      if (events.filter((e) => e.kind === 'resolved').length < 2) return undefined;
      return (await slaReport(suite.harness.db.pool)).filter((r) => r.type === 'performance-degradation');
    });
    const row = rows.find((r) => r.severity === 'medium')!;
    expect(row.incidents).toBeGreaterThanOrEqual(2);
    expect(row.responseBreaches).toBeGreaterThanOrEqual(1);
    const breach = (await eventsOf(lateState.incidentId)).find((e) => e.kind === 'response-sla-missed')!;
    expect(breach.data.lateByMs as number).toBeGreaterThan(0);
    // The self-resolved incident has no acknowledgement, so the MTTA is the late one's alone (its whole response time).
    expect(row.mttaMinutes).toBeCloseTo((Date.parse(acked.acknowledgedAt!) - Date.parse(lateState.openedAt)) / 60_000, 0);
  });
});

export type { IncidentState };
