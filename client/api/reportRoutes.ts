import { Hono } from 'hono';
import { z } from 'zod';
import { slaReport } from '../../db/reports/slaReport';
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
  return app;
}
