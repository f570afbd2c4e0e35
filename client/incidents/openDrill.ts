import { randomBytes } from 'node:crypto';
import { BUILT_IN_RUNBOOK } from '../../runbooks/runbook';
import { parseDrillRequest } from './drillRequest';
import { InvalidRequestError } from './incidentRequest';
import { openIncident, type OpenIncidentContext } from './openIncident';

/**
 * Opens a drill of a runbook: an incident of its type on the real ladder and steps, marked DRILL (the workflow's
 * drills patch). Its fingerprint is its own (`drill-<time>`), so it never joins a real incident of the same key, nor
 * a real alert it.
 */
export async function openDrill(ctx: OpenIncidentContext, request: unknown, by: string, receivedAt?: Date) {
  const runbook = ctx.runbook?.() ?? BUILT_IN_RUNBOOK;
  const r = parseDrillRequest(request, runbook);
  if (typeof r === 'string') throw new InvalidRequestError(r);
  const type = runbook.incidentTypes[r.type];
  return openIncident(
    ctx,
    {
      type: type.id,
      tier: r.tier,
      severity: r.severity,
      fingerprint: `drill-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      title: `Drill: ${type.name} on ${r.tier}`,
      source: 'cli',
      by,
      summary: 'a drill of the runbook: acknowledge and work it as a real incident; hooks and approvals are not run',
    },
    receivedAt,
    { drill: true },
  );
}

/** The opener the monthly drill Schedule's activity uses: opened by `schedule`, with the roster in force when it runs. */
export function scheduledDrillOpener(ctx: () => OpenIncidentContext) {
  return async (r: { type: string; tier: string }) => {
    const { workflowId } = await openDrill(ctx(), r, 'schedule');
    return { workflowId };
  };
}
