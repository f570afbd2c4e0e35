import { z } from 'zod';
import type { RoutableAlert } from '../../runbooks/alertRouting';
import { clipText, jsonAsText, toStorableText, unstorableInJson } from '../../runbooks/limits';

/**
 * PagerDuty's Events API v2 event (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/), as Alertmanager's
 * pagerduty_configs and most monitoring tools send it. Bounds are PagerDuty's own (summary 1,024 characters, clipped;
 * dedup_key 255).
 */
export const PD_EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** Text of at most `max` characters; a missing or non-text value says so (zod's own message names neither). */
const text = (max: number) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `required: text of 1 to ${max} characters` : `must be text of 1 to ${max} characters`),
    })
    .max(max, `at most ${max} characters`);
const optionalText = (max: number) => text(max).optional();
/** Like text(max), but longer text is clipped, not refused: it describes the alert, and a tool does not resend a refused event. */
const clippedText = (max: number) =>
  z
    .string({
      error: (issue) => (issue.input === undefined ? `required: text of 1 to ${max} characters` : `must be text of 1 to ${max} characters`),
    })
    .transform((v) => clipText(v, max));

const PayloadSchema = z.object({
  summary: clippedText(1024).refine((v) => v.length > 0, 'may not be empty'),
  source: text(255).min(1, 'may not be empty'),
  severity: z.enum(PD_SEVERITIES, { message: `one of ${PD_SEVERITIES.join(', ')}` }),
  timestamp: z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with a zone' }).optional(),
  component: optionalText(255),
  group: optionalText(255),
  class: optionalText(255),
  custom_details: z.unknown().optional(),
});

export const PagerDutyEventSchema = z.object({
  routing_key: z.string().optional(),
  event_action: z.enum(PD_EVENT_ACTIONS, { message: `one of ${PD_EVENT_ACTIONS.join(', ')}` }),
  dedup_key: text(255).min(1, 'may not be empty').optional(),
  payload: PayloadSchema.optional(),
  client: optionalText(255),
  client_url: optionalText(2048),
  links: z
    .array(z.object({ href: z.string(), text: z.string().optional() }))
    .max(50, 'at most 50 links')
    .optional(),
  images: z
    .array(z.object({ src: z.string(), href: z.string().optional(), alt: z.string().optional() }))
    .max(50, 'at most 50 images')
    .optional(),
});

export type PagerDutyEvent = z.output<typeof PagerDutyEventSchema>;

/** What the intake acts on: a trigger (with its alert), or an acknowledge / resolve of a dedup key. */
export type ParsedPagerDutyEvent =
  | { action: 'trigger'; dedupKey?: string; alert: Omit<RoutableAlert, 'integration'>; summary: string; detail: string; firedAt?: string }
  | { action: 'acknowledge' | 'resolve'; dedupKey: string };

export class InvalidEventError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('; '));
  }
}

const pathOf = (path: PropertyKey[]) => path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p)}`)).join('');

/** The event, or InvalidEventError listing every bad field by its path ("payload.severity: one of …"). */
export function parsePagerDutyEvent(body: unknown): ParsedPagerDutyEvent {
  const r = PagerDutyEventSchema.safeParse(body);
  if (!r.success) throw new InvalidEventError(r.error.issues.map((i) => `${pathOf(i.path) || '(event)'}: ${i.message}`));
  const e = r.data;
  // The key and the routing fields name the alert: unstorable text there is refused. What describes it (summary,
  // details, links, images) is made storable instead: a tool does not resend a refused event.
  const { source, component, group, class: klass } = e.payload ?? {};
  const identity = { dedup_key: e.dedup_key, payload: { source, component, group, class: klass } };
  const unstorable = unstorableInJson(identity, 'event');
  if (unstorable) throw new InvalidEventError([`${unstorable.replace(/^event\.?/, '')}, which the audit store cannot hold`]);
  if (e.event_action !== 'trigger') {
    if (!e.dedup_key) throw new InvalidEventError([`dedup_key: required to ${e.event_action} (the key the trigger sent or was given)`]);
    return { action: e.event_action, dedupKey: e.dedup_key };
  }
  const p = e.payload;
  if (!p) throw new InvalidEventError(['payload: required for a trigger: { summary, source, severity, … }']);
  const labels: Record<string, string> = {};
  // custom_details is free-form, of any depth: its scalar top-level values are labels, the whole of it is text
  // (jsonAsText: bounded, never a recursion that a value nested thousands deep overflows).
  const details = p.custom_details;
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    for (const [k, v] of Object.entries(details))
      if (['string', 'number', 'boolean'].includes(typeof v)) labels[toStorableText(k)] = toStorableText(String(v));
  }
  Object.assign(labels, { source: p.source, severity: p.severity }, definedOf({ component: p.component, group: p.group, class: p.class }));
  const links = (e.links ?? []).map((l) => toStorableText(`${l.text ? `${l.text}: ` : ''}${l.href}`));
  const detail = [
    `source ${p.source}`,
    p.component && `component ${p.component}`,
    p.group && `group ${p.group}`,
    p.class && `class ${p.class}`,
    details !== undefined && `details ${jsonAsText(details)}`,
    links.length && `links ${links.join(', ')}`,
    e.images?.length && `images ${toStorableText(e.images.map((i) => i.src).join(', '))}`,
  ]
    .filter(Boolean)
    .join('; ');
  return {
    action: 'trigger',
    dedupKey: e.dedup_key,
    alert: { intake: 'pagerduty', source: p.source, component: p.component, class: p.class, group: p.group, labels, severity: p.severity },
    summary: toStorableText(p.summary),
    detail,
    firedAt: p.timestamp,
  };
}

function definedOf(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
