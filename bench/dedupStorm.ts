import { openIncident } from '../client/incidents/openIncident';
import { incidentStateQuery, type IncidentState } from '../workflows/incident/messages';
import { calendar, roster, uniqueFingerprint, type BenchContext } from './context';
import { devServerSession } from './devServer';
import type { BenchResult } from './report';
import { ms, timed } from './stats';

const CALLS = 200;

/**
 * An alert storm: CALLS concurrent openIncident calls with one dedup key. Reports how long they took and what
 * they produced (printed, not asserted): ideally one workflow run that counted every trigger.
 */
export async function dedupStorm(ctx: BenchContext): Promise<BenchResult> {
  const session = await devServerSession(ctx, `bench-dedup-${Date.now()}`);
  const request = { type: 'connection-pool-exhaustion', tier: 'queue', fingerprint: uniqueFingerprint('storm') } as const;
  const ctxOpen = { client: session.client, taskQueue: session.taskQueue, roster, calendar };
  try {
    const storm = await timed(() => Promise.allSettled(Array.from({ length: CALLS }, () => openIncident(ctxOpen, request))));
    const ok = storm.value.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = storm.value.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.message ?? r.reason)] : []));
    const runIds = new Set(ok.map((r) => r.runId));
    const workflowId = ok[0]?.workflowId;

    // Each call returns once its signal is in history; the count is exact once the workflow has applied them all.
    let state: IncidentState | undefined;
    const settle = await timed(async () => {
      if (!ok.length) return;
      const handle = session.client.workflow.getHandle(workflowId!);
      for (let i = 0; i < 100; i++) {
        state = await handle.query(incidentStateQuery);
        if (state.triggerCount >= CALLS) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    // The workflow writes its audit events one after another (a hash chain): time until the trail caught up.
    const drain = await timed(async () => {
      if (!state) return;
      for (let i = 0; i < 600; i++) {
        const { rows } = await ctx.db.pool.query<{ seq: number | null }>(
          'SELECT max(seq) AS seq FROM incident_events WHERE incident_id = $1',
          [state.incidentId],
        );
        if ((rows[0].seq ?? 0) >= state.auditSeq) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const sinceStorm = storm.ms + settle.ms + drain.ms;
    // Visibility is eventually consistent: give it a moment to list every run that used the id.
    let runsListed = 0;
    if (workflowId) {
      for (let i = 0; i < 20; i++) {
        runsListed = (await session.client.workflow.count(`WorkflowId = '${workflowId}'`)).count;
        if (runsListed >= runIds.size) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // The storm leaves the incident open; end it so the worker stops with nothing to do.
      await session.client.workflow.getHandle(workflowId).terminate('benchmark over');
    }
    return {
      name: 'dedup storm',
      setting: `dev server, in-memory store, ${CALLS} concurrent calls, one key`,
      figures: [
        ['all calls returned', ms(storm.ms)],
        ['calls ok / failed', `${ok.length} / ${failed.length}`],
        ['distinct run ids returned', String(runIds.size)],
        ['workflow executions with that id', String(runsListed)],
        ['triggerCount', state ? String(state.triggerCount) : 'n/a'],
        ['until triggerCount read back', ms(settle.ms)],
        [
          'audit trail complete after',
          state ? `${ms(sinceStorm)} from the first call (${state.auditSeq} events, ${ms(sinceStorm / state.auditSeq)} each)` : 'n/a',
        ],
      ],
      notes: [
        'the calls return as soon as each signal is in history; repeats that arrive while an audit write is pending are written together as one retriggered event (the hash chain writes events in order)',
        ...(failed.length ? [`first failure: ${failed[0]}`] : []),
      ],
    };
  } finally {
    await session.close();
  }
}
