import { writeIncidentEvent } from '../db/audit/writeEvents';
import type { AuditEvent, IncidentSnapshot } from '../activities/contracts';
import type { BenchContext } from './context';
import type { BenchResult } from './report';
import { timed } from './stats';

const INCIDENTS = 20;
const EVENTS = 2_000;

/**
 * Throughput of the audit activity's write path (a transaction: upsert the incident row, look the event up, read
 * the previous hash, insert) against the embedded PostgreSQL, one write at a time as a workflow issues them.
 * Then the same events again: what a retried activity costs when its row already landed (an idempotent no-op).
 */
export async function auditWrites(ctx: BenchContext): Promise<BenchResult> {
  const prefix = `BENCH-${Date.now().toString(36)}`;
  const openedAt = new Date().toISOString();
  const snapshot = (i: number): IncidentSnapshot => ({
    incidentId: `${prefix}-${i}`,
    workflowId: `incident/performance-degradation/olap/${prefix}-${i}`,
    type: 'performance-degradation',
    severity: 'medium',
    tier: 'olap',
    fingerprint: `${prefix}-${i}`,
    title: 'audit write benchmark',
    phase: 'triggered',
    runbookVersion: 'bench',
    openedAt,
    triggerCount: 1,
    escalationLevel: 0,
  });
  // Round-robin over the incidents, each one's seq ascending: the interleaving many concurrent incidents produce.
  const writes: { event: AuditEvent; snap: IncidentSnapshot }[] = [];
  for (let seq = 1; writes.length < EVENTS; seq++) {
    for (let i = 0; i < INCIDENTS && writes.length < EVENTS; i++) {
      const snap = snapshot(i);
      writes.push({
        snap,
        event: {
          subjectId: snap.incidentId,
          seq,
          kind: 'note',
          actor: 'dana',
          occurredAt: new Date().toISOString(),
          data: { text: `event ${seq}` },
        },
      });
    }
  }

  const writeAll = () =>
    timed(async () => {
      let written = 0;
      for (const w of writes) if ((await writeIncidentEvent(ctx.db.pool, w.event, w.snap)).written) written++;
      return written;
    });
  const first = await writeAll();
  const again = await writeAll();
  const { rows } = await ctx.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM incident_events WHERE incident_id LIKE $1', [
    `${prefix}-%`,
  ]);
  const rate = (t: { ms: number }) => `${Math.round((EVENTS / t.ms) * 1000).toLocaleString('en-US')} events/s`;
  return {
    name: 'audit writes',
    setting: `embedded PostgreSQL 17 (fsync=off), ${EVENTS} sequential events, ${INCIDENTS} incidents`,
    figures: [
      ['first write', `${rate(first)} (${(first.ms / EVENTS).toFixed(2)} ms each, ${first.value} written)`],
      ['retry (idempotent no-op)', `${rate(again)} (${(again.ms / EVENTS).toFixed(2)} ms each, ${again.value} written)`],
      ['rows in incident_events', rows[0].n],
    ],
    notes: ['the embedded server runs with fsync=off (lib/provision/postgres.ts): a durable PostgreSQL pays a WAL flush per commit'],
  };
}
