import { z } from 'zod';
import type { FlapSettings } from './alertLifecycle';
import { INCIDENT_TYPE_IDS, SEVERITIES, TIERS, type IncidentTypeId, type Severity, type Tier } from './types';
import { runbookName } from './vocabulary';

/**
 * Routing of monitoring alerts (PagerDuty events, Alertmanager and Grafana alerts) to incidents: pure data and pure
 * functions. lib/routingRules reads the file (DBOPS_ROUTING); the API routes each alert with routeAlert.
 */

export const ALERT_INTAKES = ['pagerduty', 'alertmanager', 'grafana'] as const;
export type AlertIntake = (typeof ALERT_INTAKES)[number];

/** One alert as every intake describes it, whatever its format. */
export interface RoutableAlert {
  intake: AlertIntake;
  /** The integration whose key sent it. */
  integration: string;
  /** PagerDuty's payload.source / component / class / group; Alertmanager's labels of the same names (source: or instance). */
  source?: string;
  component?: string;
  class?: string;
  group?: string;
  /** Alertmanager's labels; for PagerDuty, source, component, class, group, severity and custom_details' scalar values. */
  labels: Record<string, string>;
  /** The source's own severity word (PagerDuty's severity, Alertmanager's label `severity`). */
  severity?: string;
}

export const ALERT_RESOLVED_POLICIES = ['resolve', 'record'] as const;
export type AlertResolvedPolicyName = (typeof ALERT_RESOLVED_POLICIES)[number];

/** A value to match: a string matches exactly; `{ "regex": "…", "ignoreCase"? }` must match the whole value. */
export const matcherSchema = z.union([
  z.string(),
  z.object({ regex: z.string().superRefine(regexProblem), ignoreCase: z.boolean().optional() }).strict(),
]);
export type Matcher = z.infer<typeof matcherSchema>;

function regexProblem(pattern: string, ctx: z.RefinementCtx) {
  try {
    new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
  }
}

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

const RuleSchema = z
  .object({
    /** A name for logs and the incident's summary (default: its index). */
    name: z.string().min(1).max(64).optional(),
    match: z
      .object({
        intake: z.enum(ALERT_INTAKES).optional(),
        integration: matcherSchema.optional(),
        source: matcherSchema.optional(),
        component: matcherSchema.optional(),
        class: matcherSchema.optional(),
        group: matcherSchema.optional(),
        labels: z.record(z.string().min(1), matcherSchema).optional(),
      })
      .strict(),
    /** An incident type of the runbook in force (routingProblems checks it against the runbook's). */
    type: runbookName,
    /** The tier; without it, the alert's label named by tierLabel when it names a tier, else the default tier. */
    tier: runbookName.optional(),
    /** Without it, the alert's own severity word mapped (SOURCE_SEVERITIES), else the type's default. */
    severity: z.enum(SEVERITIES).optional(),
    /** A template over the alert's labels, e.g. "{{alertname}}:{{instance}}"; without it, the alert's dedup key. */
    fingerprint: z.string().min(1).max(255).optional(),
    /** Seconds the breach must hold before its incident pages (flapping; wins over the type's holdForSeconds). */
    holdForSeconds: z.number().int().min(0).max(3_600).optional(),
    /** Minutes in which the alert firing again after its clearing closed the incident reopens it (wins over the type's). */
    reopenWithinMinutes: z.number().int().min(0).max(1_440).optional(),
  })
  .strict();
export type RoutingRule = z.infer<typeof RuleSchema>;

export const RoutingConfigSchema = z
  .object({
    /**
     * The tier and severity of the unclassified incident an alert no rule routes opens. Its type is always
     * `unclassified`: an alert is never given the steps of a type it was not.
     */
    default: z
      .object({
        type: z
          .literal('unclassified', {
            error:
              'an alert no rule routes opens an unclassified incident, which the on-call classifies: remove default.type, or route those alerts with a rule',
          })
          .optional(),
        tier: runbookName,
        severity: z.enum(SEVERITIES).optional(),
      })
      .strict(),
    tierLabel: z.string().min(1).default('tier'),
    /** What a resolved alert does, by incident type (DEFAULT_RESOLVE_POLICY for the types not named). */
    resolvePolicy: z.record(runbookName, z.enum(ALERT_RESOLVED_POLICIES)).default({}),
    rules: z.array(RuleSchema),
  })
  .strict();
/** The routing, with the tiers of the runbook it belongs to (a tier label naming another tier is not a tier). */
export type RoutingConfig = z.output<typeof RoutingConfigSchema> & { tiers?: readonly Tier[] };

/**
 * Security and data-integrity incidents are closed by a person, whatever the monitoring says; the others close by
 * themselves. A type a runbook file adds is closed by a person unless its routing's resolvePolicy says `resolve`.
 */
export const DEFAULT_RESOLVE_POLICY: Record<IncidentTypeId, AlertResolvedPolicyName> = {
  'database-outage': 'resolve',
  'connection-pool-exhaustion': 'resolve',
  'performance-degradation': 'resolve',
  'data-integrity': 'record',
  'security-breach': 'record',
  // Its source says it is over and nobody acted: closed, like the types that close by themselves (else recorded and told).
  unclassified: 'resolve',
};

/** Monitoring tools' severity words → dbops severities (PagerDuty's four, and dbops' own names). */
export const SOURCE_SEVERITIES: Record<string, Severity> = {
  critical: 'critical',
  error: 'high',
  high: 'high',
  warning: 'medium',
  medium: 'medium',
  info: 'low',
  low: 'low',
};

/** The routing in force without a file: a few rules on Alertmanager's `alertname` and PagerDuty's class, and a triage default. */
export const BUILT_IN_ROUTING: RoutingConfig = RoutingConfigSchema.parse({
  default: { tier: 'oltp' },
  rules: [
    {
      name: 'outage',
      match: { labels: { alertname: { regex: '.*(down|unreachable|unavailable|outage).*', ignoreCase: true } } },
      type: 'database-outage',
    },
    {
      name: 'connections',
      match: { labels: { alertname: { regex: '.*(connection|pool).*', ignoreCase: true } } },
      type: 'connection-pool-exhaustion',
    },
    {
      name: 'integrity',
      match: { labels: { alertname: { regex: '.*(corrupt|checksum|integrity|replication).*', ignoreCase: true } } },
      type: 'data-integrity',
    },
    {
      name: 'security',
      match: { labels: { alertname: { regex: '.*(security|superuser|intrusion|breach).*', ignoreCase: true } } },
      type: 'security-breach',
    },
    {
      name: 'pagerduty-class',
      match: { intake: 'pagerduty', class: { regex: '.*(security|breach).*', ignoreCase: true } },
      type: 'security-breach',
    },
  ],
});

/** Where an alert goes: the incident's type, tier and severity, and its fingerprint template (if the rule has one). */
export interface AlertRoute {
  type: IncidentTypeId;
  tier: Tier;
  severity?: Severity;
  fingerprintTemplate?: string;
  /** The rule that routed it (its name, or `#<index>`); undefined for the triage default. */
  rule?: string;
  /** Why it went to the triage default: said in the incident's summary. */
  triage?: string;
  resolvePolicy: AlertResolvedPolicyName;
  /** The rule's hold and reopen window for its alerts (docs/alert-lifecycle.md). */
  flap?: FlapSettings;
}

/** Whether a value matches: exactly, or the whole value by the regex. */
export function matches(m: Matcher | undefined, value: string | undefined): boolean {
  if (m === undefined) return true;
  if (value === undefined) return false;
  return typeof m === 'string' ? m === value : new RegExp(`^(?:${m.regex})$`, m.ignoreCase ? 'i' : '').test(value);
}

function ruleMatches(rule: RoutingRule, alert: RoutableAlert): boolean {
  const m = rule.match;
  if (m.intake && m.intake !== alert.intake) return false;
  if (!matches(m.integration, alert.integration)) return false;
  if (!matches(m.source, alert.source) || !matches(m.component, alert.component)) return false;
  if (!matches(m.class, alert.class) || !matches(m.group, alert.group)) return false;
  return Object.entries(m.labels ?? {}).every(([name, value]) => matches(value, alert.labels[name]));
}

/** The first rule that matches routes the alert; none matching routes it to the triage default, saying why. */
export function routeAlert(config: RoutingConfig, alert: RoutableAlert, tiers: readonly Tier[] = config.tiers ?? TIERS): AlertRoute {
  const index = config.rules.findIndex((rule) => ruleMatches(rule, alert));
  const rule = index >= 0 ? config.rules[index] : undefined;
  const type: IncidentTypeId = rule?.type ?? 'unclassified';
  const labelTier = alert.labels[config.tierLabel];
  const tier = rule?.tier ?? (labelTier !== undefined && tiers.includes(labelTier) ? labelTier : config.default.tier);
  const mapped = alert.severity ? SOURCE_SEVERITIES[alert.severity.toLowerCase()] : undefined;
  const severity = rule?.severity ?? mapped ?? (rule ? undefined : config.default.severity);
  const resolvePolicy = config.resolvePolicy[type] ?? DEFAULT_RESOLVE_POLICY[type] ?? 'record';
  if (rule)
    return {
      type,
      tier,
      severity,
      fingerprintTemplate: rule.fingerprint,
      rule: rule.name ?? `#${index}`,
      resolvePolicy,
      flap: { holdForSeconds: rule.holdForSeconds, reopenWithinMinutes: rule.reopenWithinMinutes },
    };
  const labels = Object.entries(alert.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return { type, tier, severity, triage: `no routing rule matched; labels: ${labels || '(none)'}`, resolvePolicy };
}

/** A fingerprint template filled from the labels; a label the alert lacks is left empty. */
export function renderTemplate(template: string, labels: Record<string, string>): string {
  return template.replace(TEMPLATE, (_, name: string) => labels[name] ?? '');
}

/** The names a routing may use: the incident types and tiers of the runbook in force. */
export interface RoutingVocabulary {
  types: readonly IncidentTypeId[];
  tiers: readonly Tier[];
}
export const SHIPPED_VOCABULARY: RoutingVocabulary = { types: INCIDENT_TYPE_IDS, tiers: TIERS };

/** The routing's references to types and tiers the runbook does not have, each with its path and what is accepted. */
export function routingReferenceProblems(config: z.input<typeof RoutingConfigSchema>, vocab: RoutingVocabulary) {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const known = (kind: string, names: readonly string[], value: string | undefined, path: (string | number)[]) => {
    if (value !== undefined && !names.includes(value))
      problems.push({ path, message: `unknown ${kind} '${value}'; accepted: ${names.join(', ')}` });
  };
  known('tier', vocab.tiers, config.default?.tier, ['default', 'tier']);
  for (const type of Object.keys(config.resolvePolicy ?? {})) known('incident type', vocab.types, type, ['resolvePolicy', type]);
  (config.rules ?? []).forEach((rule, i) => {
    known('incident type', vocab.types, rule.type, ['rules', i, 'type']);
    known('tier', vocab.tiers, rule.tier, ['rules', i, 'tier']);
  });
  return problems;
}

const pathText = (path: readonly PropertyKey[]) =>
  path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p)}`)).join('') || '(file)';

/** The problems of a routing file, each naming the rule index and field ("rules[2].match.labels.env: …"); [] when valid. */
export function routingProblems(data: unknown, vocab: RoutingVocabulary = SHIPPED_VOCABULARY): string[] {
  const r = RoutingConfigSchema.safeParse(data);
  const structural = r.success ? [] : r.error.issues.map((i) => `${pathText(i.path)}: ${i.message}`);
  let references: string[] = [];
  try {
    // Checked on the file as written too, so one run names every problem.
    references = routingReferenceProblems((r.success ? r.data : data) as RoutingConfig, vocab).map(
      (p) => `${pathText(p.path)}: ${p.message}`,
    );
  } catch {
    // Too malformed to look for references: its structural problems say why.
  }
  return [...structural, ...references];
}
