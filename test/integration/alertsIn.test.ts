import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { addNoteUpdate, incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { testRouting } from '../support/routing';
import { startTestApi, type TestApi } from '../support/api';
import { maybeRecordHistory } from '../support/histories';
import { devServerSuite } from '../support/harness';

/**
 * Alerts from monitoring tools in their own formats, through the real API on the dev server with a real worker and
 * audit store: PagerDuty Events v2, Alertmanager's and Grafana's webhooks, routed by rules, resolved by policy.
 */
const routing = testRouting([
  { name: 'pool', match: { intake: 'pagerduty', component: 'pgbouncer' }, type: 'connection-pool-exhaustion', tier: 'queue' },
  { name: 'breach', match: { class: 'security' }, type: 'security-breach', tier: 'content' },
]);

describe('alerts in from monitoring tools', () => {
  const taskQueue = `alerts-in-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { routing });
  });
  afterAll(() => api?.close());

  const unique = (what: string) => `${what}-${Math.random().toString(36).slice(2, 10)}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const enqueue = (event: Record<string, unknown>) => post('/v2/enqueue', { routing_key: api.integrationKey, ...event });
  const pdTrigger = (dedup_key: string | undefined, payload: Record<string, unknown> = {}) =>
    enqueue({
      event_action: 'trigger',
      ...(dedup_key !== undefined && { dedup_key }),
      payload: { summary: 'pgbouncer pool saturated', source: 'pgb-1', severity: 'error', component: 'pgbouncer', ...payload },
    });
  const bearer = () => ({ authorization: `Bearer ${api.integrationKey}` });
  const stateOf = (workflowId: string): Promise<IncidentState> => suite.client.workflow.getHandle(workflowId).query(incidentStateQuery);
  const waitFor = async <T>(check: () => Promise<T | undefined | false>, what: string, ms = 15_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const eventsOf = async (workflowId: string, kind: string) =>
    waitFor(async () => {
      const events = await readIncidentEvents(suite.harness.db.pool, (await stateOf(workflowId)).incidentId);
      return events.some((e) => e.kind === kind) && events;
    }, `a '${kind}' event on ${workflowId}`);
  const counts = async () => {
    const { rows } = await suite.harness.db.pool.query(
      '(SELECT count(*)::int AS n FROM incident_events) UNION ALL (SELECT count(*)::int FROM alert_keys)',
    );
    return rows.map((r) => r.n);
  };
  const started = async (workflowId: string) => {
    try {
      await suite.client.workflow.getHandle(workflowId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };

  it('PagerDuty trigger opens the routed incident (routing_key in the body), counts repeats, and answers like PagerDuty', async () => {
    const key = unique('pool');
    const res = await pdTrigger(key);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { status: string; message: string; dedup_key: string; workflowId: string };
    expect(body).toMatchObject({ status: 'success', message: 'Event processed', dedup_key: key });
    expect(body.workflowId).toBe(`incident/connection-pool-exhaustion/queue/${key}`);
    expect((await pdTrigger(key)).status).toBe(202);
    const s = await waitFor(async () => {
      const s = await stateOf(body.workflowId);
      return s.triggerCount === 2 && s;
    }, 'the repeat to be counted');
    // PagerDuty's error → dbops high; the summary becomes the title.
    expect(s).toMatchObject({ type: 'connection-pool-exhaustion', tier: 'queue', severity: 'high', title: 'pgbouncer pool saturated' });
    const events = await eventsOf(body.workflowId, 'opened');
    expect(events[0]).toMatchObject({ kind: 'opened', actor: 'integration:monitoring' });
    expect(String((events[0]!.data as Record<string, unknown>).summary)).toMatch(/source pgb-1; component pgbouncer/);
    await suite.client.workflow.getHandle(body.workflowId).terminate('test over');
  });

  it('a trigger without dedup_key gets one, returned; an odd long key maps to a stable fingerprint; acknowledge goes through the Update as the integration', async () => {
    const res = await pdTrigger(undefined, { component: 'other', severity: 'info' });
    const { dedup_key, workflowId } = (await res.json()) as { dedup_key: string; workflowId: string };
    expect(dedup_key).toMatch(/^[0-9a-f]{32}$/);
    // No rule routes it: an unclassified incident that says why (never the steps of a type it was not).
    expect(workflowId).toBe(`incident/unclassified/olap/${dedup_key}`);
    const opened = await eventsOf(workflowId, 'opened');
    expect(String((opened[0]!.data as Record<string, unknown>).summary)).toMatch(
      /^no routing rule matched; labels: source=pgb-1, severity=info, component=other/,
    );

    const odd = `db1.example.com/pgbouncer pool — ${'x'.repeat(200)}`;
    const oddRes = await pdTrigger(odd);
    const { workflowId: oddId } = (await oddRes.json()) as { workflowId: string };
    expect(oddId).toMatch(/^incident\/connection-pool-exhaustion\/queue\/db1\.example\.com-pgbouncer-pool-x+-[0-9a-f]{16}$/);
    const ack = await enqueue({ event_action: 'acknowledge', dedup_key: odd });
    expect(ack.status).toBe(202);
    expect(((await ack.json()) as { message: string }).message).toBe('Event processed: incident acknowledged');
    expect(await stateOf(oddId)).toMatchObject({ phase: 'acknowledged', acknowledgedBy: 'integration:monitoring' });
    const acked = await eventsOf(oddId, 'acknowledged');
    expect(acked.find((e) => e.kind === 'acknowledged')).toMatchObject({ actor: 'integration:monitoring' });
    // A second acknowledge is dropped with the validator's reason, like PagerDuty: still 202.
    const again = await enqueue({ event_action: 'acknowledge', dedup_key: odd });
    expect(((await again.json()) as { message: string }).message).toMatch(/dropped: already acknowledged by integration:monitoring/);
    for (const id of [workflowId, oddId]) await suite.client.workflow.getHandle(id).terminate('test over');
  });

  it('resolve policy "resolve": closes an incident nobody acted on; a trigger after that opens a new incident on the key', async () => {
    const key = unique('closes');
    const { workflowId } = (await (await pdTrigger(key)).json()) as { workflowId: string };
    const first = await stateOf(workflowId);
    const res = await enqueue({ event_action: 'resolve', dedup_key: key });
    expect(((await res.json()) as { message: string }).message).toBe('Event processed: resolve sent to the incident (policy resolve)');
    const final = (await suite.client.workflow.getHandle(workflowId).result()) as IncidentState;
    expect(final).toMatchObject({ phase: 'resolved', resolvedBy: 'integration:monitoring' });
    const events = await readIncidentEvents(suite.harness.db.pool, final.incidentId);
    expect(events.find((e) => e.kind === 'alert-resolved')?.data).toMatchObject({ policy: 'resolve', outcome: 'closed' });
    // (An automated step in flight when it closed may still record its result after it.)
    const kinds = events.map((e) => e.kind);
    expect(kinds.indexOf('resolved')).toBe(kinds.indexOf('alert-resolved') + 1);
    expect(events.find((e) => e.kind === 'resolved')).toMatchObject({ actor: 'integration:monitoring' });
    await maybeRecordHistory(suite.client.workflow.getHandle(workflowId), 'incident-alert-resolved-closed');

    // Resolved: acknowledge and resolve of the key are dropped; a new trigger opens a new incident.
    const late = await enqueue({ event_action: 'acknowledge', dedup_key: key });
    expect(((await late.json()) as { message: string }).message).toMatch(/dropped: the incident of this dedup_key .* is already resolved/);
    const { workflowId: again } = (await (await pdTrigger(key)).json()) as { workflowId: string };
    expect(again).toBe(workflowId);
    const second = await stateOf(workflowId);
    expect(second.incidentId).not.toBe(first.incidentId);
    expect(second.phase).toBe('triggered');
    await suite.client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('a repeat that reaches an incident after it continued as new points the key at that run; the source’s acknowledge still finds the incident', async () => {
    // An API whose incidents continue as new after 40 events (a long incident's history, in little time).
    const short = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { routing, continueAsNewAfterEvents: 40 });
    try {
      const send = (event: Record<string, unknown>) =>
        fetch(`${short.url}/v2/enqueue`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ routing_key: short.integrationKey, ...event }),
        });
      const trigger = () =>
        send({
          event_action: 'trigger',
          dedup_key: key,
          payload: { summary: 'pgbouncer pool saturated', source: 'pgb-1', severity: 'error', component: 'pgbouncer' },
        });
      const key = unique('continued');
      const { workflowId } = (await (await trigger()).json()) as { workflowId: string };
      const handle = suite.client.workflow.getHandle(workflowId);
      const { firstRunId } = (await handle.describe()).raw.workflowExecutionInfo!;
      // Each note is an Update and an audit write: the history passes its budget and the incident continues as new.
      for (let i = 0; i < 30; i++) await handle.executeUpdate(addNoteUpdate, { args: [{ actor: 'dana', text: `note ${i}` }] });
      await waitFor(async () => (await stateOf(workflowId)).runs > 1, 'the incident to continue as new');
      const laterRun = (await handle.describe()).runId;
      expect(laterRun).not.toBe(firstRunId);
      expect(((await (await trigger()).json()) as { workflowId: string }).workflowId).toBe(workflowId);
      const { rows } = await suite.harness.db.pool.query('SELECT first_run_id FROM alert_keys WHERE dedup_key = $1', [key]);
      expect(rows[0].first_run_id).toBe(laterRun);
      const ack = await send({ event_action: 'acknowledge', dedup_key: key });
      expect(((await ack.json()) as { message: string }).message).toBe('Event processed: incident acknowledged');
      expect((await stateOf(workflowId)).acknowledgedBy).toBe('integration:monitoring');
      await handle.terminate('test over');
    } finally {
      short.close();
    }
  });

  it('resolve policy "resolve" after a person acted, and policy "record" (security): recorded and told to the responders, left open', async () => {
    const key = unique('acted');
    const { workflowId } = (await (await pdTrigger(key)).json()) as { workflowId: string };
    const dana = await api.tokenOf('dana');
    const note = await fetch(`${api.url}/incidents/${encodeURIComponent(workflowId)}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${dana}` },
      body: JSON.stringify({ text: 'looking at pgbouncer' }),
    });
    expect(note.status).toBe(200);
    await enqueue({ event_action: 'resolve', dedup_key: key });
    const events = await eventsOf(workflowId, 'alert-resolved');
    expect(events.find((e) => e.kind === 'alert-resolved')?.data).toMatchObject({ policy: 'resolve', outcome: 'recorded' });
    expect((await stateOf(workflowId)).phase).not.toBe('resolved');
    const s = await stateOf(workflowId);
    await waitFor(
      async () => suite.harness.channel.sent.some((n) => n.kind === 'alert-resolved' && n.subjectId === s.incidentId),
      'the responders to be told',
    );

    const breach = unique('breach');
    const { workflowId: breachId } = (await (await pdTrigger(breach, { class: 'security', component: 'auth' })).json()) as {
      workflowId: string;
    };
    expect(breachId).toMatch(/^incident\/security-breach\/content\//);
    await enqueue({ event_action: 'resolve', dedup_key: breach });
    const breachEvents = await eventsOf(breachId, 'alert-resolved');
    expect(breachEvents.find((e) => e.kind === 'alert-resolved')?.data).toMatchObject({ policy: 'record', outcome: 'recorded' });
    expect((await stateOf(breachId)).phase).toBe('triggered');
    // Told once: the same end sent again changes nothing (it reaches the incident before dana's resolve below).
    await enqueue({ event_action: 'resolve', dedup_key: key });
    // A person closes it: the whole path (alert recorded, then resolved by a person) is kept for the replay test.
    const resolved = await fetch(`${api.url}/incidents/${encodeURIComponent(workflowId)}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${dana}` },
      body: JSON.stringify({ summary: 'pgbouncer pool resized' }),
    });
    expect(resolved.status).toBe(200);
    expect(((await suite.client.workflow.getHandle(workflowId).result()) as IncidentState).resolvedBy).toBe('dana');
    const all = await readIncidentEvents(suite.harness.db.pool, s.incidentId);
    expect(all.filter((e) => e.kind === 'alert-resolved')).toHaveLength(1);
    const told = suite.harness.channel.sent.filter((n) => n.kind === 'alert-resolved' && n.subjectId === s.incidentId);
    expect(new Set(told.map((n) => n.notificationId)).size).toBe(1);
    await maybeRecordHistory(suite.client.workflow.getHandle(workflowId), 'incident-alert-resolved-recorded');
    await suite.client.workflow.getHandle(breachId).terminate('test over');
  });

  it('acknowledge and resolve of an unknown dedup_key are dropped, and the 202 says so', async () => {
    for (const event_action of ['acknowledge', 'resolve']) {
      const res = await enqueue({ event_action, dedup_key: unique('never') });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({
        status: 'success',
        message: 'Event processed; dropped: no incident was opened by this dedup_key',
      });
    }
  });

  it('Alertmanager: each alert on its own, labels routed and templated into the fingerprint; resolved closes it. Grafana: unrouted → unclassified', async () => {
    const instance = unique('db');
    const alertOf = (status: string, labels: Record<string, string>, fingerprint: string) => ({
      status,
      labels,
      annotations: { summary: `${labels.alertname} on ${labels.instance}` },
      startsAt: '2026-11-25T16:00:00.123Z',
      endsAt: status === 'resolved' ? '2026-11-25T16:05:00Z' : '0001-01-01T00:00:00Z',
      fingerprint,
    });
    const payload = (status: string) => ({
      version: '4',
      groupKey: '{}:{}',
      status,
      receiver: 'dbops',
      alerts: [
        alertOf(status, { alertname: 'PostgresDown', instance, severity: 'critical' }, `${instance}-a`),
        alertOf(status, { alertname: 'DiskFull', instance }, `${instance}-b`),
      ],
    });
    const res = await post('/alertmanager', payload('firing'), bearer());
    expect(res.status).toBe(202);
    const { results } = (await res.json()) as { results: { workflowId: string; rule: string }[] };
    expect(results.map((r) => r.rule)).toEqual(['pg-down', 'triage']);
    expect(results[0]!.workflowId).toBe(`incident/database-outage/oltp/PostgresDown:${instance}`);
    expect(results[1]!.workflowId).toBe(`incident/unclassified/olap/DiskFull:${instance}-b`);
    const s = await stateOf(results[0]!.workflowId);
    expect(s).toMatchObject({ severity: 'critical', title: `PostgresDown on ${instance}` });
    const opened = await eventsOf(results[0]!.workflowId, 'opened');
    expect(opened[0]!.data).toMatchObject({ firedAt: '2026-11-25T16:00:00.123Z' });
    expect(String((opened[0]!.data as Record<string, unknown>).summary)).toMatch(
      new RegExp(`labels alertname=PostgresDown, instance=${instance}, severity=critical`),
    );

    const resolved = await post('/alertmanager', payload('resolved'), bearer());
    expect(resolved.status).toBe(202);
    for (const r of results) {
      const final = (await suite.client.workflow.getHandle(r.workflowId).result()) as IncidentState;
      expect(final.phase).toBe('resolved');
    }

    const grafana = {
      ...payload('firing'),
      version: '1',
      orgId: 1,
      alerts: [
        {
          ...alertOf('firing', { alertname: 'HighCPU', instance }, `${instance}-g`),
          values: { B: 97 },
          silenceURL: 'http://grafana/silence',
        },
      ],
    };
    const g = await post('/grafana', grafana, bearer());
    expect(g.status).toBe(202);
    const [gr] = ((await g.json()) as { results: { workflowId: string; rule: string }[] }).results;
    expect(gr!.rule).toBe('triage');
    const gEvents = await eventsOf(gr!.workflowId, 'opened');
    expect(String((gEvents[0]!.data as Record<string, unknown>).summary)).toMatch(
      /^no routing rule matched; labels: alertname=HighCPU.*values B=97; .*silence http:\/\/grafana\/silence/,
    );
    await suite.client.workflow.getHandle(gr!.workflowId).terminate('test over');

    // A group with an alert that cannot be read: that one is refused and named, the rest of the group is taken (202;
    // Alertmanager never resends a group it got a 4xx for).
    const mixed = await post(
      '/alertmanager',
      {
        ...payload('firing'),
        alerts: [
          { ...alertOf('firing', { alertname: 'Broken' }, `${instance}-c`), startsAt: 'soon' },
          alertOf('firing', { alertname: 'DiskFull', instance: `${instance}-2` }, `${instance}-d`),
        ],
      },
      bearer(),
    );
    expect(mixed.status).toBe(202);
    const mixedBody = (await mixed.json()) as { results: { workflowId: string }[]; refused: string[] };
    expect(mixedBody.refused).toEqual([expect.stringMatching(/^alerts\[0\]\.startsAt: an ISO 8601/)]);
    expect(mixedBody.results.map((r) => r.workflowId)).toEqual([`incident/unclassified/olap/DiskFull:${instance}-d`]);
    expect((await stateOf(mixedBody.results[0]!.workflowId))?.phase).toBe('triggered');
    await suite.client.workflow.getHandle(mixedBody.results[0]!.workflowId).terminate('test over');
  });

  it('bad payloads of each format get 400 naming the field and start and record nothing; a wrong key is refused (401)', async () => {
    const before = await counts();
    const fp = unique('bad');
    const cases: [string, unknown, RegExp][] = [
      [
        '/v2/enqueue',
        {
          routing_key: api.integrationKey,
          event_action: 'trigger',
          dedup_key: fp,
          payload: { summary: 's', source: 'x', severity: 'high' },
        },
        /payload\.severity: one of critical, error, warning, info/,
      ],
      [
        '/v2/enqueue',
        { routing_key: api.integrationKey, event_action: 'explode', dedup_key: fp },
        /event_action: one of trigger, acknowledge, resolve/,
      ],
      ['/v2/enqueue', { routing_key: api.integrationKey, event_action: 'trigger', dedup_key: fp }, /payload: required for a trigger/],
      [
        '/alertmanager',
        { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: fp }, startsAt: 'now' }] },
        /alerts\[0\]\.startsAt: an ISO 8601/,
      ],
      [
        '/alertmanager',
        { version: '3', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: fp }, startsAt: '2026-11-25T16:00:00Z' }] },
        /version: '4'/,
      ],
      [
        '/grafana',
        { status: 'firing', alerts: [{ status: 'pending', labels: { alertname: fp }, startsAt: '2026-11-25T16:00:00Z' }] },
        /alerts\[0\]\.status: firing or resolved/,
      ],
      ['/grafana', '{"status":', /must be valid JSON/],
    ];
    for (const [path, body, error] of cases) {
      const res = await post(path, body, path === '/v2/enqueue' ? {} : bearer());
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(error);
    }
    // A PagerDuty 400 is PagerDuty's shape.
    const pd = await post('/v2/enqueue', { routing_key: api.integrationKey, event_action: 'trigger', dedup_key: fp, payload: {} });
    expect(await pd.json()).toMatchObject({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: expect.arrayContaining([expect.stringMatching(/^payload\.summary/)]),
    });

    const wrongKey = await pdTrigger(fp).then(() =>
      post('/v2/enqueue', {
        routing_key: `dbops_key_${'x'.repeat(43)}`,
        event_action: 'trigger',
        dedup_key: `${fp}-k`,
        payload: { summary: 's', source: 'x', severity: 'info', component: 'pgbouncer' },
      }),
    );
    expect(wrongKey.status).toBe(401);
    expect(((await wrongKey.json()) as { error: string }).error).toMatch(/routing_key\) is not valid/);
    expect((await post('/v2/enqueue', { event_action: 'trigger' })).status).toBe(401);
    expect((await post('/alertmanager', { version: '4' }, { authorization: `Bearer dbops_key_${'x'.repeat(43)}` })).status).toBe(401);
    expect(await started(`incident/connection-pool-exhaustion/queue/${fp}-k`)).toBe(false);
    // Only the one good trigger in between (pdTrigger(fp)) recorded anything: its key and its events.
    const after = await counts();
    expect(after[1]).toBe(before[1]! + 1);
    await suite.client.workflow.getHandle(`incident/connection-pool-exhaustion/queue/${fp}`).terminate('test over');
  });

  it('over the rate limit: 429, nothing started', async () => {
    const limited = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { routing, rateLimitPerMinute: 1 });
    try {
      const send = (dedup_key: string) =>
        fetch(`${limited.url}/v2/enqueue`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            routing_key: limited.integrationKey,
            event_action: 'trigger',
            dedup_key,
            payload: { summary: 's', source: 'x', severity: 'info', component: 'pgbouncer' },
          }),
        });
      const first = unique('rate');
      expect((await send(first)).status).toBe(202);
      const second = unique('rate');
      const res = await send(second);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await started(`incident/connection-pool-exhaustion/queue/${second}`)).toBe(false);
      await suite.client.workflow.getHandle(`incident/connection-pool-exhaustion/queue/${first}`).terminate('test over');
    } finally {
      limited.close();
    }
  });
});
