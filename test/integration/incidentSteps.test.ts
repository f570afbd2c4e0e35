import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../db/audit/chain';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import { INCIDENT_TYPES } from '../../runbooks/incidentTypes';
import { buildIncidentPlan } from '../../runbooks/plan';
import { INCIDENT_TYPE_IDS } from '../../runbooks/types';
import {
  acknowledgeUpdate,
  approveStepUpdate,
  classifyUpdate,
  completeStepUpdate,
  decideStepUpdate,
  incidentStateQuery,
  rejectStepUpdate,
  resolveUpdate,
  type IncidentState,
} from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { startStatusServer } from '../support/statusServer';
import { rejectionOf } from '../support/updateRejection';
import { maybeRecordHistory } from '../support/histories';

type Handle = WorkflowHandle<typeof incidentResponse>;

/** Polls the workflow's state (advancing the skipped clock a little) until `done` holds. */
async function waitForState(env: TestWorkflowEnvironment, handle: Handle, done: (s: IncidentState) => boolean): Promise<IncidentState> {
  for (let i = 0; i < 100; i++) {
    const s = await handle.query(incidentStateQuery);
    if (done(s)) return s;
    await env.sleep('5 seconds');
  }
  throw new Error(`state never reached the expected condition: ${JSON.stringify((await handle.query(incidentStateQuery)).steps)}`);
}

describe('incident steps, approvals and decisions (time-skipping)', () => {
  let status: Awaited<ReturnType<typeof startStatusServer>>;
  const taskQueue = 'ts-steps';
  // The admin panel's /status, a real HTTP server on loopback, up before the suite's activities need its address.
  beforeAll(async () => {
    status = await startStatusServer();
  });
  afterAll(() => status?.close());
  const suite = timeSkippingSuite(taskQueue, () => ({ adminStatusUrl: status.url }));

  const open = (type: (typeof INCIDENT_TYPE_IDS)[number], fingerprint: string, severity?: 'critical' | 'high' | 'medium' | 'low') =>
    openIncident({ client: suite.env.client, taskQueue, roster, calendar }, { type, tier: 'oltp', fingerprint, severity }).then(
      (r) => r.handle as Handle,
    );

  for (const type of INCIDENT_TYPE_IDS) {
    it(`${type}: acknowledged in time, every step runs in order with its evidence, then resolved`, async () => {
      suite.harness.failover.command = 'echo "promoted replica for $DBOPS_TIER"';
      const handle = await open(type, 'happy');
      // Acknowledged once paged: an acknowledgement that reaches the first task before its pages rightly stops them all.
      await waitForState(suite.env, handle, (x) => x.escalation.pages > 0);
      await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar', note: 'on it' }] });
      for (;;) {
        const s = await waitForState(
          suite.env,
          handle,
          (x) =>
            x.currentStep >= x.steps.length ||
            ['awaiting-completion', 'awaiting-approval', 'awaiting-decision'].includes(x.steps[x.currentStep].status),
        );
        if (s.currentStep >= s.steps.length) break;
        const step = s.steps[s.currentStep];
        expect(step.status, `${step.id}: ${step.error}`).not.toBe('awaiting-decision');
        if (step.kind === 'classify') {
          // An unrouted alert: the on-call names its type, and that type's steps follow.
          await handle.executeUpdate(classifyUpdate, { args: [{ actor: 'oscar', type: 'connection-pool-exhaustion' }] });
        } else if (step.status === 'awaiting-completion') {
          await handle.executeUpdate(completeStepUpdate, {
            args: [{ actor: 'oscar', stepId: step.id, outcome: 'pass', note: 'done by hand' }],
          });
        } else {
          await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: step.id }] });
        }
      }
      const finished = await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'runbook completed' }] });
      const result = await handle.result();
      await maybeRecordHistory(handle, `incident-${type}`);

      // Critical types page the whole ladder when they open; the others are acknowledged at the first rung.
      const top = buildIncidentPlan(type, roster, calendar).ladder.length - 1;
      expect(finished.escalation.level).toBe(INCIDENT_TYPES[type].defaultSeverity === 'critical' ? top : 0);
      const steps =
        type === 'unclassified'
          ? [...INCIDENT_TYPES[type].steps, ...INCIDENT_TYPES['connection-pool-exhaustion'].steps]
          : INCIDENT_TYPES[type].steps;
      expect(result.steps.map((x) => x.id)).toEqual(steps.map((x) => x.id));
      for (const [i, x] of result.steps.entries()) {
        const def = steps[i];
        expect(x.status).toBe(def.kind === 'automated' ? 'succeeded' : 'completed');
        if (def.kind === 'automated') expect(Object.keys(x.evidence ?? {}).length).toBeGreaterThan(0);
      }
      const events = await readIncidentEvents(suite.harness.db.pool, result.incidentId);
      expect(verifyChain(events)).toEqual([]);
      expect(
        events.filter((e) => e.kind === 'step-succeeded' || e.kind === 'step-completed').map((e) => (e.data as { stepId: string }).stepId),
      ).toEqual(steps.filter((x) => x.kind !== 'classify').map((x) => x.id));
      expect(events.map((e) => e.kind)).toContain('runbook-finished');
      expect(events.at(-1)!.kind).toBe('resolved');
    });
  }

  it('failover runs only after an entitled approval; an unentitled one is refused and leaves no trace', async () => {
    suite.harness.failover.command = 'echo ok';
    const handle = await open('database-outage', 'approval');
    await waitForState(suite.env, handle, (s) => s.steps.find((x) => x.id === 'execute-failover')!.status === 'awaiting-approval');
    const updateEvents = async () =>
      (await handle.fetchHistory()).events!.filter(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes,
      ).length;
    const before = await updateEvents();

    expect(await rejectionOf(handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'oscar', stepId: 'execute-failover' }] }))).toMatch(
      /'oscar' may not approve this step: it takes one of the step's approver roles \(database-lead, engineering-manager, cto\) \(policy rule 'approve-step'/,
    );
    expect(await rejectionOf(handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'nobody', stepId: 'execute-failover' }] }))).toMatch(
      /not on the roster/,
    );
    expect(await rejectionOf(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'mallory' }] }))).toMatch(/unknown actor/);
    expect(
      await rejectionOf(handle.executeUpdate(completeStepUpdate, { args: [{ actor: 'dana', stepId: 'no-such-step', outcome: 'pass' }] })),
    ).toMatch(/unknown step/);
    // Rejected by validators: none of the four reached the history (the ladder keeps adding its own events).
    expect(await updateEvents()).toBe(before);
    expect((await handle.query(incidentStateQuery)).steps.find((x) => x.id === 'execute-failover')!.status).toBe('awaiting-approval');

    await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover', note: 'replica is healthy' }] });
    expect(await updateEvents()).toBeGreaterThan(before); // an accepted Update does leave its events
    const done = await waitForState(suite.env, handle, (s) => s.steps.find((x) => x.id === 'execute-failover')!.status === 'succeeded');
    expect(done.steps.find((x) => x.id === 'execute-failover')!.evidence).toMatchObject({ exitCode: 0, output: 'ok' });
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'failed over' }] });
    // A resolved incident has ended: nothing more can be done to it.
    await expect(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] })).rejects.toThrow();
  });

  it('a rejected failover does not run; the runbook goes on and finishes', async () => {
    suite.harness.failover.command = 'echo should-not-run; exit 9';
    const handle = await open('database-outage', 'rejected');
    await waitForState(suite.env, handle, (s) => s.steps.find((x) => x.id === 'execute-failover')!.status === 'awaiting-approval');
    expect(
      await rejectionOf(handle.executeUpdate(rejectStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover', reason: ' ' }] })),
    ).toMatch(/needs a reason/);
    await handle.executeUpdate(rejectStepUpdate, {
      args: [{ actor: 'dana', stepId: 'execute-failover', reason: 'primary recovered by itself' }],
    });
    const done = await waitForState(suite.env, handle, (s) => s.currentStep >= s.steps.length);
    expect(done.steps.find((x) => x.id === 'execute-failover')).toMatchObject({
      status: 'rejected',
      attempts: 0,
      by: 'dana',
      note: 'primary recovered by itself',
    });
    expect(done.timeline.map((t) => t.kind)).toContain('runbook-finished');
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'no failover needed' }] });
  });

  it('a failing automated step waits for a human decision, and a retry after fixing the cause succeeds', async () => {
    suite.harness.failover.command = 'echo "replica unreachable" >&2; exit 3';
    const handle = await open('database-outage', 'failing-step');
    await waitForState(suite.env, handle, (s) => s.steps.find((x) => x.id === 'execute-failover')!.status === 'awaiting-approval');
    await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover' }] });
    const failed = await waitForState(
      suite.env,
      handle,
      (s) => s.steps.find((x) => x.id === 'execute-failover')!.status === 'awaiting-decision',
    );
    expect(failed.steps.find((x) => x.id === 'execute-failover')!.error).toMatch(/replica unreachable/);
    expect(failed.phase).not.toBe('resolved');
    // Hours pass: the incident stays alive, waiting for someone to decide.
    await suite.env.sleep('2 hours');
    expect((await handle.query(incidentStateQuery)).steps.find((x) => x.id === 'execute-failover')!.status).toBe('awaiting-decision');
    expect(suite.harness.channel.sent.some((n) => n.kind === 'step-failed' && n.subjectId === failed.incidentId)).toBe(true);

    suite.harness.failover.command = 'echo fixed';
    await handle.executeUpdate(decideStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover', decision: 'retry' }] });
    // A failover's retry is a new attempt: it waits for its own approval.
    await waitForState(suite.env, handle, (s) => s.steps.find((x) => x.id === 'execute-failover')!.status === 'awaiting-approval');
    await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'erin', stepId: 'execute-failover' }] });
    const retried = await waitForState(suite.env, handle, (s) => s.steps.find((x) => x.id === 'execute-failover')!.status === 'succeeded');
    expect(retried.steps.find((x) => x.id === 'execute-failover')!.attempts).toBe(2);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'retried' }] });
  });

  it('fifty triggers with one dedup key open one incident that counts fifty', async () => {
    const ctx = { client: suite.env.client, taskQueue, roster, calendar };
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        openIncident(ctx, {
          type: 'connection-pool-exhaustion',
          tier: 'queue',
          fingerprint: 'storm',
          source: 'webhook',
          by: 'alertmanager',
        }),
      ),
    );
    expect(new Set(results.map((r) => r.workflowId)).size).toBe(1);
    expect(new Set(results.map((r) => r.runId)).size).toBe(1);
    const handle = results[0].handle as Handle;
    const s = await waitForState(suite.env, handle, (x) => x.triggerCount === 50);
    expect(s.triggerCount).toBe(50);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'storm over' }] });
    await handle.result(); // the run ends once its audit trail (and the incidents row) has landed
    const row = await suite.harness.db.pool.query('SELECT trigger_count FROM incidents WHERE incident_id = $1', [s.incidentId]);
    expect(row.rows[0].trigger_count).toBe(50);
    // The 49 repeats are all in the audit trail before the resolution, written in bursts rather than one event each.
    const events = await readIncidentEvents(suite.harness.db.pool, s.incidentId);
    const resolvedSeq = events.find((e) => e.kind === 'resolved')!.seq;
    const repeats = events.filter((e) => e.kind === 'retriggered');
    expect(repeats.every((e) => e.seq < resolvedSeq)).toBe(true);
    expect(repeats.reduce((sum, e) => sum + (e.data as { repeats: number }).repeats, 0)).toBe(49);
    expect(repeats.length).toBeLessThan(49);

    // Once resolved, the same key opens a new incident rather than reviving the old one.
    await handle.result();
    const again = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      { type: 'connection-pool-exhaustion', tier: 'queue', fingerprint: 'storm' },
    );
    expect(again.runId).not.toBe(results[0].runId);
    const fresh = await waitForState(suite.env, again.handle as Handle, (x) => x.triggerCount === 1);
    expect(fresh.incidentId).not.toBe(s.incidentId);
    await (again.handle as Handle).executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'second storm over' }] });
  });
});
