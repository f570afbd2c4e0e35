import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { startProductionShape, type ProductionShape } from '../dev/productionShape';
import { BENCH_CACHE_DIR } from './provision';
import { createLogger } from '../lib/logger';
import type { BenchResult } from './report';
import { ms, percentile } from './stats';

const ALERTS = 100;
const CONCURRENCY = 10;

/**
 * Alert → page on the production shape (the real Temporal server on PostgreSQL, separate worker and intake
 * processes): ALERTS alerts on new keys, CONCURRENCY at a time, round-robin to two intakes, with one worker and
 * then with two. A page counts when the webhook receives it.
 */
export async function productionShapeLatency(): Promise<BenchResult> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bench-shape-'));
  fs.chmodSync(scratch, 0o755); // as root, the embedded server runs as a 'postgres' user that must reach its data
  const pages = new Map<string, number>(); // incident id → when its first page arrived
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { dbops } = JSON.parse(body) as { dbops: { kind: string; subject: string } };
      if (dbops.kind === 'page' && !pages.has(dbops.subject)) pages.set(dbops.subject, Date.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  let shape: ProductionShape | undefined;
  let pool: Pool | undefined;
  try {
    shape = await startProductionShape({
      dir: scratch,
      cacheDir: BENCH_CACHE_DIR,
      log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }),
      workers: 1,
      apis: 2,
      serverPath: process.env.TEMPORAL_SERVER_PATH,
      sqlToolPath: process.env.TEMPORAL_SQL_TOOL_PATH,
      bundlePath: path.join(scratch, 'workflow-bundle.js'),
      env: {
        DBOPS_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        LOG_LEVEL: 'warn',
        DBOPS_RATE_LIMIT_PER_MINUTE: '1000000',
      },
    });
    pool = new Pool({ connectionString: shape.databaseUrl, max: 2 });
    const one = await storm(shape, pool, pages, 'one');
    await shape.addWorker();
    const two = await storm(shape, pool, pages, 'two');
    return {
      name: 'production shape: alert → page',
      setting: `real Temporal server on PostgreSQL, 2 intakes, ${ALERTS} new incidents, ${CONCURRENCY} alerts in flight`,
      figures: [
        ['1 worker: p50 / p99; incidents paged/s', one],
        ['2 workers: p50 / p99; incidents paged/s', two],
      ],
      notes: ['every process shares the same 2 cores (server, PostgreSQL, workers, intakes, this script): a second worker adds no CPU'],
    };
  } finally {
    await pool?.end();
    await shape?.stop();
    receiver.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function storm(shape: ProductionShape, pool: Pool, pages: Map<string, number>, label: string): Promise<string> {
  const sentAt = new Map<string, number>(); // workflow id → when its alert was sent
  let next = 0;
  const started = Date.now();
  const sender = async () => {
    while (next < ALERTS) {
      const i = next++;
      const t0 = Date.now();
      const res = await fetch(`${shape.apis[i % shape.apis.length]!.url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${shape.intakeKey}` },
        body: JSON.stringify({ type: 'performance-degradation', tier: 'olap', fingerprint: `bench-${label}-${started}-${i}` }),
      });
      const { workflowId } = (await res.json()) as { workflowId: string };
      sentAt.set(workflowId, t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  const latencies: number[] = [];
  let lastPage = 0;
  const deadline = Date.now() + 120_000;
  while (latencies.length < ALERTS && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await pool.query<{ incident_id: string; workflow_id: string }>(
      `SELECT incident_id, workflow_id FROM incidents WHERE workflow_id = ANY($1)`,
      [[...sentAt.keys()]],
    );
    latencies.length = 0;
    for (const r of rows) {
      const paged = pages.get(r.incident_id);
      if (paged) latencies.push(paged - sentAt.get(r.workflow_id)!);
      if (paged) lastPage = Math.max(lastPage, paged);
    }
  }
  if (latencies.length < ALERTS) return `only ${latencies.length} of ${ALERTS} paged within 120 s`;
  const perSecond = ALERTS / ((lastPage - started) / 1000);
  return `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}; ${perSecond.toFixed(1)}/s`;
}
