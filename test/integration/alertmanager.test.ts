import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { startAlertmanager } from '../../dev/provision/alertmanager';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { testRouting } from '../support/routing';
import { startTestApi, type TestApi } from '../support/api';
import { devServerSuite } from '../support/harness';

/**
 * A real Prometheus Alertmanager (v0.31.1) sends to dbops through both of its ways: a webhook receiver (bearer token =
 * the integration key) and a pagerduty_configs receiver whose url is dbops' Events API v2 (routing_key = the key).
 * Alerts are posted to Alertmanager's own API, firing then resolved.
 */
const routing = testRouting([
  {
    name: 'pgbouncer',
    match: { intake: 'pagerduty', component: 'pgbouncer' },
    type: 'connection-pool-exhaustion',
    tier: 'queue',
    fingerprint: '{{alertname}}:{{instance}}',
  },
]);

describe('a real Alertmanager sends alerts in, by webhook and by the PagerDuty Events API', () => {
  const taskQueue = `alertmanager-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  let api: TestApi;
  let am: Awaited<ReturnType<typeof startAlertmanager>>;
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { routing });
    am = await startAlertmanager(
      inject('alertmanagerPath'),
      `
route:
  receiver: webhook
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - receiver: pagerduty
      matchers: ['via="pagerduty"']
    - receiver: webhook
      matchers: ['via="bulk"']
      group_by: [alertname]
      group_wait: 5s
    - receiver: pagerduty-defaults
      matchers: ['via="bulk-pagerduty"']
      group_by: [alertname]
      group_wait: 5s
receivers:
  - name: webhook
    webhook_configs:
      - url: ${api.url}/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: ${api.integrationKey}
  - name: pagerduty
    pagerduty_configs:
      - url: ${api.url}/v2/enqueue
        routing_key: ${api.integrationKey}
        send_resolved: true
        component: pgbouncer
        severity: '{{ .CommonLabels.severity }}'
        details:
          alertname: '{{ .CommonLabels.alertname }}'
          instance: '{{ .CommonLabels.instance }}'
  # Alertmanager's own defaults: its details list every alert of the group (firing, resolved, counts).
  - name: pagerduty-defaults
    pagerduty_configs:
      - url: ${api.url}/v2/enqueue
        routing_key: ${api.integrationKey}
`,
    );
  });
  afterAll(async () => {
    await am?.stop();
    api?.close();
  });

  const postToAlertmanager = async (alerts: unknown[]) => {
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status, await res.text()).toBe(200);
  };
  const waitFor = async <T>(check: () => Promise<T | undefined | false>, what: string, ms = 30_000): Promise<T> => {
    const until = Date.now() + ms;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; alertmanager said: ${am.output().slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const GRPC_DEADLINE_EXCEEDED = 4;
  const stateOf = async (workflowId: string): Promise<IncidentState | undefined> => {
    try {
      return await suite.client.workflow.getHandle(workflowId).query(incidentStateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      // A worker busy with a group of 300 new incidents may not answer a query in time: not yet, ask again.
      if ((err as { cause?: { code?: number } }).cause?.code === GRPC_DEADLINE_EXCEEDED) return undefined;
      throw err;
    }
  };

  it('a firing alert opens its incident with the labels mapped; resolved, the policy closes it (nobody acted)', async () => {
    const instance = `db-${Math.random().toString(36).slice(2, 8)}`;
    // On a whole 100 ms, so Alertmanager always drops trailing zeros from the fraction (as any Go time can).
    const startsAt = new Date(Math.floor((Date.now() - 60_000) / 100) * 100).toISOString();
    const alerts = (endsAt?: string) => [
      {
        labels: { alertname: 'PostgresDown', instance, severity: 'critical', via: 'webhook' },
        annotations: { summary: `PostgreSQL on ${instance} is down` },
        startsAt,
        ...(endsAt && { endsAt }),
      },
      {
        labels: { alertname: 'PgBouncerSaturated', instance, severity: 'warning', via: 'pagerduty' },
        annotations: { summary: `pgbouncer on ${instance} is saturated` },
        startsAt,
        ...(endsAt && { endsAt }),
      },
    ];
    await postToAlertmanager(alerts());

    const webhookId = `incident/database-outage/oltp/PostgresDown:${instance}`;
    const pagerdutyId = `incident/connection-pool-exhaustion/queue/PgBouncerSaturated:${instance}`;
    const byWebhook = await waitFor(() => stateOf(webhookId), `${webhookId} to open`);
    expect(byWebhook).toMatchObject({ severity: 'critical', title: `PostgreSQL on ${instance} is down`, phase: 'triggered' });
    const byPagerDuty = await waitFor(() => stateOf(pagerdutyId), `${pagerdutyId} to open`);
    // Alertmanager's PagerDuty severity is the alert's label (warning → medium).
    expect(byPagerDuty).toMatchObject({ severity: 'medium', phase: 'triggered' });
    const opened = await waitFor(
      async () => (await readIncidentEvents(suite.harness.db.pool, byWebhook.incidentId))[0],
      'the opened event',
    );
    expect(opened).toMatchObject({ kind: 'opened', actor: 'integration:monitoring' });
    // The same instant: Alertmanager (Go) writes it with trailing zeros of the fraction dropped (…11.61Z for …11.610Z).
    expect(Date.parse(String((opened.data as Record<string, unknown>).firedAt))).toBe(Date.parse(startsAt));
    expect(String((opened.data as Record<string, unknown>).summary)).toMatch(
      new RegExp(`labels alertname=PostgresDown, instance=${instance}`),
    );

    // Resolved: endsAt in the past. Both incidents' type (outage, pool) closes when nobody has acted.
    await postToAlertmanager(alerts(new Date(Date.now() - 1000).toISOString()));
    for (const id of [webhookId, pagerdutyId]) {
      const final = (await waitFor(async () => {
        const s = await stateOf(id);
        return s?.phase === 'resolved' && s;
      }, `${id} to resolve`)) as IncidentState;
      expect(final.resolvedBy).toBe('integration:monitoring');
      const events = await waitFor(async () => {
        const e = await readIncidentEvents(suite.harness.db.pool, final.incidentId);
        return e.some((x) => x.kind === 'resolved') && e;
      }, 'the resolved event');
      expect(events.find((e) => e.kind === 'alert-resolved')?.data).toMatchObject({ policy: 'resolve', outcome: 'closed' });
    }
  });

  // Alertmanager posts a whole group at once and never resends one refused with a 4xx (it was refused at 64 KiB
  // and 100 alerts: every alert of the group was lost).
  it('a group of 300 alerts in one webhook post (over 200 KiB) opens an incident for each', { timeout: 120_000 }, async () => {
    const run = Math.random().toString(36).slice(2, 8);
    const alerts = Array.from({ length: 300 }, (_, i) => ({
      labels: { alertname: `ReplicaLagging-${run}`, instance: `replica-${i}`, severity: 'warning', via: 'bulk', team: 'dba' },
      annotations: { summary: `replica ${i} lags`, description: 'x'.repeat(400), runbook_url: 'https://runbooks.example/replica-lag' },
      // Now: an alert that started more than group_wait ago makes Alertmanager send its group at once, in parts.
      startsAt: new Date(Math.floor(Date.now() / 100) * 100).toISOString(),
    }));
    await postToAlertmanager(alerts);
    const opened = await waitFor(
      async () => {
        const { rows } = await suite.harness.db.pool.query(
          'SELECT count(DISTINCT workflow_id)::int AS n FROM alert_keys WHERE workflow_id LIKE $1',
          [`%ReplicaLagging-${run}%`],
        );
        return rows[0].n === 300 && rows[0].n;
      },
      'all 300 alerts to be taken',
      90_000,
    );
    expect(opened).toBe(300);
  });

  it(
    'a group of 300 alerts through the PagerDuty receiver (one event whose details list them all, over 64 KiB) opens its incident',
    { timeout: 120_000 },
    async () => {
      const run = Math.random().toString(36).slice(2, 8);
      const alerts = Array.from({ length: 300 }, (_, i) => ({
        labels: { alertname: `QueueBacklog-${run}`, instance: `worker-${i}`, severity: 'warning', via: 'bulk-pagerduty' },
        annotations: { summary: `worker ${i} backlog`, description: 'y'.repeat(300) },
        startsAt: new Date(Math.floor(Date.now() / 100) * 100).toISOString(),
      }));
      const since = new Date();
      await postToAlertmanager(alerts);
      // Alertmanager's PagerDuty event is the group's: its dedup key is a hash of the group key, its summary names it.
      const state = await waitFor(
        async () => {
          const { rows } = await suite.harness.db.pool.query('SELECT workflow_id FROM alert_keys WHERE updated_at >= $1', [since]);
          for (const { workflow_id } of rows) {
            const s = await stateOf(workflow_id as string);
            if (s?.title.includes(`QueueBacklog-${run}`)) return s;
          }
          return undefined;
        },
        'the group’s PagerDuty event to open an incident',
        60_000,
      );
      expect(state.title).toMatch(/^\[FIRING:300\] QueueBacklog-/);
      expect(state.phase).toBe('triggered');
    },
  );
});
