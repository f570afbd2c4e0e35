import { z } from 'zod';

/**
 * The bodies of people's incident actions: what each route accepts, checked before any Update is sent, and what the
 * API's OpenAPI document says of it. Values (a severity, a type, an outcome) are the workflow validators' to judge,
 * so their refusals name the rule; these schemas check shape only. Text bounds are runbooks/limits', checked there.
 */
const text = (what: string) => z.string({ error: 'must be a string' }).describe(what);

export const NO_BODY = z.object({});
export const AckBody = z.object({ note: text('recorded in the audit with the acknowledgement').optional() });
export const ResolveBody = z.object({ summary: text('what fixed it') });
export const SeverityBody = z.object({
  severity: text('critical, high, medium or low'),
  reason: text('why (required to lower an unacknowledged urgent incident)').optional(),
});
export const NoteBody = z.object({ text: text('the note') });
export const ClassifyBody = z.object({ type: text('the incident type'), note: text('why').optional() });
export const SnoozeBody = z.object({
  for: text('how long: 30m, 2h, 1h30m, 90s (at most the severity’s snooze maximum)'),
  reason: text('why: told to everyone paged'),
});
export const UnsnoozeBody = z.object({ note: text('why').optional() });
export const CompleteStepBody = z.object({
  outcome: text('pass, warn or fail (default pass)').optional(),
  note: text('evidence').optional(),
});
export const ApproveStepBody = z.object({ note: text('recorded in the audit').optional() });
export const RejectStepBody = z.object({ reason: text('why') });
export const DecideStepBody = z.object({ decision: text('retry, skip or abort'), note: text('why').optional() });

/** A body's shape in one line, for a refusal: `{ "severity", "reason"? }`. */
export function bodyShape(schema: z.ZodType): string {
  const shape = schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
  const fields = Object.entries(shape).map(([k, v]) => `"${k}"${v.safeParse(undefined).success ? '?' : ''}`);
  return fields.length ? `{ ${fields.join(', ')} }` : '{}';
}
