import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIncidentEvent, writeIncidentEvents } from '../../db/audit/writeEvents';
import { verifyChain } from '../../db/audit/chain';
import type { IncidentSnapshot } from '../../activities/contracts';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { createTestDatabase, type TestDatabase } from '../support/database';

const snap: IncidentSnapshot = {
  incidentId: 'INC-TEST-1',
  workflowId: 'incident/database-outage/oltp/x',
  type: 'database-outage',
  severity: 'critical',
  tier: 'oltp',
  fingerprint: 'x',
  title: 'test',
  phase: 'triggered',
  runbookVersion: 'test',
  openedAt: '2026-01-01T00:00:00.000Z',
  triggerCount: 1,
  escalationLevel: 0,
};
const event = (seq: number, kind: string) => ({
  subjectId: snap.incidentId,
  seq,
  kind,
  occurredAt: `2026-01-01T00:0${seq}:00.000Z`,
  data: { seq, b: 1, a: [1, 2] },
});

describe('audit store', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('audit');
  });
  afterAll(() => db.drop());

  it('writes an event once, however often the activity is retried', async () => {
    expect((await writeIncidentEvent(db.pool, event(1, 'opened'), snap)).written).toBe(true);
    expect((await writeIncidentEvent(db.pool, event(1, 'opened'), snap)).written).toBe(false);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [snap.incidentId]);
    expect(rows[0].n).toBe(1);
  });

  it('refuses to write an event before the one it chains to', async () => {
    await expect(writeIncidentEvent(db.pool, event(5, 'skipped-ahead'), snap)).rejects.toThrow(/not written yet/);
  });

  it('chains events by hash and detects an edited row', async () => {
    await writeIncidentEvent(db.pool, event(2, 'paged'), snap);
    await writeIncidentEvent(db.pool, event(3, 'acknowledged'), { ...snap, phase: 'acknowledged' });
    expect(verifyChain(await readIncidentEvents(db.pool, snap.incidentId))).toEqual([]);

    await db.pool.query(`UPDATE incident_events SET actor = 'mallory' WHERE incident_id = $1 AND seq = 2`, [snap.incidentId]);
    const breaks = verifyChain(await readIncidentEvents(db.pool, snap.incidentId));
    expect(breaks.map((b) => b.seq)).toEqual([2]);
    expect(breaks[0].problem).toMatch(/edited/);

    await db.pool.query(`DELETE FROM incident_events WHERE incident_id = $1 AND seq = 2`, [snap.incidentId]);
    const afterDelete = verifyChain(await readIncidentEvents(db.pool, snap.incidentId));
    expect(afterDelete.some((b) => b.seq === 3 && /gap/.test(b.problem))).toBe(true);
  });

  it('keeps the incidents row current with the latest snapshot', async () => {
    const own = { ...snap, incidentId: 'INC-TEST-ROW', workflowId: 'incident/database-outage/oltp/row' };
    const ownEvent = (seq: number, kind: string) => ({ ...event(seq, kind), subjectId: own.incidentId });
    await writeIncidentEvent(db.pool, ownEvent(1, 'opened'), own);
    const phaseOf = async () => (await db.pool.query('SELECT phase FROM incidents WHERE incident_id = $1', [own.incidentId])).rows[0].phase;
    expect(await phaseOf()).toBe('triggered');
    await writeIncidentEvent(db.pool, ownEvent(2, 'acknowledged'), { ...own, phase: 'acknowledged' });
    expect(await phaseOf()).toBe('acknowledged');
  });

  it('writes an event the store cannot hold as sent repaired and marked, so the chain goes on', async () => {
    const bad = { ...snap, incidentId: 'INC-TEST-NUL', workflowId: 'incident/database-outage/oltp/nul', title: 'a\u0000b' };
    const first = await writeIncidentEvent(
      db.pool,
      { subjectId: bad.incidentId, seq: 1, kind: 'opened', occurredAt: snap.openedAt, data: { summary: 'x\u0000y' } },
      bad,
    );
    expect(first.written).toBe(true);
    expect(first.repaired).toMatch(/^22/);
    await writeIncidentEvent(
      db.pool,
      { subjectId: bad.incidentId, seq: 2, kind: 'paged', occurredAt: snap.openedAt, data: {} },
      { ...bad, title: 'ok' },
    );
    const events = await readIncidentEvents(db.pool, bad.incidentId);
    expect(events.map((e) => e.kind)).toEqual(['opened', 'paged']);
    expect(events[0].data).toMatchObject({ summary: 'x\uFFFDy', unstorable: expect.stringMatching(/^22/) });
    expect(verifyChain(events)).toEqual([]);
  });

  it('anchors the head of each chain on the incidents row', async () => {
    const own = { ...snap, incidentId: 'INC-TEST-ANCHOR', workflowId: 'incident/database-outage/oltp/anchor' };
    for (let seq = 1; seq <= 3; seq++) await writeIncidentEvent(db.pool, { ...event(seq, `k${seq}`), subjectId: own.incidentId }, own);
    const events = await readIncidentEvents(db.pool, own.incidentId);
    const { rows } = await db.pool.query('SELECT event_count, last_hash FROM incidents WHERE incident_id = $1', [own.incidentId]);
    expect(rows[0]).toEqual({ event_count: 3, last_hash: events[2].hash });
  });

  it('writes a batch in order as one chain; a refused event in it is repaired alone; a retried batch writes nothing again', async () => {
    const own = { ...snap, incidentId: 'INC-TEST-BATCH', workflowId: 'incident/database-outage/oltp/batch' };
    const batch = [1, 2, 3].map((seq) => ({ ...event(seq, `k${seq}`), subjectId: own.incidentId }));
    batch[1] = { ...batch[1], data: { summary: 'x\u0000y' } as never };
    const first = await writeIncidentEvents(db.pool, batch, own);
    expect(first.written).toBe(true);
    expect(first.repaired).toMatch(/^#2: 22/);
    const again = await writeIncidentEvents(db.pool, batch, own);
    expect(again).toEqual({ written: false, hash: first.hash });
    const events = await readIncidentEvents(db.pool, own.incidentId);
    expect(events.map((e) => e.kind)).toEqual(['k1', 'k2', 'k3']);
    expect(events[0].data).toEqual(batch[0].data);
    expect(events[1].data).toMatchObject({ summary: 'x\uFFFDy', unstorable: expect.stringMatching(/^22/) });
    expect(verifyChain(events)).toEqual([]);
    const { rows } = await db.pool.query('SELECT event_count, last_hash FROM incidents WHERE incident_id = $1', [own.incidentId]);
    expect(rows[0]).toEqual({ event_count: 3, last_hash: events[2].hash });
  });
});
