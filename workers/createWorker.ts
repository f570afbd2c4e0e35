import path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import type { DbopsActivities } from '../activities';
import { pagesTaskQueue, workflowTaskQueues } from '../workflows/shared/taskQueues';

/** The module whose exports are the workflows; the SDK bundles it with webpack. */
export const WORKFLOWS_PATH = path.resolve(__dirname, '../workflows/index.ts');

export interface DbopsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The deployment's queue; critical incidents' queue and each one's pages queue are derived from it. */
  taskQueue: string;
  activities: DbopsActivities;
  /** A prebuilt workflow bundle (tests build one per run); otherwise workflows/ is bundled at start. */
  workflowBundlePath?: string;
  /** Cache and concurrency limits (bench --max-cached etc.), over DEFAULT_TUNING. */
  tuning?: WorkerTuning;
}

export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'workflowTaskPollerBehavior'
  | 'nonStickyToStickyPollRatio'
  | 'maxActivitiesPerSecond'
>;

/**
 * Worker defaults for one machine (2 cores), each measured with `npm run bench` (docs/performance.md; figures are
 * from a machine shared with other work, so noisy):
 * - maxCachedWorkflows: the SDK sizes the sticky cache from the heap limit (about 2,300 workflows with 4 GiB of heap),
 *   and each cached incident holds a slice of V8 context: 1,000 open incidents took 965 MB of RSS with the SDK's
 *   cache, 732 MB with 200 cached; 5,000 open took 1,709 MB with the SDK's cache (before), 646 MB with 500. An incident out
 *   of the cache is replayed from its history on its next task (a timer, an Update), which costs milliseconds; one
 *   waiting for its deadline needs no memory meanwhile. 300 since 2026-12-06 (quiet machine, bench --open 5000): with
 *   500 the bench process held 1,001–1,115 MB (goal < 1 GiB), with 400 951–980, with 300 858–874 MB; the burst of
 *   2,000 and 2,000 critical through Alertmanager were paged within 60 s with either (50.7 vs 52.8 s; 51.0, 54.9 vs
 *   61.1, 50.1 s). The cost: `incident list` in a storm's first minutes asks more incidents that must replay.
 * - maxConcurrentActivityTaskExecutions: audit writes and checks share a few PostgreSQL connections; a hundred at
 *   once only queue there and take the CPU the opening of new incidents needs. The opening page is a local
 *   activity (slots of its own), so this cap never holds a page back.
 * - nonStickyToStickyPollRatio: a new incident's first task (its page) waits on the shared queue, the follow-ups of
 *   open ones on this worker's sticky queue; the SDK's 0.2 gives the new ones 2 pollers of 10.
 * - workflowTaskPollerBehavior: 20 pollers where the SDK has 10 (10 for new incidents' first tasks, with the ratio
 *   above): 2,000 critical alerts through Alertmanager had their last page 58.1 and 64.5 s after the post with 20,
 *   81.3 and 87.8 s with 10 (bench --alertmanager-group 2000 --alertmanager-severity critical, quiet machine,
 *   alternated); a burst of 2,000: 41.2 s with 20, 58.8 and 52.1 s with 10.
 * - maxActivitiesPerSecond: under a burst the CPU is the limit, and a new incident's first task (its page) waited in
 *   the queue while earlier incidents ran their checks and audit writes. Burst of 2,000 (bench --burst): all paged
 *   within 60 s at 20, 30 or 50 a second (the last 42-51, 43-49 and 59 s after the first alert), 1,588 to 1,750
 *   without a rate. Escalations and reminders are not held by it: they run on the pages queue (PAGES_TUNING).
 * Burst of 500 distinct alerts, paged within 60 s of their alert (one run each, machine load 10 to 19): both
 * settings 499/500; the poll ratio alone 481; 20 activities alone 295; before the local-activity page, SDK
 * defaults, 404 and 478.
 */
export const DEFAULT_TUNING: WorkerTuning = {
  maxCachedWorkflows: 300,
  workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 20 },
  maxConcurrentActivityTaskExecutions: 20,
  nonStickyToStickyPollRatio: 1,
  maxActivitiesPerSecond: 30,
};

/** Pages wait for nothing: as many at once as the channels take, and no rate. */
const PAGES_TUNING = { maxConcurrentActivityTaskExecutions: 20 };

/**
 * The worker dbops runs: for each incident queue (the main one, and critical incidents' own; see
 * workflows/shared/taskQueues.ts), a worker of the workflows and their activities, and beside it an activities-only
 * worker for that queue's pages. Each critical-queue worker has its own pollers, slots and workflow thread, so a
 * critical incident's first task is polled and run beside a storm of others, not after it. Runs, drains and reports
 * as one.
 */
export interface DbopsWorker {
  run(): Promise<void>;
  shutdown(): void;
  /** The main worker's state (the others follow it). */
  getState(): State;
}

export async function createDbopsWorker(o: DbopsWorkerOptions): Promise<DbopsWorker> {
  // Bundled once for the workers of both queues (webpack takes seconds), unless the caller built one.
  const workflowBundle = o.workflowBundlePath
    ? { codePath: o.workflowBundlePath }
    : { code: (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: Runtime.instance().logger })).code };
  const workers: Worker[] = [];
  for (const taskQueue of workflowTaskQueues(o.taskQueue)) {
    workers.push(
      await Worker.create({
        connection: o.connection,
        namespace: o.namespace,
        taskQueue,
        activities: o.activities,
        workflowBundle,
        // The SDK's runtime shuts workers down on SIGINT/SIGTERM; finish in-flight activities (audit writes, checks) before exiting on Ctrl-C / SIGTERM.
        shutdownGraceTime: '20 seconds',
        ...DEFAULT_TUNING,
        ...o.tuning,
      }),
      await Worker.create({
        connection: o.connection,
        namespace: o.namespace,
        taskQueue: pagesTaskQueue(taskQueue),
        activities: { notify: o.activities.notify },
        shutdownGraceTime: '20 seconds',
        ...PAGES_TUNING,
      }),
    );
  }
  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    // Any one stopping (a fatal error, a shutdown) stops the others: part of a worker must not run on silently.
    async run() {
      const runs = workers.map((w) =>
        w.run().finally(() => {
          shutdown();
        }),
      );
      for (const r of await Promise.allSettled(runs)) if (r.status === 'rejected') throw r.reason;
    },
    shutdown,
    getState: () => workers[0].getState(),
  };
}
