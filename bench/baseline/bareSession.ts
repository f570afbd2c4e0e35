import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import type { BenchContext } from '../context';

/**
 * The baseline's worker and client on the same dev server as dbops: the bare workflow (signal-with-start, then one
 * activity) and an activity that notes when it started. Same SDK defaults as dbops' worker unless tuned alike.
 */
export async function bareSession(ctx: BenchContext, taskQueue: string) {
  const started = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const bundle = await bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, 'bareWorkflow.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  const address = ctx.stack.devServerAddress;
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const worker = await Worker.create({
    connection: native,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      async firstActivity(alertKey: string) {
        started.set(alertKey, Date.now());
        waiters.get(alertKey)?.();
      },
    },
    ...ctx.tuning,
  });
  const running = worker.run();
  return {
    client: new Client({ connection }),
    taskQueue,
    /** Resolves with the time the alert's first activity started. */
    firstActivity(alertKey: string): Promise<number> {
      const at = started.get(alertKey);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiters.set(alertKey, () => resolve(started.get(alertKey)!)));
    },
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await native.close();
    },
  };
}
