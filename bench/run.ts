import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createLogger } from '../lib/logger';
import { auditWrites } from './auditWrites';
import { alertToPage } from './alertToPage';
import { cliHelp } from './cliHelp';
import { onCallResolve } from './onCallResolve';
import { consolePages } from './consolePages';
import type { BenchContext, BenchOptions } from './context';
import { deadlines } from './deadlines';
import { bigTier } from './bigTier';
import { burst, manyOpen } from './manyIncidents';
import { alertStorm } from './alertStorm';
import { alertmanagerGroup } from './alertmanagerGroup';
import { criticalInStorm } from './criticalInStorm';
import { outageStorm } from './outageStorm';
import type { WorkerTuning } from '../workers/createWorker';
import { dedupStorm } from './dedupStorm';
import { incidentLatency } from './incidentLatency';
import { productionShapeLatency } from './productionShape';
import { provisionBenchStack, STORES, type BenchStore } from './provision';
import { printTable, type BenchResult } from './report';
import { createScratchDatabase } from '../dev/scratchDatabase';
import { buildCli } from '../client/cli/buildCli';
import { ms, timed } from './stats';
import { timeSkipping } from './timeSkipping';

const USAGE = `npm run bench -- [--json FILE] [--burst [N]] [--storm [N]] [--open [N]] [--alertmanager-group [N] [--alertmanager-severity S]] [--critical-in-storm] [--outage-storm [N]] [--only name,…] [--store S] [--max-cached N] [--max-wft N]
  --json FILE     also write every figure by name to FILE
  --store S       the dev server's store: memory (default), sqlite-wal (npm start's) or sqlite (SQLite's defaults)
  --burst [N]     N distinct alerts at once (default 2000; several minutes)
  --storm [N]     N alerts over 10 keys through the HTTP intake (default 10000; about two minutes)
  --open [N]      N open incidents: worker RSS, incident list, report (default 5000; several minutes)
  --alertmanager-group [N]   N alerts as one group from a real Alertmanager to /alertmanager (default 2000; about a minute)
  --alertmanager-severity S  that group's severity label: warning (default; medium incidents on olap) or critical (critical ones on oltp)
  --critical-in-storm        20 critical alerts one by one in the middle of 2,000 low ones, all to POST /alerts (a few minutes)
  --outage-storm [N]         an oltp outage open, then N alerts on olap, half its symptoms (grouped), half their own (default 2000)
  --big-tier      the morning checklist's checks, each timed, on a tier of 1 M jobs and 0.5 M e-mails (about a minute)
  --only names    run only these benchmarks (${'names as printed, e.g. "alert → first page"'})
  --max-cached N, --max-wft N, --max-activities N, --non-sticky-ratio R, --wft-pollers N|auto, --activities-per-second N   worker tuning, for dbops' and the baseline's workers alike`;

function parseOptions(): { options: BenchOptions; json?: string; only?: string[]; store: BenchStore; tuning: WorkerTuning } {
  // --burst and --open take an optional count: "--burst" alone means the default.
  const argv = process.argv.slice(2).flatMap((a, i, all) =>
    ['--burst', '--open', '--storm', '--alertmanager-group', '--outage-storm'].includes(a) && !/^\d+$/.test(all[i + 1] ?? '')
      ? [
          a,
          (
            {
              '--burst': '2000',
              '--open': '5000',
              '--storm': '10000',
              '--alertmanager-group': '2000',
              '--outage-storm': '2000',
            } as Record<string, string>
          )[a],
        ]
      : [a],
  );
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'string' },
      burst: { type: 'string' },
      storm: { type: 'string' },
      'alertmanager-group': { type: 'string' },
      'alertmanager-severity': { type: 'string', default: 'warning' },
      'critical-in-storm': { type: 'boolean' },
      'outage-storm': { type: 'string' },
      open: { type: 'string' },
      'big-tier': { type: 'boolean' },
      only: { type: 'string' },
      store: { type: 'string', default: 'memory' },
      'max-cached': { type: 'string' },
      'max-wft': { type: 'string' },
      'max-activities': { type: 'string' },
      'non-sticky-ratio': { type: 'string' },
      'wft-pollers': { type: 'string' },
      'activities-per-second': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--${name} must be a whole number above 0, not '${v}'\n${USAGE}`);
    return Number(v);
  };
  const amSeverity = values['alertmanager-severity'];
  if (amSeverity !== 'warning' && amSeverity !== 'critical')
    throw new Error(`--alertmanager-severity must be warning or critical, not '${amSeverity}'\n${USAGE}`);
  const store = values.store as BenchStore;
  if (!STORES.includes(store)) throw new Error(`--store must be one of ${STORES.join(', ')}, not '${values.store}'\n${USAGE}`);
  const tuning: WorkerTuning = {};
  const maxCached = count('max-cached', values['max-cached']);
  const maxWft = count('max-wft', values['max-wft']);
  const maxActivities = count('max-activities', values['max-activities']);
  if (maxCached !== undefined) tuning.maxCachedWorkflows = maxCached;
  if (maxWft !== undefined) tuning.maxConcurrentWorkflowTaskExecutions = maxWft;
  if (maxActivities !== undefined) tuning.maxConcurrentActivityTaskExecutions = maxActivities;
  const perSecond = count('activities-per-second', values['activities-per-second']);
  if (perSecond !== undefined) tuning.maxActivitiesPerSecond = perSecond;
  const pollers = values['wft-pollers'];
  if (pollers === 'auto') tuning.workflowTaskPollerBehavior = { type: 'autoscaling' };
  else if (pollers !== undefined) tuning.workflowTaskPollerBehavior = { type: 'simple-maximum', maximum: count('wft-pollers', pollers) };
  const ratio = values['non-sticky-ratio'];
  if (ratio !== undefined) {
    if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(ratio) || Number(ratio) <= 0)
      throw new Error(`--non-sticky-ratio must be a number above 0 and at most 1, not '${ratio}'\n${USAGE}`);
    tuning.nonStickyToStickyPollRatio = Number(ratio);
  }
  return {
    options: {
      burst: count('burst', values.burst),
      storm: count('storm', values.storm),
      alertmanagerGroup: count('alertmanager-group', values['alertmanager-group']),
      alertmanagerSeverity: amSeverity,
      criticalInStorm: values['critical-in-storm'],
      outageStorm: count('outage-storm', values['outage-storm']),
      open: count('open', values.open),
      bigTier: values['big-tier'],
    },
    json: values.json,
    only: values.only?.split(',').map((x) => x.trim()),
    store,
    tuning,
  };
}

// Run one after another, never together: concurrent benchmarks would measure each other.
type Benchmark = [string, (ctx: BenchContext) => Promise<BenchResult>];
function benchmarks(o: BenchOptions): Benchmark[] {
  return [
    ['CLI start', cliHelp],
    ['on-call resolve', onCallResolve],
    ['alert → first page', alertToPage],
    ['deadline lateness', deadlines],
    ['time-skipping: 1 h SLA', timeSkipping],
    ['incident latency', incidentLatency],
    ['audit writes', auditWrites],
    ['console pages', consolePages],
    ['dedup storm', dedupStorm],
    // Starts its own servers (the real Temporal server on PostgreSQL, worker and intake processes), not the dev stack.
    ['production shape', () => productionShapeLatency()],
    ...(o.burst ? [[`burst of ${o.burst}`, burst] satisfies Benchmark] : []),
    ...(o.storm ? [[`storm of ${o.storm}`, alertStorm] satisfies Benchmark] : []),
    ...(o.alertmanagerGroup ? [[`Alertmanager group of ${o.alertmanagerGroup}`, alertmanagerGroup] satisfies Benchmark] : []),
    ...(o.criticalInStorm ? [['critical in a storm', criticalInStorm] satisfies Benchmark] : []),
    ...(o.outageStorm ? [[`outage storm of ${o.outageStorm}`, outageStorm] satisfies Benchmark] : []),
    ...(o.open ? [[`${o.open} open incidents`, manyOpen] satisfies Benchmark] : []),
    ...(o.bigTier ? [['big tier morning checklist', bigTier] satisfies Benchmark] : []),
  ];
}

async function main() {
  const args = parseOptions();
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

  // The CLI's timings are of the bundle `npm run build` makes (bin/dbops runs it when it is current).
  const provisioned = await timed(async () => (await Promise.all([provisionBenchStack(log, args.store), buildCli()]))[0]);
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
    console.log(`provisioned PostgreSQL, dev server (store: ${args.store}), workflow bundle, CLI bundle in ${ms(provisioned.ms)}\n`);
    const selected = benchmarks(args.options).filter(([name]) => !args.only || args.only.includes(name));
    for (const [name, bench] of selected) {
      process.stdout.write(`running ${name}… `);
      const run = await timed(async () => {
        try {
          return await bench({ stack, db: db!, tuning: args.tuning, options: args.options });
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
  if (Object.keys(args.tuning).length) console.log(`\nworker tuning: ${JSON.stringify(args.tuning)}`);
  if (args.json) {
    const metrics = Object.assign({}, ...results.map((r) => r.metrics ?? {}));
    const failed = results.filter((r) => r.setting === 'FAILED').map((r) => r.name);
    const doc = {
      at: new Date().toISOString(),
      machine: { cores: os.cpus().length, loadavg: os.loadavg() },
      store: args.store,
      tuning: args.tuning,
      metrics,
      failed,
    };
    fs.writeFileSync(args.json, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`\nfigures written to ${args.json}`);
  }
}

main()
  .then(() => {
    // The servers are stopped and the figures printed: a leaked handle (a pool, a child) must not keep the run alive.
    setTimeout(() => process.exit(), 5_000).unref();
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
