import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerType } from '@hono/node-server';
import type { PageLinker } from '../../activities/notify/channels';
import { Client, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { tsToMs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, inject } from 'vitest';
import { createApiApp } from '../../client/api/app';
import { startIntake } from '../../client/api/listen';
import type { ConsoleSettings } from '../../client/console/consoleSettings';
import { createCredential, signingKeyOf } from '../../db/credentials/credentials';
import { signBody } from '../../lib/bodySignature';
import { freePort } from '../../dev/provision/processes';
import type { Logger } from '../../lib/logger';
import { pageLinksFor } from '../../lib/pageLinks';
import { rosterInForce } from '../../lib/rosterInForce';
import { parseSecretKeys, type SecretKeys } from '../../lib/secretKeys';
import { schedulesInForce } from '../../lib/schedules';
import type { RoutingConfig } from '../../runbooks/alertRouting';
import { runbookNow, type Runbook } from '../../runbooks/runbook';
import { createTestDatabase, type TestDatabase } from './database';
import { calendar, quietLogger, roster } from './harness';

export interface TestApi {
  url: string;
  /** The roster file the API reads (a copy of the example roster): tests edit it to change who may act. */
  rosterFile: string;
  /** A live key of the integration 'monitoring' (bearer, or signing: its signing key is sealed with `secretKeys`). */
  integrationKey: string;
  /** The API's DBOPS_SECRET_KEY (a fresh key of the test's, unless given). */
  secretKeys: SecretKeys;
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
    /** The runbook in force (a runbook file's, reloaded when it changes); default: the shipped one. */
    runbook?: () => Runbook;
    pageLinkSecret?: string;
    logger?: Logger;
    /** PEM files: the API serves HTTPS with them, as DBOPS_TLS_CERT and DBOPS_TLS_KEY make it. */
    tls?: { cert: string; key: string };
    /** DBOPS_API_DEADLINE_SECONDS, in ms. */
    deadlineMs?: number;
    /** DBOPS_SECRET_KEY; default: a fresh key of the test's. */
    secretKeys?: SecretKeys;
    /** The web console's settings (OpenID Provider, Temporal UI link). */
    console?: ConsoleSettings;
    /** Incidents it opens continue as new after this many history events (the worker's default otherwise). */
    continueAsNewAfterEvents?: number;
  } = {},
) {
  const rosterFile = opts.rosterFile ?? scratchRosterFile();
  const secretKeys = opts.secretKeys ?? parseSecretKeys(`test-1:${randomBytes(32).toString('base64')}`, 'the test API');
  const port = await freePort();
  // As the API's main: the roster's roles are the runbook in force's.
  const currentRoster = rosterInForce(rosterFile, undefined, () => runbookNow(opts.runbook).roles);
  const app = createApiApp(
    {
      client,
      taskQueue,
      calendar,
      pool,
      roster: currentRoster,
      schedules: schedulesInForce(opts.schedulesFile, currentRoster, undefined, () => runbookNow(opts.runbook).roles),
      rateLimitPerMinute: opts.rateLimitPerMinute ?? 10_000,
      routing: opts.routing,
      runbook: opts.runbook,
      pageLinkSecret: opts.pageLinkSecret,
      deadlineMs: opts.deadlineMs,
      secretKeys,
      console: opts.console,
      continueAsNewAfterEvents: opts.continueAsNewAfterEvents,
      temporalClock: serverClockOf(client),
    },
    opts.logger ?? quietLogger,
  );
  const server: ServerType = await startIntake(app, port, '127.0.0.1', opts.tls);
  const { secret: integrationKey } = await createCredential(pool, 'integration', 'monitoring', '', { keys: secretKeys });
  const api: TestApi = {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    rosterFile,
    integrationKey,
    secretKeys,
    tokenOf: async (person) => (await createCredential(pool, 'person', person)).secret,
    close: () => {
      server.close();
      fs.rmSync(path.dirname(rosterFile), { recursive: true, force: true });
    },
  };
  return api;
}

/**
 * A time-skipping test server's clock, which runs ahead of this process's once a test skips time: an alert stamped on
 * this process's clock would then look minutes old to its incident, whose deadlines (clocked from the receipt) come
 * due at once, racing the test's next Update (the Java test server then refuses the task for good: sdk-java#2606).
 * Undefined for a real server, whose clock is this machine's.
 */
function serverClockOf(client: Client): (() => Promise<number>) | undefined {
  const testService = (client.connection as Connection).testService;
  if (!testService) return undefined;
  return async () => tsToMs((await testService.getCurrentTime({})).time);
}

/**
 * The headers of a signed alert (x-dbops-integration, -timestamp, -signature) for `body`, signed as an alert source
 * signs with `key`: HMAC-SHA256 keyed with the hex SHA-256 of the key, over "<timestamp>.<body>".
 */
export function signedAlertHeaders(key: string, body: string, timestamp = Math.floor(Date.now() / 1000), integration = 'monitoring') {
  return {
    'x-dbops-integration': integration,
    'x-dbops-timestamp': String(timestamp),
    'x-dbops-signature': signBody(signingKeyOf(key), timestamp, body),
  };
}

/**
 * One describe block's API on the run's dev server, over a fresh database of its own, with no worker: what arrives
 * opens (or repeats) its incidents, and nothing runs them. Options are read when the block starts.
 */
export function apiSuite(name: string, options: () => Parameters<typeof startTestApi>[3] = () => ({})) {
  const suite = { taskQueue: `${name}-${Date.now()}` } as { taskQueue: string; db: TestDatabase; client: Client; api: TestApi };
  let connection: Connection | undefined;
  beforeAll(async () => {
    suite.db = await createTestDatabase(name.replace(/-/g, '_'));
    connection = await Connection.connect({ address: inject('devServerAddress') });
    suite.client = new Client({ connection });
    suite.api = await startTestApi(suite.client, suite.db.pool, suite.taskQueue, options());
  });
  afterAll(async () => {
    suite.api?.close();
    await connection?.close();
    await suite.db?.drop();
  });
  return suite;
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

/**
 * Page links for a suite whose worker starts before its API: they point at `publicUrl.current`, which the test sets
 * once the API listens, and work for an hour.
 */
export function linksToLateApi(secret: string) {
  const publicUrl = { current: 'http://unset' };
  const links: PageLinker = (n, person) => pageLinksFor({ secret, publicUrl: publicUrl.current, ttlMs: 3_600_000 }, n, person);
  return { links, publicUrl };
}
