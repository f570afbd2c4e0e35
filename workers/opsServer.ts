import http from 'node:http';
import type { Connection } from '@temporalio/client';
import type { DbopsWorker } from './createWorker';
import type { Pool } from 'pg';
import { readStoreMetrics } from '../db/metrics/storeMetrics';
import { runHealthChecks } from '../lib/healthChecks';
import type { Logger } from '../lib/logger';
import { renderMetrics } from '../lib/prometheus';

/**
 * The worker's operations endpoint: /metrics (the SDK runtime's Prometheus metrics followed by dbops' own),
 * /healthz (the process runs its worker) and /readyz (and reaches Temporal and the audit store), each answering
 * with every check by name, so a failing probe says which dependency is down.
 */
export function startOpsServer(o: {
  host: string;
  port: number;
  worker: () => Pick<DbopsWorker, 'getState'> | undefined;
  connection: Connection;
  auditPool: Pool;
  /** Where the SDK runtime's own exporter listens (loopback, not published). */
  sdkMetricsUrl?: string;
  log: Logger;
}): Promise<http.Server> {
  const workerRunning = async () => {
    const state = o.worker()?.getState() ?? 'STARTING';
    if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
  };
  const checks = {
    worker: workerRunning,
    temporal: () => o.connection.healthService.check({}),
    auditStore: () => o.auditPool.query('SELECT 1'),
  };
  const server = http.createServer((req, res) => {
    const answer = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const route = req.url?.split('?')[0];
    void (async () => {
      if (route === '/healthz') {
        const report = await runHealthChecks({ worker: workerRunning });
        return answer(report.ok ? 200 : 503, JSON.stringify(report));
      }
      if (route === '/readyz') {
        const report = await runHealthChecks(checks);
        return answer(report.ok ? 200 : 503, JSON.stringify(report));
      }
      if (route === '/metrics') {
        const [sdk, own] = await Promise.all([
          o.sdkMetricsUrl ? fetch(o.sdkMetricsUrl).then((r) => r.text()) : '',
          readStoreMetrics(o.auditPool).then(renderMetrics),
        ]);
        return answer(200, sdk + own, 'text/plain; version=0.0.4');
      }
      answer(404, JSON.stringify({ error: 'only /metrics, /healthz and /readyz are served here' }));
    })().catch((err) => {
      o.log.warn({ err: (err as Error).message, route }, 'ops endpoint failed');
      answer(503, JSON.stringify({ error: (err as Error).message }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}

/** A free loopback port for the SDK runtime's exporter, which only the ops endpoint reads. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = http.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
