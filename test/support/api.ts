import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { createIntakeApp, startIntake } from '../../client/api/intake';
import { createCredential } from '../../db/credentials/credentials';
import { freePort } from '../../dev/provision/processes';
import type { Logger } from '../../lib/logger';
import { rosterInForce } from '../../lib/rosterInForce';
import { schedulesInForce } from '../../lib/schedules';
import type { RoutingConfig } from '../../runbooks/alertRouting';
import { calendar, quietLogger, roster } from './harness';

export interface TestApi {
  url: string;
  /** The roster file the API reads (a copy of the example roster): tests edit it to change who may act. */
  rosterFile: string;
  /** A live key of the integration 'monitoring'. */
  integrationKey: string;
  /** A new personal token for a roster id. */
  tokenOf(person: string): Promise<string>;
  close(): void;
}

/** The real dbops API on 127.0.0.1 and a free port, over a client and an audit store of the test's. */
export async function startTestApi(
  client: Client,
  pool: Pool,
  taskQueue: string,
  opts: {
    rateLimitPerMinute?: number;
    rosterFile?: string;
    /** An on-call schedules file (DBOPS_SCHEDULES); without one every role is held by the roster. */
    schedulesFile?: string;
    routing?: RoutingConfig;
    pageLinkSecret?: string;
    logger?: Logger;
    /** PEM files: the API serves HTTPS with them, as DBOPS_TLS_CERT and DBOPS_TLS_KEY make it. */
    tls?: { cert: string; key: string };
  } = {},
) {
  const rosterFile = opts.rosterFile ?? scratchRosterFile();
  const port = await freePort();
  const currentRoster = rosterInForce(rosterFile);
  const app = createIntakeApp(
    {
      client,
      taskQueue,
      calendar,
      pool,
      roster: currentRoster,
      schedules: schedulesInForce(opts.schedulesFile, currentRoster),
      rateLimitPerMinute: opts.rateLimitPerMinute ?? 10_000,
      routing: opts.routing,
      pageLinkSecret: opts.pageLinkSecret,
    },
    opts.logger ?? quietLogger,
  );
  const server: ServerType = await startIntake(app, port, '127.0.0.1', opts.tls);
  const { secret: integrationKey } = await createCredential(pool, 'integration', 'monitoring');
  const api: TestApi = {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    rosterFile,
    integrationKey,
    tokenOf: async (person) => (await createCredential(pool, 'person', person)).secret,
    close: () => {
      server.close();
      fs.rmSync(path.dirname(rosterFile), { recursive: true, force: true });
    },
  };
  return api;
}

/** A copy of the example roster in a scratch folder, for a test to edit. */
export function scratchRosterFile(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-roster-')), 'roster.json');
  fs.writeFileSync(file, JSON.stringify(roster, null, 2));
  return file;
}

/** Rewrites the roster file the API reads; the mtime moves on (a same-millisecond edit would otherwise look unchanged). */
export function writeRoster(file: string, data: unknown) {
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
  const later = new Date(Date.now() + 2000);
  fs.utimesSync(file, later, later);
}
