import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DbopsActivities } from '../activities';

/** The module whose exports are the workflows; the SDK bundles it with webpack. */
export const WORKFLOWS_PATH = path.resolve(__dirname, '../workflows/index.ts');

export interface DbopsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: DbopsActivities;
  /** A prebuilt workflow bundle (tests build one per run); otherwise workflows/ is bundled at start. */
  workflowBundlePath?: string;
  /** Cache and concurrency limits (bench --max-cached etc.); the SDK's defaults when absent. */
  tuning?: WorkerTuning;
}

export type WorkerTuning = Pick<
  WorkerOptions,
  'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentActivityTaskExecutions' | 'workflowTaskPollerBehavior'
>;

export function createDbopsWorker(o: DbopsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.workflowBundlePath ? { workflowBundle: { codePath: o.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    // The SDK's runtime shuts workers down on SIGINT/SIGTERM; finish in-flight activities (audit writes, checks) before exiting on Ctrl-C / SIGTERM.
    shutdownGraceTime: '20 seconds',
    ...o.tuning,
  });
}
