import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { createActivities } from '../../activities';
import { checklistIncidentOpener, type OpenIncidentContext } from '../../client/incidents/openIncident';
import { scheduledDrillOpener } from '../../client/incidents/openDrill';
import { heldIncidentReleaser } from '../../client/alerts/releaseHeldAlerts';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../activities/checks/databaseChecks';
import type { NotificationChannel } from '../../activities/notify/channels';
import { createOutbox } from '../../activities/notify/outbox';
import type { NotificationRequest } from '../../activities/contracts';
import { createLogger } from '../../lib/logger';
import { registerSearchAttributes } from '../../client/temporal/registerSearchAttributes';
import { loadRoster } from '../../lib/roster';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { SchedulesInForce } from '../../lib/schedules';
import { overridesInForce } from '../../activities/notify/overridesInForce';
import type { SecretKeys } from '../../lib/secretKeys';
import { createTierPools, closeTierPools } from '../../lib/tierPools';
import type { BusinessCalendar } from '../../runbooks/types';
import { createDbopsWorker, type WorkerTuning } from '../../workers/createWorker';
import { createTestDatabase, type TestDatabase } from './database';

// Quiet the SDK's own logging in tests; failures still surface through assertions.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  /* already installed in this worker process */
}

export const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));
export const calendar: BusinessCalendar = { timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], dayStartHour: 9 };
export const quietLogger = createLogger({ level: 'silent' });

/** A notification channel that keeps what it was given, so tests can read who was paged and when. */
export function recordingChannel(): NotificationChannel & { sent: NotificationRequest[]; failing: boolean } {
  const channel = {
    name: 'recorder',
    sent: [] as NotificationRequest[],
    failing: false,
    async deliver(n: NotificationRequest) {
      if (channel.failing) throw new Error('recorder channel is down');
      channel.sent.push(n);
    },
  };
  return channel;
}

export interface Harness {
  db: TestDatabase;
  channel: ReturnType<typeof recordingChannel>;
  activities: ReturnType<typeof createActivities>;
  failover: { command?: string; url?: string };
  /** Where breached checklist thresholds open incidents: set by the test once it has a client. */
  incidents: { current?: OpenIncidentContext };
  close(): Promise<void>;
}

/** Real activities on a fresh database of the run's PostgreSQL; notifications are recorded. */
export async function createHarness(
  options: {
    adminStatusUrl?: string;
    thresholds?: Partial<Thresholds>;
    currentRoster?: () => RosterInForce;
    /** The on-call schedules in force (with currentRoster); overrides are read from the harness's store. */
    currentSchedules?: () => SchedulesInForce;
    /** DBOPS_SECRET_KEY's keys: incidents' chain heads are signed with them. */
    secretKeys?: SecretKeys;
    /** Real channels beside the recorder (e-mail to a test SMTP server, signed webhooks). */
    channels?: NotificationChannel[];
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase('wf');
  const tierPools = createTierPools({}, db.url);
  const channel = recordingChannel();
  const failover: { command?: string; url?: string } = {};
  const incidents: { current?: OpenIncidentContext } = {};
  const channels = [channel, ...(options.channels ?? [])];
  const activities = createActivities({
    auditPool: db.pool,
    tierPools,
    channels,
    outbox: createOutbox({ pool: db.pool, channels, logger: quietLogger }),
    logger: quietLogger,
    adminStatusUrl: options.adminStatusUrl,
    failover,
    thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds },
    allowedCidrs: ['127.0.0.0/8', '::1/128'],
    currentRoster: options.currentRoster,
    currentSchedules: options.currentSchedules,
    overridesAt: overridesInForce(db.pool),
    secretKeys: options.secretKeys,
    openIncident: checklistIncidentOpener(() => {
      if (!incidents.current) throw new Error('the test did not set harness.incidents.current');
      return incidents.current;
    }),
    openDrill: scheduledDrillOpener(() => {
      if (!incidents.current) throw new Error('the test did not set harness.incidents.current');
      return incidents.current;
    }),
    releaseHeldIncident: heldIncidentReleaser(() => {
      if (!incidents.current) throw new Error('the test did not set harness.incidents.current');
      return incidents.current;
    }, db.pool),
  });
  return {
    db,
    channel,
    activities,
    failover,
    incidents,
    async close() {
      await closeTierPools(tierPools);
      await db.drop();
    },
  };
}

export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

export async function devServerConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: inject('devServerAddress') });
}

/** Starts a real worker for the whole test file; stop() shuts it down and waits for it to drain. */
export async function startWorker(
  connection: NativeConnection,
  harness: Harness,
  taskQueue: string,
  namespace = 'default',
  tuning?: WorkerTuning,
) {
  const worker = await createDbopsWorker({
    connection,
    namespace,
    taskQueue,
    activities: harness.activities,
    workflowBundlePath: inject('workflowBundlePath'),
    tuning,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/**
 * One describe block's real parts: a time-skipping server, real activities on a fresh database, and a running
 * worker; checklists that breach a threshold open incidents through the same server. Options are read when the
 * block starts, so they may depend on earlier beforeAll hooks.
 */
export function timeSkippingSuite(taskQueue: string, options: () => Parameters<typeof createHarness>[0] = () => ({})) {
  const suite = {} as { env: TestWorkflowEnvironment; harness: Harness };
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  beforeAll(async () => {
    [suite.env, suite.harness] = await Promise.all([timeSkippingEnvironment(), createHarness(options())]);
    suite.harness.incidents.current = { client: suite.env.client, taskQueue, roster, calendar };
    worker = await startWorker(suite.env.nativeConnection, suite.harness, taskQueue);
  });
  afterAll(async () => {
    await worker?.stop();
    await suite.env?.teardown();
    await suite.harness?.close();
  });
  return suite;
}

/**
 * One describe block on the shared dev server with no worker yet: real activities on a fresh database, a client, and
 * the context incidents open with (`incidents`); breached checklist thresholds open incidents through the same client.
 * The test starts the worker (`runWorker`) once what it plays is waiting in the task queue, and stops it.
 */
export function devServerSuiteWithoutWorker(taskQueue: string, options: () => Parameters<typeof createHarness>[0] = () => ({})) {
  const suite = {} as {
    harness: Harness;
    client: Client;
    incidents: OpenIncidentContext;
    runWorker: (tuning?: WorkerTuning) => ReturnType<typeof startWorker>;
  };
  let native: NativeConnection | undefined;
  let connection: Connection | undefined;
  beforeAll(async () => {
    suite.harness = await createHarness(options());
    native = await devServerConnection();
    connection = await Connection.connect({ address: inject('devServerAddress') });
    suite.client = new Client({ connection });
    suite.incidents = { client: suite.client, taskQueue, roster, calendar };
    suite.harness.incidents.current = suite.incidents;
    suite.runWorker = (tuning) => startWorker(native!, suite.harness, taskQueue, 'default', tuning);
  });
  afterAll(async () => {
    await connection?.close();
    await native?.close();
    await suite.harness?.close();
  });
  return suite;
}

/**
 * One describe block on the shared dev server: real activities on a fresh database, a client, and a worker on its
 * own task queue; breached checklist thresholds open incidents through the same client.
 */
export function devServerSuite(taskQueue: string, options: () => Parameters<typeof createHarness>[0] = () => ({}), tuning?: WorkerTuning) {
  const suite = devServerSuiteWithoutWorker(taskQueue, options);
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  beforeAll(async () => {
    worker = await suite.runWorker(tuning);
  });
  // Registered after the suite's own: vitest runs afterAll hooks in reverse, so the worker stops before its connection closes.
  afterAll(async () => {
    await worker?.stop();
  });
  return suite;
}
