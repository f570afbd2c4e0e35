import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAlertmanager } from '../../dev/provision/alertmanager';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { startTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { devServerSuite } from '../support/harness';
import { testCertificate } from '../support/testCertificate';

/**
 * The intake serving HTTPS itself (DBOPS_TLS_CERT / DBOPS_TLS_KEY, the way it may listen beyond loopback), with a
 * certificate of a private CA, and a real Alertmanager sending to it as production would: over TLS, trusting that
 * CA (`tls_config.ca_file`), with the integration key as its bearer token. A plain-HTTP request gets no answer.
 */
describe('a real Alertmanager sends to the intake over HTTPS', () => {
  const taskQueue = `alertmanager-tls-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-intake-tls-'));
  let api: TestApi;
  let am: Awaited<ReturnType<typeof startAlertmanager>>;
  beforeAll(async () => {
    const certificate = testCertificate(dir, 'intake');
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, {
      tls: { cert: certificate.certFile, key: certificate.keyFile },
    });
    am = await startAlertmanager(
      inject('alertmanagerPath'),
      `
route:
  receiver: dbops
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: dbops
    webhook_configs:
      - url: ${api.url}/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: ${api.integrationKey}
          tls_config:
            ca_file: ${certificate.certFile}
`,
    );
  });
  afterAll(async () => {
    await am?.stop();
    api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens the incident from an alert posted to Alertmanager; plain HTTP to the same port is not served', async () => {
    expect(api.url).toMatch(/^https:/);
    const instance = `tls-${Math.random().toString(36).slice(2, 8)}`;
    const since = new Date();
    const posted = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'PostgresDown', instance, severity: 'critical' },
          annotations: { summary: `PostgreSQL on ${instance} is down` },
          startsAt: new Date().toISOString(),
        },
      ]),
    });
    expect(posted.status).toBe(200);
    // The incident the alert's key opened (routed by the built-in routing: PostgresDown → database-outage on oltp).
    const state = await eventually(
      'the incident to open',
      async () => {
        const { rows } = await suite.harness.db.pool.query('SELECT workflow_id FROM alert_keys WHERE updated_at >= $1', [since]);
        for (const { workflow_id } of rows) {
          const s = (await suite.client.workflow.getHandle(workflow_id as string).query(incidentStateQuery)) as IncidentState;
          if (s.title.includes(instance)) return s;
        }
        return undefined;
      },
      Boolean,
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; Alertmanager said: ${am.output().slice(-1500)}`);
    });
    expect(state).toMatchObject({ type: 'database-outage', severity: 'critical', title: `PostgreSQL on ${instance} is down` });
    await expect(fetch(api.url.replace('https:', 'http:') + '/health')).rejects.toThrow();
    await suite.client.workflow.getHandle(state!.incidentKey).terminate('test over');
  });
});
