import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { NotificationChannel } from '../activities/notify/channels';
import type { WorkerTuning } from '../workers/createWorker';
import type { BenchContext } from './context';
import { startBenchWorker } from './worker';

/** A client and a worker of their own on the shared dev server; close() stops the worker and both connections. */
export async function devServerSession(
  ctx: BenchContext,
  taskQueue: string,
  o: { channel?: NotificationChannel; tuning?: WorkerTuning } = {},
) {
  const address = ctx.stack.devServerAddress;
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const worker = await startBenchWorker({
    connection: native,
    db: ctx.db,
    taskQueue,
    workflowBundlePath: ctx.stack.workflowBundlePath,
    channel: o.channel,
    tuning: o.tuning ?? ctx.tuning,
  });
  return {
    client: new Client({ connection }),
    taskQueue,
    async close() {
      await worker.stop();
      await connection.close();
      await native.close();
    },
  };
}
