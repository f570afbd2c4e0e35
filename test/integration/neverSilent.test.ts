import type { PoolClient } from 'pg';
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../db/audit/chain';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import { buildIncidentPlan } from '../../runbooks/plan';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  completeStepUpdate,
  incidentStateQuery,
  resolveUpdate,
  triggerSignal,
} from '../../workflows/incident/messages';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { rejectionOf } from '../support/updateRejection';

/** The rule the ladder lives by: nothing on the way to a page may stop or delay it (DESIGN.md, "Paging never waits"). */
describe('an incident never goes silent (time-skipping)', () => {
  const taskQueue = 'ts-never-silent';
  const suite = timeSkippingSuite(taskQueue);
  const ctx = () => ({ client: suite.env.client, taskQueue, roster, calendar });
  const waitFor = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const v = await read();
      if (done(v)) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  /**
   * A stalled audit store: holds a lock that blocks event writes (reads go on) until released. With an incident id,
   * only that incident's writes stall (each write updates its incidents row first); without, every event insert.
   */
  async function stallAuditWrites(incidentId?: string): Promise<{ release(): Promise<void> }> {
    const client: PoolClient = await suite.harness.db.pool.connect();
    await client.query('BEGIN');
    if (incidentId) await client.query('SELECT 1 FROM incidents WHERE incident_id = $1 FOR UPDATE', [incidentId]);
    else await client.query('LOCK TABLE incident_events IN SHARE ROW EXCLUSIVE MODE');
    return {
      async release() {
        await client.query('ROLLBACK');
        client.release();
      },
    };
  }

  it('refuses text the audit store cannot hold, or too long, at every Update, leaving no event in history', async () => {
    const { handle } = await openIncident(ctx(), { type: 'data-integrity', tier: 'oltp', fingerprint: 'bad-text' });
    expect(await rejectionOf(handle.executeUpdate(addNoteUpdate, { args: [{ actor: 'dana', text: 'a\u0000b' }] }))).toMatch(/NUL/);
    expect(await rejectionOf(handle.executeUpdate(addNoteUpdate, { args: [{ actor: 'dana', text: 'x'.repeat(5000) }] }))).toMatch(
      /at most 4000/,
    );
    expect(await rejectionOf(handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana', note: 'ok\ud800' }] }))).toMatch(
      /surrogate/,
    );
    expect(await rejectionOf(handle.executeUpdate(resolveUpdate, { args: [{ actor: 'd\u0000na', summary: 'x' }] }))).toMatch(/actor/);
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'checked' }] });
  });

  it('a repeat carrying a NUL and a 1 MiB name is bounded and stored; the incident stays workable', async () => {
    const { handle } = await openIncident(ctx(), { type: 'security-breach', tier: 'oltp', fingerprint: 'hostile-repeat' });
    await handle.signal(triggerSignal, { source: 'webhook', by: 'm'.repeat(1024 * 1024), summary: 'a\u0000b' });
    const acked = await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
    expect(acked.triggerCount).toBe(2);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'contained' }] });
    const { incidentId } = await handle.result();
    const events = await waitFor(
      'the resolution in the audit',
      () => readIncidentEvents(suite.harness.db.pool, incidentId),
      (e) => e.some((x) => x.kind === 'resolved'),
    );
    const repeat = events.find((e) => e.kind === 'retriggered')!;
    expect(repeat.actor!.length).toBe(64);
    expect((repeat.data as { summary: string }).summary).toBe('a\uFFFDb');
    expect(verifyChain(events)).toEqual([]);
  });

  it('pages every rung of a critical incident while the audit store is stalled', async () => {
    const stall = await stallAuditWrites();
    const sentBefore = suite.harness.channel.sent.length;
    let handle;
    try {
      ({ handle } = await openIncident(ctx(), { type: 'database-outage', tier: 'content', fingerprint: 'audit-stalled' }));
      const rungs = buildIncidentPlan('database-outage', roster, calendar).ladder.length;
      const pages = await waitFor(
        'every rung paged',
        async () => suite.harness.channel.sent.slice(sentBefore).filter((n) => n.kind === 'page'),
        (p) => p.length === rungs,
      );
      expect(pages).toHaveLength(rungs);
      // Nothing has reached the audit store yet: the pages did not wait for it.
      const { incidentId } = await handle.query(incidentStateQuery);
      const { rows } = await suite.harness.db.pool.query('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [
        incidentId,
      ]);
      expect(rows[0].n).toBe(0);
    } finally {
      await stall.release();
    }
    const acked = await handle!.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
    const events = await waitFor(
      'the audit catching up',
      () => readIncidentEvents(suite.harness.db.pool, acked.incidentId),
      (e) => e.some((x) => x.kind === 'acknowledged'),
    );
    expect(events.map((e) => e.kind).filter((k) => k === 'paged')).toHaveLength(acked.escalation.pages);
    expect(verifyChain(events)).toEqual([]);
    await handle!.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'restored' }] });
  });

  it('an acknowledgement that arrives while the missed deadline is being recorded stops the ladder: no page after it', async () => {
    const { handle } = await openIncident(ctx(), {
      type: 'performance-degradation',
      tier: 'queue',
      severity: 'medium',
      fingerprint: 'ack-race',
    });
    // Let the automated steps finish and complete the first manual one before the deadline, so that nothing but the
    // ladder writes to the audit while it is stalled (time stands still while an activity runs).
    const waiting = await waitFor(
      'the first manual step',
      () => handle.query(incidentStateQuery),
      (s) => s.steps[3].status === 'awaiting-completion',
    );
    const dueMs = Date.parse(waiting.escalation.responseDueAt);
    await suite.env.sleep(dueMs - 60_000 - (await suite.env.currentTimeMs()));
    await handle.executeUpdate(completeStepUpdate, { args: [{ actor: 'dana', stepId: 'optimize-indexes', outcome: 'pass' }] });
    await waitFor(
      'the next step recorded',
      () => readIncidentEvents(suite.harness.db.pool, waiting.incidentId),
      (e) => e.at(-1)?.kind === 'step-waiting' && (e.at(-1)!.data as { stepId: string }).stepId === 'scale-resources',
    );
    const stall = await stallAuditWrites(waiting.incidentId);
    let ack: Promise<unknown>;
    try {
      // Just past the response deadline: the miss is recorded (and stalls), and the ladder acts on it.
      await suite.env.sleep(dueMs + 1000 - (await suite.env.currentTimeMs()));
      await waitFor(
        'the missed deadline',
        () => handle.query(incidentStateQuery),
        (s) => s.escalation.responseMissed,
      );
      ack = handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana', note: 'on it' }] });
      await waitFor(
        'the acknowledgement',
        () => handle.query(incidentStateQuery),
        (s) => !!s.acknowledgedBy,
      );
    } finally {
      await stall.release();
    }
    await ack!;
    await suite.env.sleep('2 hours'); // any later rung would have been paged by now
    const events = await waitFor(
      'the audit catching up',
      () => readIncidentEvents(suite.harness.db.pool, waiting.incidentId),
      (e) => e.some((x) => x.kind === 'acknowledged'),
    );
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('response-sla-missed');
    expect(kinds.slice(kinds.indexOf('acknowledged') + 1).filter((k) => k === 'escalated' || k === 'paged')).toEqual([]);
    const state = await handle.query(incidentStateQuery);
    expect(state.escalation.nextEscalationAt).toBeUndefined();
    expect(verifyChain(events)).toEqual([]);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'done' }] });
  });
});
