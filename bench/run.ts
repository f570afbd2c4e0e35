import os from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createLogger } from '../lib/logger';
import { auditWrites } from './auditWrites';
import type { BenchContext } from './context';
import { dedupStorm } from './dedupStorm';
import { incidentLatency } from './incidentLatency';
import { productionShapeLatency } from './productionShape';
import { provisionBenchStack } from './provision';
import { printTable, type BenchResult } from './report';
import { createScratchDatabase } from '../dev/scratchDatabase';
import { ms, timed } from './stats';
import { timeSkipping } from './timeSkipping';

// Run one after another, never together: concurrent benchmarks would measure each other.
const BENCHMARKS: [string, (ctx: BenchContext) => Promise<BenchResult>][] = [
  ['time-skipping: 1 h SLA', timeSkipping],
  ['incident latency', incidentLatency],
  ['audit writes', auditWrites],
  ['dedup storm', dedupStorm],
  // Starts its own servers (the real Temporal server on PostgreSQL, worker and intake processes), not the dev stack.
  ['production shape', () => productionShapeLatency()],
];

async function main() {
  // Ctrl-C is handled below, not by the SDK, so that the servers this script started are stopped, not orphaned.
  // Core's warnings about a terminated workflow's late completions are expected in the storm; errors still print.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    shutdownSignals: [],
  });
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });

  const cpus = os.cpus();
  console.log(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.arch()}`,
  );
  console.log(
    `node ${process.version}; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on the machine skews every figure)\n`,
  );

  const provisioned = await timed(() => provisionBenchStack(log));
  const stack = provisioned.value;
  let db: BenchContext['db'] | undefined;
  const teardown = async () => {
    await db?.drop().catch((err) => log.error({ err }, 'dropping the scratch database failed'));
    await stack.stop();
  };
  process.once('SIGINT', () => {
    console.error('\ninterrupted: stopping the servers this run started');
    // No DROP DATABASE here: a worker may still hold connections, and the data folder goes with the server.
    void stack.stop().finally(() => process.exit(130));
  });

  const results: BenchResult[] = [];
  try {
    db = await createScratchDatabase(stack.databaseUrl, 'bench');
    console.log(`provisioned PostgreSQL, dev server, workflow bundle in ${ms(provisioned.ms)}\n`);
    for (const [name, bench] of BENCHMARKS) {
      process.stdout.write(`running ${name}… `);
      const run = await timed(async () => {
        try {
          return await bench({ stack, db: db! });
        } catch (err) {
          // One broken benchmark should not hide the others' figures.
          return { name, setting: 'FAILED', figures: [['error', (err as Error).message.split('\n')[0]]] } satisfies BenchResult;
        }
      });
      console.log(ms(run.ms));
      results.push(run.value);
    }
  } finally {
    await teardown();
  }
  console.log('');
  printTable(results);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
