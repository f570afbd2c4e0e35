import { WorkflowNotFoundError } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { windowEvents } from '../../db/maintenance/windows';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { startTestApi } from '../support/api';
import { alertGroup, firingAlert } from '../support/alertPayloads';
import { eventually } from '../support/eventually';
import { timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';
import { maintenanceWorkflowId } from '../../workflows/maintenance/messages';

/**
 * Maintenance windows on the time-skipping server and a real PostgreSQL, driven through the real API as a monitoring
 * tool and people would: a window holds the alerts its scope matches (recorded, not paged) and, when it ends, each
 * incident still firing opens (or re-pages) once; a bystander with a valid token is refused; the audit names the window.
 */
const HOUR = 3_600_000;

/** The API's answers, as far as these tests read them. */
interface Answer {
  workflowId: string;
  heldBy?: { window: string; reason: string; until: string };
  results: { workflowId: string; heldBy?: { window: string } }[];
  error?: string;
  window: { id: string };
  windows: { id: string }[];
}

async function apiOf(suite: ReturnType<typeof timeSkippingSuite>, taskQueue: string, people: string[]) {
  // A loaded machine's first Temporal calls may be slow: a generous deadline, so a slow start is not a 503.
  const api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue, { deadlineMs: 30_000 });
  const tokens: Record<string, string> = {};
  for (const p of people) tokens[p] = await api.tokenOf(p);
  const call = async (as: string, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${tokens[as]}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const send = async (route: string, body: unknown) => {
    const res = await fetch(`${api.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.integrationKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, JSON.stringify(body)).toBe(202);
    return (await res.json()) as Answer;
  };
  return { api, call, send };
}

describe('maintenance windows', () => {
  const taskQueue = 'maintenance-ts';
  const suite = timeSkippingSuite(taskQueue);
  let t: Awaited<ReturnType<typeof apiOf>>;
  beforeAll(async () => {
    t = await apiOf(suite, taskQueue, ['dana', 'pat', 'oscar']);
  });
  const windowRows = async () => (await suite.harness.db.pool.query('SELECT count(*)::int AS n FROM maintenance_windows')).rows[0].n;

  it('refuses a bystander with a valid token, and the on-call engineer, naming the rule; nothing is made or audited', async () => {
    for (const who of ['pat', 'oscar']) {
      const refused = await t.call(who, 'POST', '/maintenance', {
        reason: 'tidy up',
        tiers: ['olap'],
        to: new Date(Date.now() + HOUR).toISOString(),
      });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatch(
        new RegExp(`'${who}' may not make a maintenance window: it takes the maintenance planners .*policy rule 'maintenance'`),
      );
    }
    expect(await windowRows()).toBe(0);
    expect(await windowEvents(suite.harness.db.pool)).toEqual([]);
    const tooLong = await t.call('dana', 'POST', '/maintenance', {
      reason: 'upgrade',
      tiers: ['olap'],
      to: new Date(Date.now() + 30 * HOUR).toISOString(),
    });
    expect(tooLong).toMatchObject({ status: 400, body: { error: expect.stringMatching(/a window lasts at most 24 hours/) } });
    expect(await windowRows()).toBe(0);
  });

  it('holds a storm on its tier and, at its end, opens each incident still firing once, re-pages one already open, and leaves the resolved alone', async () => {
    const { pool } = suite.harness.db;
    const client = suite.env.client;
    const stateOf = (workflowId: string) => client.workflow.getHandle(workflowId).query(incidentStateQuery) as Promise<IncidentState>;
    const pagesOf = (incidentId: string) => suite.harness.channel.sent.filter((n) => n.subjectId === incidentId);

    // Open before the window: its alerts during the window are held, and it is paged again at the end.
    const open = await t.send('/alerts', { type: 'performance-degradation', tier: 'queue', severity: 'low', fingerprint: 'slow-jobs' });
    const openState = await eventually(
      'the open incident paged',
      () => stateOf(open.workflowId),
      (s) => s.escalation.pages > 0,
    );

    const made = await t.call('dana', 'POST', '/maintenance', {
      reason: 'queue cluster upgrade',
      tiers: ['queue'],
      to: new Date(Date.now() + 2 * HOUR).toISOString(),
    });
    expect(made.status).toBe(201);
    const windowId = made.body.window.id as string;

    // The storm: 30 alerts on three keys by POST /alerts, two Alertmanager alerts, one alert on another tier.
    const held: Answer[] = [];
    for (let i = 0; i < 30; i++) {
      const fingerprint = ['slow-jobs', 'backlog-1', 'backlog-2'][i % 3];
      const answer = await t.send('/alerts', { type: 'performance-degradation', tier: 'queue', severity: 'medium', fingerprint });
      expect(answer.heldBy).toMatchObject({ window: windowId, reason: 'queue cluster upgrade' });
      held.push(answer);
    }
    const amFiring = firingAlert({ alertname: 'QueueWorkerConnectionsHigh', tier: 'queue', instance: 'queue-1', severity: 'warning' });
    const amResolving = firingAlert({ alertname: 'QueuePoolConnectionsHigh', tier: 'queue', instance: 'queue-2', severity: 'warning' });
    const group = await t.send('/alertmanager', alertGroup([amFiring, amResolving]));
    expect(group.results.map((r: { heldBy?: { window: string } }) => r.heldBy?.window)).toEqual([windowId, windowId]);
    const elsewhere = await t.send('/alerts', {
      type: 'performance-degradation',
      tier: 'content',
      severity: 'low',
      fingerprint: 'slow-content',
    });
    expect(elsewhere.heldBy).toBeUndefined();
    // One Alertmanager alert resolves inside the window: it will not open anything.
    await t.send('/alertmanager', alertGroup([{ ...amResolving, status: 'resolved', endsAt: new Date().toISOString() }]));

    // Nothing held was paged: the keys have no incident, and the open one was not paged again.
    for (const key of [held[1].workflowId, held[2].workflowId, group.results[0].workflowId, group.results[1].workflowId])
      await expect(client.workflow.getHandle(key).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(pagesOf(openState.incidentId)).toHaveLength(openState.escalation.pages);

    // The window ends (a durable timer in its workflow).
    await suite.env.sleep(2 * HOUR + 60_000);
    const released = await eventually(
      'the window released',
      () => windowEvents(pool, windowId),
      (events) => events.some((e) => e.action === 'released'),
    );
    const outcomes = Object.fromEntries(
      (released.find((e) => e.action === 'released')!.data.incidents as { incidentKey: string; outcome: string; alerts: number }[]).map(
        (r) => [r.incidentKey, r],
      ),
    );
    expect(outcomes[held[1].workflowId]).toMatchObject({ outcome: 'opened', alerts: 10 });
    expect(outcomes[held[2].workflowId]).toMatchObject({ outcome: 'opened', alerts: 10 });
    expect(outcomes[group.results[0].workflowId]).toMatchObject({ outcome: 'opened', alerts: 1 });
    expect(outcomes[group.results[1].workflowId]).toMatchObject({ outcome: 'resolved-in-window' });
    expect(outcomes[open.workflowId]).toMatchObject({ outcome: 're-paged', alerts: 10 });
    await expect(client.workflow.getHandle(group.results[1].workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

    // Each opened once, paged once (level 1 of a medium incident), its opening naming the window.
    for (const key of [held[1].workflowId, held[2].workflowId, group.results[0].workflowId]) {
      const s = await eventually(
        `${key} paged`,
        () => stateOf(key),
        (x) => x.escalation.pages > 0,
      );
      expect(s.triggerCount).toBe(1);
      const events = await eventually(
        `${key} audited`,
        () => readIncidentEvents(pool, s.incidentId),
        (e) => e.some((x) => x.kind === 'paged'),
      );
      expect((events.find((e) => e.kind === 'opened')!.data as { heldBy?: unknown }).heldBy).toMatchObject({
        windowId,
        reason: 'queue cluster upgrade',
      });
      expect(pagesOf(s.incidentId).filter((n) => n.kind === 'page')).toHaveLength(1);
    }
    // The incident open before the window: paged again, once, saying why; its audit names the window.
    const repaged = await eventually(
      'the open incident re-paged',
      () => readIncidentEvents(pool, openState.incidentId),
      (e) => e.some((x) => x.kind === 'maintenance-ended'),
    );
    expect(repaged.find((e) => e.kind === 'maintenance-ended')!.data).toMatchObject({ windowId, alerts: 10, firing: 1 });
    await eventually(
      'the re-page sent',
      () => pagesOf(openState.incidentId).filter((n) => /still firing after maintenance window/.test(n.message)),
      (n) => n.length === 1,
    );
    await maybeRecordHistory(client.workflow.getHandle(open.workflowId), 'incident-maintenance-ended');
    // A release run again (its activity retried after a worker died) does nothing more.
    const pagesSoFar = suite.harness.channel.sent.length;
    expect(await suite.harness.activities.releaseMaintenanceOccurrences({ windowId, at: Date.now(), early: false })).toEqual([]);
    expect(suite.harness.channel.sent.length).toBe(pagesSoFar);
    // After the window, an alert on the tier pages as usual.
    const after = await t.send('/alerts', { type: 'performance-degradation', tier: 'queue', severity: 'low', fingerprint: 'after-window' });
    expect(after.heldBy).toBeUndefined();
    // The window's own audit: who made it and why, and its release.
    const audit = await windowEvents(pool, windowId);
    expect(audit.map((e) => [e.action, e.actor])).toEqual([
      ['created', 'dana'],
      ['released', 'dbops'],
    ]);
    expect(audit[0].reason).toBe('queue cluster upgrade');
  });

  it('ends early when a planner says so: what it held opens at once, audited with who and why', async () => {
    const made = await t.call('dana', 'POST', '/maintenance', {
      reason: 'olap vacuum',
      tiers: ['olap'],
      to: new Date(Date.now() + 20 * HOUR).toISOString(),
    });
    expect(made.status).toBe(201);
    const windowId = made.body.window.id as string;
    const held = await t.send('/alerts', { type: 'performance-degradation', tier: 'olap', severity: 'low', fingerprint: 'olap-slow' });
    expect(held.heldBy?.window).toBe(windowId);
    const listed = await t.call('oscar', 'GET', '/maintenance');
    expect(listed.body.windows.map((w: { id: string }) => w.id)).toContain(windowId);
    expect((await t.call('pat', 'POST', `/maintenance/${windowId}/end`, { reason: 'done' })).status).toBe(403);
    const ended = await t.call('dana', 'POST', `/maintenance/${windowId}/end`, { reason: 'vacuum finished early' });
    expect(ended.status).toBe(200);
    const s = await eventually(
      'the held incident opened',
      () =>
        suite.env.client.workflow
          .getHandle(held.workflowId)
          .query(incidentStateQuery)
          .catch(() => undefined),
      (x) => !!x && x.escalation.pages > 0,
    );
    expect(s!.triggerCount).toBe(1);
    const audit = await eventually(
      'the release audited',
      () => windowEvents(suite.harness.db.pool, windowId),
      (e) => e.length === 3,
    );
    expect(audit.map((e) => [e.action, e.actor, e.reason ?? null])).toEqual([
      ['created', 'dana', 'olap vacuum'],
      ['ended', 'dana', 'vacuum finished early'],
      ['released', 'dbops', null],
    ]);
    expect((await t.call('dana', 'POST', `/maintenance/${windowId}/end`, { reason: 'again' })).status).toBe(409);
    const windowWorkflow = suite.env.client.workflow.getHandle(maintenanceWorkflowId(windowId));
    await windowWorkflow.result();
    await maybeRecordHistory(windowWorkflow, 'maintenance-window-ended-early');
  });
});

describe('a weekly maintenance window across DST (every Sunday 01:00–04:00 Europe/Berlin)', () => {
  const taskQueue = 'maintenance-dst';
  const suite = timeSkippingSuite(taskQueue);
  let t: Awaited<ReturnType<typeof apiOf>>;
  beforeAll(async () => {
    t = await apiOf(suite, taskQueue, ['dana', 'oscar']);
  });
  const skipTo = async (iso: string) => suite.env.sleep(Date.parse(iso) - (await suite.env.currentTimeMs()));
  const occurrence = async (windowId: string, start: string) =>
    (
      await suite.harness.db.pool.query(
        'SELECT ends_at, released_at FROM maintenance_occurrences WHERE window_id = $1 AND starts_at = $2',
        [windowId, new Date(start)],
      )
    ).rows[0] as { ends_at: Date; released_at: Date | null } | undefined;

  it('holds inside the wall-clock window and releases at its end within the second, the night clocks go forward and the night they go back', async () => {
    const made = await t.call('dana', 'POST', '/maintenance', {
      reason: 'weekly olap reindex',
      tiers: ['olap'],
      weekly: { days: ['sun'], start: '01:00', end: '04:00', timeZone: 'Europe/Berlin', until: '2027-11-07T00:00:00Z' },
    });
    expect(made.status).toBe(201);
    const windowId = made.body.window.id;
    const alert = (fingerprint: string) =>
      t.send('/alerts', { type: 'performance-degradation', tier: 'olap', severity: 'low', fingerprint });

    // 28 March 2027: 01:00 CET is 00:00 UTC; 04:00 CEST is 02:00 UTC. At 03:30 CEST the window holds.
    await skipTo('2027-03-28T01:30:00Z');
    expect((await alert('reindex-march')).heldBy?.window).toBe(windowId);
    await skipTo('2027-03-28T02:00:30Z');
    const march = await eventually(
      'the March occurrence released',
      () => occurrence(windowId, '2027-03-28T00:00:00Z'),
      (o) => !!o?.released_at,
    );
    expect(march!.ends_at.toISOString()).toBe('2027-03-28T02:00:00.000Z');
    // Released by the window's timer at its end (within the second its workflow task took).
    expect(march!.released_at!.getTime() - march!.ends_at.getTime()).toBeGreaterThanOrEqual(0);
    expect(march!.released_at!.getTime() - march!.ends_at.getTime()).toBeLessThan(1000);
    const opened = await eventually(
      'the held alert opened its incident',
      () =>
        suite.env.client.workflow
          .getHandle('incident/performance-degradation/olap/reindex-march')
          .query(incidentStateQuery)
          .catch(() => undefined),
      (s) => !!s && s.escalation.pages > 0,
    );
    // Resolved, so its ladder does not page through the months skipped below.
    expect((await t.call('oscar', 'POST', `/incidents/${opened!.incidentId}/resolve`, { summary: 'reindexed' })).status).toBe(200);

    // 31 October 2027: 01:00 CEST is 23:00 UTC on Saturday; 04:00 CET is 03:00 UTC (02:00–03:00 happens twice).
    await skipTo('2027-10-31T02:30:00Z');
    expect((await alert('reindex-october')).heldBy?.window).toBe(windowId);
    await skipTo('2027-10-31T03:00:30Z');
    const october = await eventually(
      'the October occurrence released',
      () => occurrence(windowId, '2027-10-30T23:00:00Z'),
      (o) => !!o?.released_at,
    );
    expect(october!.ends_at.toISOString()).toBe('2027-10-31T03:00:00.000Z');
    expect(october!.released_at!.getTime() - october!.ends_at.getTime()).toBeGreaterThanOrEqual(0);
    expect(october!.released_at!.getTime() - october!.ends_at.getTime()).toBeLessThan(1000);
    expect((await alert('after-october')).heldBy).toBeUndefined();
  });
});
