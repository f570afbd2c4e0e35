import type { WorkflowHandle } from '@temporalio/client';
import type { Pool } from 'pg';
import { expect } from 'vitest';
import { verifyChain } from '../../../db/audit/chain';
import { readIncidentEvents, type StoredEvent } from '../../../db/audit/readEvents';
import { acknowledgeUpdate, incidentStateQuery, resolveUpdate, type IncidentState } from '../../../workflows/incident/messages';
import type { incidentResponse } from '../../../workflows/incident/incidentResponse';
import { waitFor } from './waitFor';
import type { WebhookReceiver } from './webhookReceiver';

type IncidentHandle = WorkflowHandle<typeof incidentResponse>;
const PAGE_EVENTS = ['paged', 'escalated'];
/** A send the receiver answered this long after a SIGKILL was still in flight at it (the request was in its buffer). */
const IN_FLIGHT_AT_KILL_MS = 2_000;
const PAGE_KINDS = ['page', 'escalation'];

/** The incident's id, once its workflow has run its first task (a new worker may still be starting). */
export async function incidentIdOf(handle: IncidentHandle): Promise<string> {
  const state = await waitFor(() => handle.query(incidentStateQuery).catch(() => undefined), {
    timeoutMs: 60_000,
    message: () => `incident ${handle.workflowId} never answered its state query: no worker ran it`,
  });
  return state.incidentId;
}

/**
 * No ladder stopped: `count` more escalation pages of an unacknowledged incident reach the webhook after `since`.
 * The allowance covers a takeover (a dead worker's sticky task times out after 10 s, a new worker starts in ~5 s).
 */
export async function expectLadderClimbing(receiver: WebhookReceiver, incidentId: string, since: number, count = 2, timeoutMs = 45_000) {
  const climbed = () => receiver.of(incidentId).filter((d) => d.kind === 'escalation' && d.at >= since);
  await waitFor(() => climbed().length >= count, {
    timeoutMs,
    message: () =>
      `the ladder stopped: ${climbed().length} of ${count} escalation pages of ${incidentId} reached the webhook in ${timeoutMs / 1000} s ` +
      `after ${new Date(since).toISOString()} (all its deliveries: ${receiver.of(incidentId).length})`,
  });
}

/**
 * Ends a run as a person would: acknowledge (the ladder stops), let every page already audited reach the webhook
 * (the outbox flusher retries pages a channel refused every 30 s), resolve, and return the final state.
 */
export async function acknowledgeAndResolve(handle: IncidentHandle, pool: Pool, receiver: WebhookReceiver): Promise<IncidentState> {
  await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar', note: 'fault suite' }] });
  const acked = await handle.query(incidentStateQuery);
  const audited = async () => (await readIncidentEvents(pool, acked.incidentId)).filter((e) => PAGE_EVENTS.includes(e.kind)).length;
  const received = () =>
    new Set(
      receiver
        .of(acked.incidentId)
        .filter((d) => PAGE_KINDS.includes(d.kind))
        .map((d) => d.id),
    ).size;
  // A page whose worker was killed mid-delivery is sent again once its outbox lease has run out, by the next flush
  // (the fault workers': 20 s and every 2 s). (The resolve's audit write used to give it time; it answers at once.)
  await waitFor(async () => received() >= acked.escalation.pages && (await audited()) >= acked.escalation.pages, {
    timeoutMs: 100_000,
    message: () =>
      `pages of ${acked.incidentId} never delivered: ${acked.escalation.pages} sent by the ladder, ${received()} at the webhook`,
    everyMs: 250,
  }).catch(() => undefined); // the assertions below name what is missing
  await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'fault run over' }] });
  return handle.result();
}

/**
 * After each run: every transition in the audit exactly once and in order (seq 1..n, the chain verifies, the same
 * kinds in the same order as the workflow's own timeline), and every page delivered at the webhook: once, or (delivery
 * is at least once, README "When things fail") twice under one id when its first send was in flight as a worker was
 * killed (`killedAt`): the dead sender got the 200 but could not record it, so the next worker sends it again with the
 * same Idempotency-Key.
 */
export async function expectRunIntact(
  pool: Pool,
  receiver: WebhookReceiver,
  final: IncidentState,
  o: { killedAt?: number[] } = {},
): Promise<StoredEvent[]> {
  const events = await readIncidentEvents(pool, final.incidentId);
  const label = `incident ${final.incidentId}`;
  expect(
    events.map((e) => e.seq),
    `${label}: audit seq 1..${final.auditSeq}`,
  ).toEqual(Array.from({ length: final.auditSeq }, (_, i) => i + 1));
  expect(verifyChain(events), `${label}: hash chain`).toEqual([]);
  expect(
    events.map((e) => e.kind),
    `${label}: audit kinds = the workflow's timeline`,
  ).toEqual(final.timeline.map((t) => t.kind));
  for (const once of ['opened', 'acknowledged', 'resolved'])
    expect(events.filter((e) => e.kind === once).length, `${label}: '${once}' events`).toBe(1);

  const delivered = receiver.of(final.incidentId);
  const byId = new Map<string, number[]>();
  for (const d of delivered) byId.set(d.id, [...(byId.get(d.id) ?? []), d.at]);
  const counts = new Map([...byId].map(([id, at]) => [id, at.length]));
  const cutByKill = (at: number[]) => at.length === 2 && (o.killedAt ?? []).some((k) => at[0] <= k + IN_FLIGHT_AT_KILL_MS && at[1] >= k);
  const doubled = [...byId].filter(([, at]) => at.length > 1 && !cutByKill(at)).map(([id, at]) => `${id} ×${at.length}`);
  expect(doubled, `${label}: pages delivered more than once, not cut by a kill`).toEqual([]);
  const pageEvents = events.filter((e) => PAGE_EVENTS.includes(e.kind)).length;
  expect(pageEvents, `${label}: page events in the audit = pages the ladder sent`).toBe(final.escalation.pages);
  const pagesReceived = new Set(delivered.filter((d) => PAGE_KINDS.includes(d.kind)).map((d) => d.id)).size;
  expect(pagesReceived, `${label}: distinct pages at the webhook = page events in the audit`).toBe(pageEvents);
  const { rows } = await pool.query<{ id: string }>(
    `SELECT split_part(notification_id, '@', 1) AS id FROM notification_outbox WHERE subject_id = $1 AND channel = 'webhook'`,
    [final.incidentId],
  );
  const undelivered = rows.map((r) => r.id).filter((id) => !counts.has(id));
  expect(undelivered, `${label}: notifications in the outbox never delivered`).toEqual([]);
  return events;
}

/**
 * Pages on time: each page event of the ladder in the audit came at most `toleranceSeconds` after its rung was due
 * (the previous page plus the cadence), so no outage ahead of a page held the ladder back.
 */
export function expectPagesOnTime(events: StoredEvent[], cadenceSeconds: number, toleranceSeconds = 1.5) {
  // When the ladder paged: the event's decidedAt (written once the page was sent, since the action policy), else its time.
  const pages = events
    .filter((e) => PAGE_EVENTS.includes(e.kind))
    .map((e) => Date.parse(((e.data as { decidedAt?: string }).decidedAt ?? e.occurredAt) as string))
    // A page slowed by its channel is recorded after the next one: in the order the ladder paged them.
    .sort((a, b) => a - b);
  const late = pages
    .slice(1)
    .map((at, i) => ({ seq: i + 2, lateBy: (at - pages[i] - cadenceSeconds * 1000) / 1000 }))
    .filter((p) => p.lateBy > toleranceSeconds)
    .map((p) => `page ${p.seq} late by ${p.lateBy.toFixed(1)} s`);
  expect(late, `pages later than ${toleranceSeconds} s after their rung was due`).toEqual([]);
}
