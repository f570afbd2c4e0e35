import { z } from 'zod';
import { BUILT_IN_RUNBOOK, type Runbook } from '../../runbooks/runbook';
import { SEVERITIES, type IncidentTypeId } from '../../runbooks/types';
import { runbookName } from '../../runbooks/vocabulary';

/** The runbooks a drill can exercise: every incident type of the runbook but `unclassified` (its one step is a choice). */
export const drillableTypes = (runbook: Runbook = BUILT_IN_RUNBOOK): IncidentTypeId[] =>
  Object.keys(runbook.incidentTypes).filter((t) => t !== 'unclassified');

/**
 * What a person (or the monthly schedule) asks for to open a drill: the runbook (an incident type), the tier, and
 * optionally a severity. Its shape; `parseDrillRequest` checks the names against the runbook in force (a runbook
 * added as a file is drilled like a shipped one).
 */
export const DrillRequestSchema = z.object({
  type: runbookName.describe('an incident type of the runbook in force (not unclassified)'),
  tier: runbookName.describe('a tier of the runbook in force'),
  severity: z.enum(SEVERITIES, { message: `one of ${SEVERITIES.join(', ')}` }).optional(),
});
export type DrillRequest = z.infer<typeof DrillRequestSchema>;

/** The request checked against the runbook, or the one-line problems (field: what is wrong; what is accepted). */
export function parseDrillRequest(data: unknown, runbook: Runbook = BUILT_IN_RUNBOOK): DrillRequest | string {
  const parsed = DrillRequestSchema.safeParse(data);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
  const types = drillableTypes(runbook);
  const tiers = Object.keys(runbook.tiers);
  const problems = [
    ...(types.includes(parsed.data.type) ? [] : [`type: '${parsed.data.type}' is not a runbook to drill; one of ${types.join(', ')}`]),
    ...(tiers.includes(parsed.data.tier) ? [] : [`tier: '${parsed.data.tier}' is not a tier of the runbook; one of ${tiers.join(', ')}`]),
  ];
  return problems.length ? problems.join('; ') : parsed.data;
}
