import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RoutableAlert } from '../../runbooks/alertRouting';
import { unstorableInJson } from '../../runbooks/limits';
import { InvalidEventError } from './pagerdutyEvent';

/**
 * Alertmanager's webhook payload (version 4,
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config) and Grafana's, which is the same shape
 * plus orgId, values, silenceURL and the like (its `version` is Grafana's own, so it is not checked).
 */
const MAX_ALERTS = 100;
const dateTime = z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with a zone' });
const labelSet = z.record(z.string().max(255, 'label names are at most 255 characters'), z.string().max(1024, 'at most 1024 characters'));

const AlertSchema = z.object({
  status: z.enum(['firing', 'resolved'], { message: 'firing or resolved' }),
  labels: labelSet,
  annotations: labelSet.default({}),
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
    groupKey: z.string().max(4096).optional(),
    status: z.enum(['firing', 'resolved'], { message: 'firing or resolved' }),
    receiver: z.string().optional(),
    alerts: z.array(AlertSchema).min(1, 'at least one alert').max(MAX_ALERTS, `at most ${MAX_ALERTS} alerts`),
    externalURL: z.string().optional(),
    orgId: z.number().optional(),
  });

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

/** Every alert of the payload, or InvalidEventError naming each bad field ("alerts[0].startsAt: …"); nothing is acted on. */
export function parseWebhookAlerts(intake: 'alertmanager' | 'grafana', body: unknown): ParsedWebhookAlert[] {
  const r = PayloadSchema(intake).safeParse(body);
  if (!r.success) throw new InvalidEventError(r.error.issues.map((i) => `${pathOf(i.path) || '(payload)'}: ${i.message}`));
  const unstorable = unstorableInJson(body, 'payload');
  if (unstorable) throw new InvalidEventError([`${unstorable.replace(/^payload\.?/, '')}, which the audit store cannot hold`]);
  return r.data.alerts.map((a) => {
    const labels = a.labels;
    const dedupKey = a.fingerprint ?? labelsHash(labels);
    const name = labels.alertname?.trim() || 'alert';
    const summary = a.annotations.summary?.trim() || a.annotations.description?.trim() || a.annotations.message?.trim() || name;
    const values = a.values ? Object.entries(a.values).map(([k, v]) => `${k}=${JSON.stringify(v)}`) : [];
    const detail = [
      `labels ${Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
      a.annotations.description && a.annotations.description !== summary && `description ${a.annotations.description}`,
      values.length && `values ${values.join(', ')}`,
      a.generatorURL && `source ${a.generatorURL}`,
      a.silenceURL && `silence ${a.silenceURL}`,
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
  });
}

/** Alertmanager's own fingerprint is a hash of the sorted label set; this one is the same idea (not the same digits). */
function labelsHash(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
  return createHash('sha256').update(sorted).digest('hex').slice(0, 16);
}
