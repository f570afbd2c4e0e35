import { z } from 'zod';
import { INCIDENT_TYPE_IDS, SEVERITIES, TIERS, type IncidentTypeId } from '../../runbooks/types';

/** The runbooks a drill can exercise: every incident type but `unclassified` (whose one step is a person's choice). */
export const DRILLABLE_TYPES: IncidentTypeId[] = INCIDENT_TYPE_IDS.filter((t) => t !== 'unclassified');

/** What a person (or the monthly schedule) asks for to open a drill: the runbook, the tier, and optionally a severity. */
export const DrillRequestSchema = z.object({
  type: z.enum(DRILLABLE_TYPES as [string, ...string[]], { message: `one of ${DRILLABLE_TYPES.join(', ')}` }),
  tier: z.enum(TIERS, { message: `one of ${TIERS.join(', ')}` }),
  severity: z.enum(SEVERITIES, { message: `one of ${SEVERITIES.join(', ')}` }).optional(),
});
export type DrillRequest = z.infer<typeof DrillRequestSchema>;
