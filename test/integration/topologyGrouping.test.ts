import { WorkflowNotFoundError } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { startTestApi } from '../support/api';
import { dbops } from '../support/cli';
import { alertGroup, firingAlert } from '../support/alertPayloads';
import { eventually } from '../support/eventually';
import { timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';

/**
 * Grouping by topology on the time-skipping server and a real PostgreSQL, through the real API as a monitoring tool
 * sends alerts: while a primary's outage is open its replicas' lag and connection alerts join it as related alerts
 * (counted, shown, audited with why), not pages; a replica's incident opened just before its primary's outage is
 * linked to it, its page standing.
 */
interface Answer {
  workflowId: string;
  groupedInto?: { workflowId: string; incidentId: string; cause: string; why: string };
  results: { workflowId: string; groupedInto?: { incidentId: string; cause: string } }[];
}

describe('grouping by topology', () => {
  const taskQueue = 'grouping-ts';
  const suite = timeSkippingSuite(taskQueue);
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let oscar: string;
  beforeAll(async () => {
    // A loaded machine's first Temporal calls may be slow: a generous deadline, so a slow start is not a 503.
    api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue, { deadlineMs: 30_000 });
    oscar = await api.tokenOf('oscar');
  });
  const send = async (route: string, body: unknown) => {
    const res = await fetch(`${api.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.integrationKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status, JSON.stringify(body)).toBe(202);
    return (await res.json()) as Answer;
  };
  const stateOf = (workflowId: string) =>
    suite.env.client.workflow.getHandle(workflowId).query(incidentStateQuery) as Promise<IncidentState>;
  const pagesOf = (incidentId: string) => suite.harness.channel.sent.filter((n) => n.subjectId === incidentId);
  const resolve = async (workflowId: string) => {
    const res = await fetch(`${api.url}/incidents/${encodeURIComponent(workflowId)}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oscar}`, 'content-type': 'application/json' },
      body: JSON.stringify({ summary: 'primary back, replicas caught up' }),
    });
    expect(res.status, await res.text()).toBe(200);
  };

  it("joins a replica's connection and lag alerts to its primary's open outage, without paging, counted and audited", async () => {
    const outage = await send('/alerts', {
      type: 'database-outage',
      tier: 'oltp',
      severity: 'critical',
      fingerprint: 'oltp-primary-down',
      labels: { instance: 'oltp-primary:5432' },
    });
    const opened = await eventually(
      'the outage paged',
      () => stateOf(outage.workflowId),
      (s) => s.escalation.pages > 0,
    );
    const pagesBefore = suite.harness.channel.sent.length;

    const connections = await send('/alerts', {
      type: 'connection-pool-exhaustion',
      tier: 'oltp',
      severity: 'high',
      fingerprint: 'replica-1-connections',
      title: 'oltp-replica-1 refuses connections',
      labels: { instance: 'oltp-replica-1:5432' },
    });
    expect(connections.groupedInto).toMatchObject({ incidentId: opened.incidentId, cause: 'topology' });
    expect(connections.groupedInto!.why).toMatch(/oltp-replica-1 is a replica of oltp-primary/);
    // A replica's lag from Alertmanager (routed as data integrity by its name) joins too, long after the opening.
    await suite.env.sleep(10 * 60_000);
    const lag = await send(
      '/alertmanager',
      alertGroup([firingAlert({ alertname: 'PostgresReplicationLag', tier: 'oltp', instance: 'oltp-replica-2:9187' })]),
    );
    expect(lag.results[0].groupedInto).toMatchObject({ incidentId: opened.incidentId, cause: 'topology' });

    // Neither opened an incident of its own nor paged anyone.
    await expect(
      suite.env.client.workflow.getHandle('incident/connection-pool-exhaustion/oltp/replica-1-connections').describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(suite.harness.channel.sent.slice(pagesBefore).filter((n) => n.subjectId !== opened.incidentId)).toEqual([]);
    const s = await stateOf(outage.workflowId);
    expect(s.related?.count).toBe(2);
    expect(s.related?.recent.map((r) => [r.node, r.title])).toEqual([
      ['oltp-replica-1', 'oltp-replica-1 refuses connections'],
      ['oltp-replica-2', expect.stringMatching(/PostgresReplicationLag/)],
    ]);
    const related = await eventually(
      'the related alerts audited',
      () => readIncidentEvents(suite.harness.db.pool, opened.incidentId),
      (e) => e.filter((x) => x.kind === 'related-alert').length === 2,
    );
    expect(related.filter((x) => x.kind === 'related-alert').map((x) => (x.data as { why: string }).why)).toEqual([
      'oltp-replica-1 is a replica of oltp-primary, whose outage is open',
      'oltp-replica-2 is a replica of oltp-primary, whose outage is open',
    ]);

    // `dbops incident show` lists them, as the on-call reads them.
    const shown = await dbops(['incident', 'show', opened.incidentId], { DBOPS_TOKEN: oscar, DBOPS_API_URL: api.url });
    expect(shown.stdout).toMatch(/related alerts \(2, grouped instead of paging/);
    expect(shown.stdout).toMatch(
      /oltp-replica-1 +oltp-replica-1 refuses connections +\[topology: oltp-replica-1 is a replica of oltp-primary/,
    );

    // Once the outage is resolved, a replica's alert is a problem of its own: it pages.
    await resolve(outage.workflowId);
    await maybeRecordHistory(suite.env.client.workflow.getHandle(outage.workflowId), 'incident-related-alerts');
    const alone = await send('/alerts', {
      type: 'connection-pool-exhaustion',
      tier: 'oltp',
      severity: 'high',
      fingerprint: 'replica-1-connections-later',
      labels: { instance: 'oltp-replica-1:5432' },
    });
    expect(alone.groupedInto).toBeUndefined();
    await eventually(
      'the replica paged on its own',
      () => stateOf(alone.workflowId),
      (x) => x.escalation.pages > 0,
    );
    await resolve(alone.workflowId);
  });

  it("links a replica's incident opened before its primary's outage: its page stands, both name each other", async () => {
    const replica = await send('/alerts', {
      type: 'connection-pool-exhaustion',
      tier: 'content',
      severity: 'high',
      fingerprint: 'content-replica-connections',
      labels: { instance: 'content-replica-1' },
    });
    const replicaState = await eventually(
      'the replica paged',
      () => stateOf(replica.workflowId),
      (s) => s.escalation.pages > 0,
    );
    const replicaPages = pagesOf(replicaState.incidentId).length;
    expect(replicaPages).toBeGreaterThan(0);

    const outage = await send('/alerts', { type: 'database-outage', tier: 'content', severity: 'critical', fingerprint: 'content-down' });
    const outageState = await eventually(
      'the earlier replica incident linked',
      () => stateOf(outage.workflowId),
      (s) => (s.related?.count ?? 0) > 0,
    );
    expect(outageState.related!.recent[0]).toMatchObject({
      cause: 'earlier-incident',
      incidentId: replicaState.incidentId,
      node: 'content-replica-1',
      why: expect.stringMatching(
        /content-replica-1 is a replica of content-primary; its incident opened \d+ s before content-primary's outage: linked, its pages stand/,
      ),
    });
    const linked = await stateOf(replica.workflowId);
    expect(linked.linkedTo).toMatchObject({ incidentId: outageState.incidentId });
    // The page already sent stays: the replica's incident is still open, with its pages on record.
    expect(linked.phase).not.toBe('resolved');
    expect(pagesOf(replicaState.incidentId).length).toBeGreaterThanOrEqual(replicaPages);
    const audit = await eventually(
      'the link audited on the replica incident',
      () => readIncidentEvents(suite.harness.db.pool, replicaState.incidentId),
      (e) => e.some((x) => x.kind === 'linked-into'),
    );
    expect(audit.find((x) => x.kind === 'linked-into')!.data).toMatchObject({ incidentId: outageState.incidentId });
    await resolve(replica.workflowId);
    await resolve(outage.workflowId);
    await maybeRecordHistory(suite.env.client.workflow.getHandle(replica.workflowId), 'incident-linked-into');
  });

  it('a storm of 40 symptoms of one outage, 20 at a time: every one joins it (Update first, then signals), counted and audited once each', async () => {
    const outage = await send('/alerts', { type: 'database-outage', tier: 'queue', severity: 'critical', fingerprint: 'queue-down' });
    const opened = await eventually(
      'the outage paged',
      () => stateOf(outage.workflowId),
      (s) => s.escalation.pages > 0,
    );
    const pagesBefore = suite.harness.channel.sent.length;
    const symptom = (i: number) => ({
      type: i % 2 ? 'connection-pool-exhaustion' : 'performance-degradation',
      tier: 'queue',
      severity: 'high',
      fingerprint: `queue-symptom-${i}`,
      title: `symptom ${i}`,
      labels: i % 2 ? { instance: 'queue-replica-1:5432' } : {},
    });
    const answers: Answer[] = [];
    for (let from = 0; from < 40; from += 20)
      answers.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => send('/alerts', symptom(from + i))))));
    expect(answers.map((a) => a.groupedInto?.incidentId)).toEqual(Array(40).fill(opened.incidentId));
    const s = await eventually(
      'all 40 counted',
      () => stateOf(outage.workflowId),
      (x) => (x.related?.count ?? 0) >= 40,
    );
    expect(s.related?.count).toBe(40);
    const audited = await eventually(
      'all 40 audited',
      () => readIncidentEvents(suite.harness.db.pool, opened.incidentId),
      (e) => e.filter((x) => x.kind === 'related-alert').length >= 40,
    );
    const titles = audited.filter((x) => x.kind === 'related-alert').map((x) => (x.data as { title: string }).title);
    expect(new Set(titles)).toEqual(new Set(Array.from({ length: 40 }, (_, i) => `symptom ${i}`)));
    expect(suite.harness.channel.sent.slice(pagesBefore).filter((n) => n.subjectId !== opened.incidentId)).toEqual([]);
    await resolve(outage.workflowId);
    await maybeRecordHistory(suite.env.client.workflow.getHandle(outage.workflowId), 'incident-related-alerts-storm');
    // Resolved through this API, the outage is asked again by Update, refuses, and the next symptom pages.
    const alone = await send('/alerts', symptom(41));
    expect(alone.groupedInto).toBeUndefined();
    await resolve(alone.workflowId);
  });
});
