import { createChecklistActivities } from '../activities/checks/checklistChecks';
import { DEFAULT_THRESHOLDS } from '../activities/checks/databaseChecks';
import { createScratchDatabase } from '../dev/scratchDatabase';
import { CHECK_TIMEOUTS, closeTierPools, createTierPools } from '../lib/tierPools';
import { CHECKLISTS } from '../runbooks/checklists';
import type { BenchContext } from './context';
import type { BenchResult } from './report';
import { ms, timed } from './stats';

const JOBS = 1_000_000;
const EMAILS = 500_000;

/**
 * `--big-tier`: the morning checklist's automated items against one tier database (the seed's schema, from the
 * migrations) holding JOBS jobs and EMAILS e-mail messages, each check timed as the worker runs it, with the
 * tier pools' statement timeout (lib/tierPools.ts) bounding every one.
 */
export async function bigTier(ctx: BenchContext): Promise<BenchResult> {
  const tier = await createScratchDatabase(ctx.stack.databaseUrl, 'bench_tier');
  const pools = createTierPools({}, tier.url);
  try {
    // Jobs over the last two days, mostly completed, a backlog of queued ones; e-mail over the last 40 days.
    const fill = await timed(async () => {
      await tier.pool.query(
        `INSERT INTO jobs (priority, status, created, completed)
         SELECT (ARRAY['critical','high','normal','low'])[1 + i % 4],
                CASE WHEN i % 1000 = 0 THEN 'queued' WHEN i % 997 = 0 THEN 'failed' ELSE 'completed' END,
                now() - (i % 172800) * interval '1 second',
                CASE WHEN i % 1000 = 0 THEN NULL ELSE now() - (i % 172800) * interval '1 second' + interval '3 seconds' END
           FROM generate_series(1, $1) AS i`,
        [JOBS],
      );
      await tier.pool.query(
        `INSERT INTO email_messages (created, content)
         SELECT now() - (i % 3456000) * interval '1 second', repeat(md5(i::text), 6) FROM generate_series(1, $1) AS i`,
        [EMAILS],
      );
      await tier.pool.query('ANALYZE jobs; ANALYZE email_messages');
    });
    const activities = createChecklistActivities({
      tierPools: pools,
      auditPool: ctx.db.pool,
      thresholds: DEFAULT_THRESHOLDS,
      allowedCidrs: ['127.0.0.0/8', '::1/128'],
      allowedSuperusers: ['postgres'],
      openIncident: async () => ({ workflowId: 'bench: not opened' }),
    });
    const figures: [string, string][] = [['filled (1 M jobs, 0.5 M e-mails) in', ms(fill.ms)]];
    const metrics: Record<string, number> = {};
    for (const item of CHECKLISTS.morning.items) {
      if (item.kind !== 'automated') continue;
      // Every tier points at the same database here: one run per item is what each tier would cost.
      const tierOf = item.tiers === undefined ? undefined : item.tiers === 'all' ? 'queue' : item.tiers[0];
      const run = await timed(() =>
        activities
          .runChecklistCheck({
            runId: 'bench',
            itemKey: `${item.id}@${tierOf}`,
            check: item.check,
            tier: tierOf,
            now: new Date().toISOString(),
          })
          .then((r) => r.outcome as string)
          .catch((err: Error) => `error: ${err.message}`),
      );
      figures.push([`${item.id} (${item.check})`, `${ms(run.ms)} → ${run.value}`]);
      metrics[`morning_check_${item.id.replace(/-/g, '_')}_ms`] = run.ms;
    }
    metrics.morning_check_max_ms = Math.max(...Object.values(metrics));
    return {
      name: 'big tier morning checklist',
      setting: `one tier database, ${JOBS.toLocaleString('en-US')} jobs, ${EMAILS.toLocaleString('en-US')} e-mail messages`,
      figures,
      notes: [`every check runs under statement_timeout ${CHECK_TIMEOUTS.statementTimeoutMs / 1000} s (lib/tierPools.ts)`],
      metrics,
    };
  } finally {
    await closeTierPools(pools);
    await tier.drop();
  }
}
