import type { Client } from '@temporalio/client';
import path from 'node:path';
import { createApiApp } from '../client/api/app';
import { startIntake } from '../client/api/listen';
import { createCredential } from '../db/credentials/credentials';
import { freePort } from '../dev/provision/processes';
import { createLogger } from '../lib/logger';
import { rosterInForce } from '../lib/rosterInForce';
import { calendar, type BenchContext } from './context';

/**
 * The real alert intake (POST /alerts, its key check, body limit and JSON parsing) on a free port, over a bench
 * session's client, with an integration key of its own and no rate limit to speak of: what a monitoring tool posts
 * to, so a storm is measured through the path real alerts take.
 */
export async function startBenchIntake(ctx: BenchContext, session: { client: Client; taskQueue: string }) {
  const port = await freePort();
  const app = createApiApp(
    {
      client: session.client,
      taskQueue: session.taskQueue,
      calendar,
      pool: ctx.db.pool,
      roster: rosterInForce(path.resolve(__dirname, '../config/roster.example.json')),
      rateLimitPerMinute: 1_000_000,
    },
    createLogger({ level: 'silent' }),
  );
  const server = await startIntake(app, port);
  const { secret } = await createCredential(ctx.db.pool, 'integration', `bench-${port}-${Date.now()}`);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    /** The integration key monitoring tools authenticate with. */
    key: secret,
    /** Posts one alert; the intake's status and the workflow id it names (when accepted). */
    async post(alert: Record<string, unknown>): Promise<{ status: number; workflowId?: string }> {
      const res = await fetch(`${url}/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(alert),
      });
      const body = (await res.json()) as { workflowId?: string };
      return { status: res.status, workflowId: body.workflowId };
    },
    close: () => server.close(),
  };
}
