/**
 * What a person, an alert or a checklist supplies to open (or re-trigger) an incident, and its check against the
 * runbook in force. Apart from openIncident.ts, so the CLI checks a request without loading the Temporal client.
 */
import { z } from 'zod';
import { textProblem, TEXT_LIMITS, type LimitedField } from '../../runbooks/limits';
import { BUILT_IN_RUNBOOK, type Runbook } from '../../runbooks/runbook';
import { SEVERITIES } from '../../runbooks/types';
import { runbookName } from '../../runbooks/vocabulary';

/**
 * A text field within its bound in runbooks/limits and storable by the audit store (no NUL, no lone surrogate).
 * `name` is the request's key when it differs from the limit's name (by → actor).
 */
const limitedText = (field: LimitedField, name: string = field) =>
  z.string().superRefine((value, ctx) => {
    const problem = textProblem(field, value);
    if (problem) ctx.addIssue({ code: 'custom', message: name + problem.slice(field.length) });
  });

/** What a person, an alert or a checklist supplies to open (or re-trigger) an incident. */
export const IncidentRequestSchema = z.object({
  /** An incident type and a tier of the runbook in force (parseIncidentRequest checks them against it). */
  type: runbookName,
  tier: runbookName,
  severity: z.enum(SEVERITIES).optional(),
  fingerprint: z
    .string()
    .regex(
      new RegExp(`^[A-Za-z0-9._:-]{1,${TEXT_LIMITS.fingerprint}}$`),
      `letters, digits, . _ : - (1 to ${TEXT_LIMITS.fingerprint} characters)`,
    )
    .default('manual'),
  title: limitedText('title').pipe(z.string().min(1, 'title may not be empty')).optional(),
  source: z.enum(['cli', 'webhook', 'checklist']).default('cli'),
  by: limitedText('actor', 'by').pipe(z.string().min(1, 'by may not be empty')).default('dbops'),
  summary: limitedText('summary').optional(),
  /** The source's own timestamp of the alert; recorded beside the receive time, which is what starts the clocks. */
  firedAt: z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with a zone, e.g. 2026-11-25T16:00:00Z' }).optional(),
});
export type IncidentRequest = z.input<typeof IncidentRequestSchema>;

/** The body of POST /alerts and POST /incidents: who sends it and how come from the credential, never the body. */
export const IncidentBodySchema = IncidentRequestSchema.omit({ source: true, by: true });

export class InvalidRequestError extends Error {}

export function parseIncidentRequest(data: unknown, runbook: Runbook = BUILT_IN_RUNBOOK): z.output<typeof IncidentRequestSchema> {
  const r = IncidentRequestSchema.superRefine((req, ctx) => {
    const types = Object.keys(runbook.incidentTypes);
    const tiers = Object.keys(runbook.tiers);
    if (!types.includes(req.type))
      ctx.addIssue({ code: 'custom', path: ['type'], message: `Invalid option: expected one of ${types.map((t) => `"${t}"`).join('|')}` });
    if (!tiers.includes(req.tier))
      ctx.addIssue({ code: 'custom', path: ['tier'], message: `Invalid option: expected one of ${tiers.map((t) => `"${t}"`).join('|')}` });
  }).safeParse(data);
  if (!r.success) {
    throw new InvalidRequestError(
      r.error.issues
        .map((i) => {
          const field = i.path.join('.') || '(request)';
          // textProblem's messages already start with the field's name.
          return i.message.startsWith(`${field} `) ? i.message : `${field}: ${i.message}`;
        })
        .join('; '),
    );
  }
  return r.data;
}
