import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Connection, WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { DEFAULT_THRESHOLDS } from '../../activities/checks/databaseChecks';
import type { NotificationChannel } from '../../activities/notify/channels';
import type { NotificationRequest, StepResult } from '../../activities/contracts';
import { createOutbox } from '../../activities/notify/outbox';
import { openIncident } from '../../client/incidents/openIncident';
import { registerSearchAttributes } from '../../client/temporal/registerSearchAttributes';
import { readIncidentEvents } from '../../db/audit/readEvents';
import type { Logger } from '../../lib/logger';
import { closeTierPools, createTierPools } from '../../lib/tierPools';
import { BUILT_IN_RUNBOOK, type Runbook } from '../../runbooks/runbook';
import type { Roster } from '../../runbooks/roster';
import type { BusinessCalendar, IncidentTypeId, Severity, Tier } from '../../runbooks/types';
import { createDbopsWorker } from '../../workers/createWorker';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { completeStepUpdate, incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { startEmbeddedPostgres } from '../provision/postgres';
import { provisionTestServer } from '../provision/testServer';
import { createScratchDatabase, type ScratchDatabase } from '../scratchDatabase';
import { dryRunTimeline, type DryRunTimeline } from './dryRunTimeline';

export interface DryRunOptions {
  type: IncidentTypeId;
  tier: Tier;
  severity?: Severity;
  roster: Roster;
  calendar: BusinessCalendar;
  /** The runbook to prove (the file in force, or one about to be); the shipped one when absent. */
  runbook?: Runbook;
  /** Where the Java test server is cached (`.dbops/cache`). */
  cacheDir: string;
  /** A PostgreSQL server to make the scratch database on; absent: an embedded one in a temporary folder. */
  databaseUrl?: string;
  /** A prebuilt workflow bundle (DBOPS_WORKFLOW_BUNDLE); absent: `workflowsPath` is bundled now. */
  workflowBundlePath?: string;
  /** The checkout, found by the caller (the CLI runs from its sources or from its bundle in dist/cli): workflows and migrations. */
  root: string;
  /** The longest the dry run lets the incident's clock run (workflow time). */
  horizonMs?: number;
  log: Logger;
}

const TASK_QUEUE = 'dbops-runbook-test';
const MINUTE = 60_000;
const DEFAULT_HORIZON_MS = 24 * 60 * MINUTE;
/** The longest one sleep of the walk: five minutes and an odd 7.3 s (see `walk`). */
const CAP_MS = 5 * MINUTE + 7_300;
/**
 * The walk takes seconds of real time; a test server that stops answering (seen once, cause unknown: the server said
 * "invalid history builder state for action") must not hold a person at a terminal.
 */
const REAL_TIME_LIMIT_MS = 3 * MINUTE;

/** `work` within `ms` of real time; past it, its calls to the server are cancelled (none retries into a closed channel). */
async function withinRealTime<T>(connection: Connection, work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const cancel = new AbortController();
  setMaxListeners(0, cancel.signal); // every call of the walk listens to it
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancel.abort();
      reject(new Error(`the dry run did not finish within ${ms / 1000} s of real time: the test server may be stuck; try again`));
    }, ms);
  });
  const walking = connection.withAbortSignal(cancel.signal, () => work(cancel.signal));
  walking.catch(() => undefined); // its cancellation after the limit is not news
  try {
    return await Promise.race([walking, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Steps that would reach outside dbops in a dry run answer without acting: the admin panel, the failover hook, stakeholders. */
const stubbed = (what: string) => async (): Promise<StepResult> => ({
  outcome: 'pass',
  summary: `stubbed in a dry run: ${what} not called`,
  evidence: { dryRun: true },
});

/**
 * `dbops runbook test` (issue 26 item 4): opens an incident of `type` with the real workflow code and plan on a Temporal
 * time-skipping test server in this process, against a scratch database, with every channel replaced by a recorder
 * and every hook stubbed. Nobody acknowledges: the ladder climbs on the incident's own timers; each manual step is
 * completed at its due time (by the first rung's person, so the policy lets it), so every step shows. Returns the
 * timeline of pages and steps, read from the incident's audit trail and state.
 */
export async function runbookDryRun(o: DryRunOptions): Promise<DryRunTimeline> {
  // The SDK's own warnings (the test server's missing capabilities) are not the dry run's news.
  try {
    // Forwarded, not printed by the native side to stdout, where `--output json` writes the timeline.
    Runtime.install({
      logger: new DefaultLogger('ERROR', (entry) => o.log.error({ sdk: entry.meta }, entry.message)),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    /* installed already */
  }
  const horizonMs = o.horizonMs ?? DEFAULT_HORIZON_MS;
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-runbook-test-'));
  fs.chmodSync(scratchDir, 0o755); // as root, the embedded server runs as a 'postgres' user that must reach its data
  const stops: (() => Promise<unknown>)[] = [async () => fs.rmSync(scratchDir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => o.log.warn({ err }, 'a dry run part did not stop cleanly'));
  };
  try {
    const [launcher, server] = await Promise.all([
      provisionTestServer({ cacheDir: o.cacheDir, log: o.log }),
      o.databaseUrl
        ? Promise.resolve(undefined)
        : startEmbeddedPostgres({ dir: path.join(scratchDir, 'postgres'), log: o.log, persistent: false }),
    ]);
    if (server) stops.push(() => server.stop());
    o.log.info({ embedded: !!server }, 'dry run: PostgreSQL ready');
    const db: ScratchDatabase = await createScratchDatabase(
      o.databaseUrl ?? server!.url,
      'runbook_test',
      path.join(o.root, 'db/migrations'),
    );
    stops.push(() => db.drop());
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: launcher } } });
    stops.push(() => env.teardown());
    o.log.info('dry run: time-skipping server ready');
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');

    const sent: NotificationRequest[] = [];
    const recorder: NotificationChannel = { name: 'dry-run-recorder', deliver: async (n) => void sent.push(n) };
    const tierPools = createTierPools({}, db.url);
    stops.push(() => closeTierPools(tierPools));
    const activities = {
      ...createActivities({
        auditPool: db.pool,
        tierPools,
        channels: [recorder],
        outbox: createOutbox({ pool: db.pool, channels: [recorder], logger: o.log }),
        logger: o.log,
        failover: {},
        thresholds: DEFAULT_THRESHOLDS,
        allowedCidrs: ['127.0.0.0/8', '::1/128'],
        openIncident: async () => {
          throw new Error('a dry run opens no other incident');
        },
      }),
      checkServiceStatus: stubbed('the admin panel'),
      executeFailover: stubbed('the failover hook'),
      notifyStakeholders: stubbed('stakeholders'),
    };
    const worker = await createDbopsWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      activities,
      workflowBundlePath: o.workflowBundlePath ?? (await bundleWorkflows(path.join(o.root, 'workflows/index.ts'), scratchDir, o.log)),
    });
    const running = worker.run();
    o.log.info('dry run: worker running');
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });

    const runbook = o.runbook ?? BUILT_IN_RUNBOOK;
    const type = runbook.incidentTypes[o.type];
    // Marked a drill: its approval-gated, hook and stakeholder steps are recorded "not run: drill", as in a drill.
    const { handle } = await openIncident(
      { client: env.client, taskQueue: TASK_QUEUE, roster: o.roster, calendar: o.calendar, runbook: () => runbook },
      {
        type: o.type,
        tier: o.tier,
        severity: o.severity,
        fingerprint: 'runbook-test',
        title: `Dry run: ${type.name} on ${o.tier}`,
        source: 'cli',
        by: 'dbops-runbook-test',
      },
      undefined,
      { drill: true },
    );
    const h = handle as WorkflowHandle<typeof incidentResponse>;
    o.log.info({ workflowId: h.workflowId }, 'dry run: incident opened');
    const state = await withinRealTime(env.connection, (signal) => walk(env, h, horizonMs, o.log, signal), REAL_TIME_LIMIT_MS);
    const events = await eventsWhenWritten(db, state);
    return dryRunTimeline(state, events, sent, o.roster, (await env.currentTimeMs()) - Date.parse(state.openedAt));
  } finally {
    await stopAll();
  }
}

/**
 * Lets the incident's clock run, deadline to deadline, until its ladder has gone round once (the first repeat of
 * level 1, or its top rung's repeat) and its runbook is finished, or the horizon passes. Completes each manual step
 * when it falls due.
 */
async function walk(
  env: TestWorkflowEnvironment,
  h: WorkflowHandle<typeof incidentResponse>,
  horizonMs: number,
  log: Logger,
  signal: AbortSignal,
): Promise<IncidentState> {
  let s = await waitForFirstPage(h, signal);
  const openedMs = Date.parse(s.openedAt);
  for (;;) {
    signal.throwIfAborted();
    const now = await env.currentTimeMs();
    const laddered = (s.escalation.pass ?? 0) >= 1;
    const finished = s.timeline.some((t) => t.kind === 'runbook-finished' || t.kind === 'runbook-aborted');
    if ((laddered && finished) || now - openedMs >= horizonMs) return s;
    for (const step of s.steps) {
      if (step.status !== 'awaiting-completion' || Date.parse(step.dueAt!) > now) continue;
      const first = s.paged?.[0];
      await h.executeUpdate(completeStepUpdate, {
        args: [{ actor: first ?? 'dbops-runbook-test', stepId: step.id, outcome: 'pass', note: 'dry run: completed at its due time' }],
      });
    }
    s = await h.query(incidentStateQuery);
    const next = [s.escalation.nextEscalationAt, ...s.steps.filter((x) => x.status === 'awaiting-completion').map((x) => x.dueAt)]
      .filter((t): t is string => !!t)
      .map((t) => Date.parse(t))
      .filter((t) => t > now);
    // To the next deadline (a second past it), never further than five minutes at a time: a running check may end
    // sooner. Never a whole number of minutes after the last wake: the workflow's own timers are whole minutes from the
    // task our last Update caused, and an Update that reaches the test server the millisecond such a timer fires leaves
    // the workflow task started and never completed (seen: the dry run stuck for good, once in ten runs under load).
    const wake = Math.min(now + CAP_MS, ...next.map((t) => t + 1000), openedMs + horizonMs);
    log.debug({ at: now - openedMs, sleep: wake - now, ladderPass: s.escalation.pass, step: s.currentStep }, 'dry run: the clock moves on');
    await env.sleep(Math.max(1000, wake - now));
    s = await h.query(incidentStateQuery);
  }
}

/** The workflows bundled into the dry run's scratch folder (webpack: seconds); DBOPS_WORKFLOW_BUNDLE saves it. */
async function bundleWorkflows(workflowsPath: string, dir: string, log: Logger): Promise<string> {
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => log.error(m), log: quiet },
  });
  const file = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(file, code);
  return file;
}

async function waitForFirstPage(h: WorkflowHandle<typeof incidentResponse>, signal: AbortSignal): Promise<IncidentState> {
  for (let i = 0; i < 600; i++) {
    signal.throwIfAborted();
    const s = await h.query(incidentStateQuery).catch(() => undefined);
    if (s && s.escalation.pages > 0) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the dry run incident sent no page within 30 s: is the worker running?');
}

/** The audit trail once the events the state has counted are in the store (the chain writes behind the state). */
async function eventsWhenWritten(db: ScratchDatabase, s: IncidentState) {
  for (let i = 0; i < 200; i++) {
    const events = await readIncidentEvents(db.pool, s.incidentId);
    if (events.length >= s.auditSeq) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
  return readIncidentEvents(db.pool, s.incidentId);
}
