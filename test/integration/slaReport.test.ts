import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIncidentEvent } from '../../db/audit/writeEvents';
import type { IncidentSnapshot } from '../../activities/contracts';
import { slaReport } from '../../db/reports/slaReport';
import type { Severity } from '../../runbooks/types';
import { createTestDatabase, type TestDatabase } from '../support/database';

const minutesAfter = (iso: string, m: number) => new Date(Date.parse(iso) + m * 60_000).toISOString();

describe('SLA report', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sla');
  });
  afterAll(() => db.drop());

  async function incident(id: string, severity: Severity, ackAfter: number | undefined, resolveAfter: number | undefined, missed: boolean) {
    const openedAt = new Date(Date.now() - 3600_000).toISOString();
    const snap: IncidentSnapshot = {
      incidentId: id,
      workflowId: `wf-${id}`,
      type: 'connection-pool-exhaustion',
      severity,
      tier: 'oltp',
      fingerprint: id,
      title: id,
      phase: resolveAfter ? 'resolved' : ackAfter ? 'acknowledged' : 'triggered',
      runbookVersion: 't',
      openedAt,
      triggerCount: 1,
      escalationLevel: 0,
      acknowledgedAt: ackAfter !== undefined ? minutesAfter(openedAt, ackAfter) : undefined,
      resolvedAt: resolveAfter !== undefined ? minutesAfter(openedAt, resolveAfter) : undefined,
    };
    let seq = 0;
    await writeIncidentEvent(db.pool, { subjectId: id, seq: ++seq, kind: 'opened', occurredAt: openedAt, data: {} }, snap);
    if (missed)
      await writeIncidentEvent(
        db.pool,
        { subjectId: id, seq: ++seq, kind: 'response-sla-missed', occurredAt: minutesAfter(openedAt, 10), data: {} },
        snap,
      );
  }

  it('computes MTTA, MTTR, open incidents and response breaches per type and severity', async () => {
    await incident('a', 'high', 4, 30, false);
    await incident('b', 'high', 12, 50, true);
    await incident('c', 'high', undefined, undefined, true);
    await incident('d', 'critical', 2, 20, false);
    const rows = await slaReport(db.pool, 30);
    expect(rows).toEqual([
      {
        type: 'connection-pool-exhaustion',
        severity: 'critical',
        incidents: 1,
        open: 0,
        mttaMinutes: 2,
        mttrMinutes: 20,
        responseBreaches: 0,
        suppressedFlaps: 0,
      },
      {
        type: 'connection-pool-exhaustion',
        severity: 'high',
        incidents: 3,
        open: 1,
        mttaMinutes: 8,
        mttrMinutes: 40,
        responseBreaches: 2,
        suppressedFlaps: 0,
      },
    ]);
  });
});
