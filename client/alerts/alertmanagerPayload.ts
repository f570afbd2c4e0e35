import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RoutableAlert } from '../../runbooks/alertRouting';
import { jsonAsText, toStorableText, unstorableInJson } from '../../runbooks/limits';
import { InvalidEventError } from './pagerdutyEvent';

/**
 * Alertmanager's webhook payload (version 4,
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config) and Grafana's, which is the same shape
 * plus orgId, values, silenceURL and the like (its `version` is Grafana's own, so it is not checked).
 *
 * Alertmanager sends a whole group in one request and does not retry a 4xx: refusing the request loses every alert
 * in it for good. So the limits fit big groups (MAX_ALERTS here, MAX_BATCH_BODY_BYTES for the body), descriptive
 * text (annotations, Grafana's values and URLs) is clipped and made storable rather than refused, and an alert whose
 * identity cannot be read (status, labels, startsAt, fingerprint) is refused alone: the rest of its group is taken.
 */
export const MAX_ALERTS = 10_000;
const dateTime = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with a zone' });
const labelSet = z.record(z.string().max(255, 'label names are at most 255 characters'), z.string().max(1024, 'at most 1024 characters'));

const AlertSchema = z.object({
  status: z.enum(['firing', 'resolved'], { message: 'firing or resolved' }),
  labels: labelSet,
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: dateTime,
  endsAt: dateTime.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(255).optional(),
  // Grafana
  values: z.record(z.string(), z.unknown()).nullable().optional(),
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
});

const PayloadSchema = (intake: 'alertmanager' | 'grafana') =>
  z.object({
    version:
      intake === 'alertmanager' ? z.literal('4', { message: "'4' (Alertmanager's webhook payload version 4)" }) : z.string().optional(),
    groupKey: z.string().optional(),
    status: z.enum(['firing', 'resolved'], { message: 'firing or resolved' }),
    receiver: z.string().optional(),
    // Each alert is checked on its own (below).
    alerts: z.array(z.unknown()).min(1, 'at least one alert').max(MAX_ALERTS, `at most ${MAX_ALERTS} alerts`),
    externalURL: z.string().optional(),
    orgId: z.number().optional(),
  });

/** How much of an annotation or a Grafana value is kept: the incident's summary is clipped further. */
const DESCRIPTIVE_CHARS = 4000;

/** One alert of the payload, ready for the intake: fire (open or repeat) or resolve. */
export interface ParsedWebhookAlert {
  action: 'trigger' | 'resolve';
  /** Alertmanager's fingerprint (a hash of the labels), or one computed the same way when absent. */
  dedupKey: string;
  alert: Omit<RoutableAlert, 'integration'>;
  /** The fingerprint to use when no rule gives a template: `<alertname>:<fingerprint>`. */
  defaultKey: string;
  summary: string;
  detail: string;
  firedAt: string;
  endedAt?: string;
}

const pathOf = (path: PropertyKey[]) => path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p)}`)).join('');

/** The payload's alerts that can be read, and why each other one was refused ("alerts[3].startsAt: …"). */
export interface WebhookAlerts {
  alerts: ParsedWebhookAlert[];
  refused: string[];
}

/**
 * Every alert of the payload that can be read, and the refusal of each one that cannot. A bad envelope, or a payload
 * none of whose alerts can be read, is InvalidEventError naming each bad field: nothing is acted on.
 */
export function parseWebhookAlerts(intake: 'alertmanager' | 'grafana', body: unknown): WebhookAlerts {
  const r = PayloadSchema(intake).safeParse(body);
  if (!r.success) throw new InvalidEventError(r.error.issues.map((i) => `${pathOf(i.path) || '(payload)'}: ${i.message}`));
  const alerts: ParsedWebhookAlert[] = [];
  const refused: string[] = [];
  r.data.alerts.forEach((raw, index) => {
    const at = `alerts[${index}]`;
    const a = AlertSchema.safeParse(raw);
    if (!a.success) {
      refused.push(...a.error.issues.map((i) => `${at}${pathOf(i.path) ? `.${pathOf(i.path)}` : ''}: ${i.message}`));
      return;
    }
    // Labels and the fingerprint are the alert's identity (its dedup key, its routing): unstorable text there is refused.
    const unstorable = unstorableInJson({ labels: a.data.labels, fingerprint: a.data.fingerprint }, at);
    if (unstorable) {
      refused.push(`${unstorable}, which the audit store cannot hold`);
      return;
    }
    alerts.push(parsedAlert(intake, a.data));
  });
  if (!alerts.length) throw new InvalidEventError(refused);
  return { alerts, refused };
}

function parsedAlert(intake: 'alertmanager' | 'grafana', a: z.infer<typeof AlertSchema>): ParsedWebhookAlert {
  const labels = a.labels;
  const text = (v: string | undefined) => (v === undefined ? undefined : toStorableText(v, DESCRIPTIVE_CHARS).trim());
  const annotations = Object.fromEntries(Object.entries(a.annotations).map(([k, v]) => [k, text(v)]));
  const dedupKey = a.fingerprint ?? labelsHash(labels);
  const name = labels.alertname?.trim() || 'alert';
  const summary = annotations.summary || annotations.description || annotations.message || name;
  // Grafana's values are free-form, of any depth: each is bounded text (jsonAsText), never a recursive walk.
  const values = a.values ? Object.entries(a.values).map(([k, v]) => `${k}=${jsonAsText(v)}`) : [];
  const detail = [
    `labels ${Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    annotations.description && annotations.description !== summary && `description ${annotations.description}`,
    values.length && `values ${text(values.join(', '))}`,
    a.generatorURL && `source ${text(a.generatorURL)}`,
    a.silenceURL && `silence ${text(a.silenceURL)}`,
  ]
    .filter(Boolean)
    .join('; ');
  // Alertmanager sends endsAt 0001-01-01 for an alert still firing.
  const endedAt = a.status === 'resolved' && a.endsAt && !a.endsAt.startsWith('0001-') ? a.endsAt : undefined;
  return {
    action: a.status === 'firing' ? 'trigger' : 'resolve',
    dedupKey: `${intake}:${dedupKey}`,
    alert: {
      intake,
      source: labels.source ?? labels.instance,
      component: labels.component,
      class: labels.class,
      group: labels.group ?? labels.job,
      labels,
      severity: labels.severity,
    },
    defaultKey: `${name}:${dedupKey}`,
    summary,
    detail,
    firedAt: a.startsAt,
    endedAt,
  };
}

/** Alertmanager's own fingerprint is a hash of the sorted label set; this one is the same idea (not the same digits). */
function labelsHash(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(sorted).digest('hex').slice(0, 16);
}
