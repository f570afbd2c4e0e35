import { Hono } from 'hono';
import { z } from 'zod';
import { drillAcknowledgements, runbookDrills } from '../../db/reports/drillReport';
import { slaReport } from '../../db/reports/slaReport';
import { BUILT_IN_RUNBOOK } from '../../runbooks/runbook';
import { reviewStatus } from '../../runbooks/runbookReviews';
import { drillableTypes } from '../incidents/drillRequest';
import type { ApiContext } from './apiContext';
import type { ApiEnv } from './authenticate';
import { queryProblem } from './http/query';
import { describe } from './http/describe';

/** How far back a report looks: whole days, 1 to 366. */
export const MAX_REPORT_DAYS = 366;

export const SlaReportQuerySchema = z.object({
  days: z.coerce
    .number({ error: 'a whole number of days' })
    .int('a whole number of days')
    .min(1, `a whole number of days from 1 to ${MAX_REPORT_DAYS}`)
    .max(MAX_REPORT_DAYS, `a whole number of days from 1 to ${MAX_REPORT_DAYS}`)
    .default(30),
});

/** Reports from the audit store: MTTA, MTTR and response-SLA breaches per type and severity. */
export function reportRoutes(ctx: ApiContext) {
  const app = new Hono<ApiEnv>();
  app.get(
    '/sla',
    describe('MTTA, MTTR and response-SLA breaches per type and severity', { tag: 'reports', auth: 'person', query: SlaReportQuerySchema }),
    async (c) => {
      const query = SlaReportQuerySchema.safeParse(c.req.query());
      if (!query.success) return c.json({ error: queryProblem(query.error) }, 400);
      return c.json({ days: query.data.days, rows: await slaReport(ctx.pool, query.data.days) });
    },
  );
  app.get(
    '/drills',
    describe('runbooks overdue for a drill or a review, and each person’s time to acknowledge drills', {
      tag: 'reports',
      auth: 'person',
      query: SlaReportQuerySchema,
    }),
    async (c) => {
      const query = SlaReportQuerySchema.safeParse(c.req.query());
      if (!query.success) return c.json({ error: queryProblem(query.error) }, 400);
      const overdueAfterDays = ctx.drillOverdueDays ?? DEFAULT_DRILL_OVERDUE_DAYS;
      const names = ctx.roster().roster.people;
      const nameOf = (id: string) => names.find((p) => p.id === id)?.name ?? id;
      const runbook = ctx.runbook?.() ?? BUILT_IN_RUNBOOK;
      const runbooks = await runbookDrills(ctx.pool, drillableTypes(runbook), overdueAfterDays, query.data.days);
      const acks = await drillAcknowledgements(ctx.pool, query.data.days);
      return c.json({
        days: query.data.days,
        overdueAfterDays,
        reviewCycleDays: runbook.reviewCycleDays,
        runbooks: runbooks.map((r) => {
          const review = reviewStatus(runbook, r.type, new Date());
          return {
            ...r,
            name: runbook.incidentTypes[r.type]?.name ?? r.type,
            review: { ...review, byName: review.by && nameOf(review.by) },
          };
        }),
        acknowledgements: acks.map((a) => ({ ...a, name: nameOf(a.person) })),
      });
    },
  );
  return app;
}

/** Days without a drill after which a runbook is overdue, unless DBOPS_DRILL_OVERDUE_DAYS says otherwise. */
export const DEFAULT_DRILL_OVERDUE_DAYS = 90;
