import { Client, Connection } from '@temporalio/client';
import type { ServerType } from '@hono/node-server';
import type http from 'node:http';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiApp } from '../../client/api/app';
import { startIntake } from '../../client/api/listen';
import { withOperations } from '../../client/api/operations';
import { freePort } from '../../dev/provision/processes';
import { startOpsServer } from '../../workers/opsServer';
import { calendar, quietLogger, roster } from '../support/harness';

/** A probe that fails says which dependency is down, so whoever is paged at 3 a.m. knows where to look. */
describe('/healthz and /readyz name the dependency that is down', () => {
  let connection: Connection;
  let reachableStore: Pool;
  let unreachableStore: Pool;
  const servers: { close(): unknown }[] = [];
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('devServerAddress') });
    reachableStore = new Pool({ connectionString: inject('databaseUrl'), max: 1 });
    // Nothing listens on this port: the store is down.
    unreachableStore = new Pool({ connectionString: `postgres://dbops:x@127.0.0.1:${await freePort()}/dbops`, max: 1 });
    unreachableStore.on('error', () => undefined);
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await reachableStore?.end();
    await unreachableStore?.end();
    await connection?.close();
  });

  async function worker(auditPool: Pool): Promise<string> {
    const port = await freePort();
    const server: http.Server = await startOpsServer({
      host: '127.0.0.1',
      port,
      worker: () => undefined,
      connection,
      auditPool,
      log: quietLogger,
    });
    servers.push(server);
    return `http://127.0.0.1:${port}`;
  }

  it("a worker's /readyz answers 503 naming the audit store, and a worker that does not run yet", async () => {
    const url = await worker(unreachableStore);
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Record<string, string> };
    expect(body.checks.temporal).toBe('ok');
    expect(body.checks.auditStore).toMatch(/^down: .*ECONNREFUSED/);
    expect(body.checks.worker).toBe('down: worker is STARTING');
  });

  it("a worker's /metrics serves dbops' counts from the audit store", async () => {
    const url = await worker(reachableStore);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('# TYPE dbops_pages_sent_total counter');
    expect(text).toMatch(/^dbops_sla_misses_total \d+$/m);
  });

  it("an intake's /readyz answers 200 while Temporal answers and 503 naming Temporal once it does not", async () => {
    const own = await Connection.connect({ address: inject('devServerAddress') });
    const client = new Client({ connection: own });
    const port = await freePort();
    const pool = new Pool({ connectionString: inject('databaseUrl'), max: 2 });
    const app = withOperations(
      createApiApp(
        { client, taskQueue: 'health', roster: () => ({ roster, version: 'test' }), calendar, pool, rateLimitPerMinute: 60 },
        quietLogger,
      ),
      { connection: own, pool },
    );
    const intake: ServerType = await startIntake(app, port);
    servers.push(intake);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    await own.close();
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { checks: Record<string, string> }).checks.temporal).toMatch(/^down: /);
    await pool.end();
  });
});
