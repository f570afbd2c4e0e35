import { z } from 'zod';
import { ACTIONS, CONDITIONS } from './actionPolicy';
import { RoutingConfigSchema, routingReferenceProblems } from './alertRouting';
import {
  checklistFields,
  checklistProblems,
  incidentTypeFields,
  incidentTypeProblems,
  incidentTypeRoleProblems,
  unknownRoles,
} from './catalogSchema';
import { SEVERITY_DEFINITIONS } from './severities';
import { CHECKLIST_IDS, INTEGRATION_ROLE } from './types';
import { isoDay } from './runbookReviews';
import { runbookName } from './vocabulary';

/**
 * The runbook file (config/runbook.yaml): the team's tiers, roles, incident types, checklists, alert routing and
 * action policy in one document. Its JSON Schema (runbooks/runbook.schema.json, generated from this) is what editors
 * complete and check against; this schema adds the checks a JSON Schema cannot say (every name a field uses is one
 * the file defines).
 */

const positive = z.number().int().positive();

const TierDatabaseSchema = z
  .object({
    /** The node's name as alerts name it (label `instance` without its port, or `node`). */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a node name: lowercase letters, digits, . _ -'),
    role: z.enum(['primary', 'replica']),
    /** The PostgreSQL database probes connect to. */
    database: z.string().min(1).optional(),
    /** The environment variable that holds the connection string (the file never holds a password). */
    connectionEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name (A-Z, 0-9, _)')
      .optional(),
  })
  .strict();

const TierSchema = z
  .object({
    name: z.string().min(1),
    pool: z.object({ min: z.number().int().nonnegative(), max: positive }).strict(),
    databases: z.array(TierDatabaseSchema).min(1),
    dependsOn: z.array(runbookName).default([]),
  })
  .strict();

const cycleDays = z
  .number()
  .int('a whole number of days from 1 to 366')
  .min(1, 'a whole number of days from 1 to 366')
  .max(366, 'a whole number of days from 1 to 366');

/**
 * When a runbook (an incident type) was last reviewed and by whom: a date (YYYY-MM-DD, not after today) and a person of
 * the roster (checked by `runbook check`, which reads the roster). `cycleDays` overrides the file's `reviewCycleDays`.
 */
const ReviewSchema = z
  .object({
    lastReviewed: z.iso.date('a date YYYY-MM-DD that exists, e.g. 2026-11-20'),
    by: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "a person's id on the roster (lowercase letters, digits, . _ -)"),
    cycleDays: cycleDays.optional(),
  })
  .strict();

const EntitlementSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('role'), roles: z.array(z.string().min(1)).min(1), name: z.string().min(1).optional() }).strict(),
  z.object({ kind: z.literal('ladder') }).strict(),
  z.object({ kind: z.literal('paged') }).strict(),
  z.object({ kind: z.literal('acknowledger') }).strict(),
  z.object({ kind: z.literal('step-approver') }).strict(),
  z.object({ kind: z.literal('item-signer') }).strict(),
  z.object({ kind: z.literal('roster') }).strict(),
]);

const PolicyRuleSchema = z
  .object({
    id: z.string().min(1),
    action: z.enum(ACTIONS),
    when: z.enum(Object.keys(CONDITIONS) as [keyof typeof CONDITIONS]).optional(),
    anyOf: z.array(EntitlementSchema).min(1),
    reasonRequired: z.boolean().optional(),
  })
  .strict();

const RunbookFileShape = z
  .object({
    /** The JSON Schema an editor checks the file against. */
    $schema: z.string().optional(),
    /** The team's roles; a roster and every field naming a role may use only these. */
    roles: z.array(runbookName).min(1),
    /** The general escalation path, lowest first: a ladder climbs it after the type's own path. */
    generalEscalationPath: z.array(runbookName).min(1),
    tiers: z.record(runbookName, TierSchema),
    /** Days between reviews of a runbook unless its review says otherwise: the seed's "Review Cycle: Monthly". */
    reviewCycleDays: cycleDays.default(30),
    incidentTypes: z.record(runbookName, z.object({ ...incidentTypeFields, review: ReviewSchema.optional() }).strict()),
    checklists: z.record(z.enum(CHECKLIST_IDS), z.object(checklistFields).strict()),
    routing: RoutingConfigSchema,
    actionPolicy: z.array(PolicyRuleSchema).min(1),
  })
  .strict();

export type RunbookFile = z.output<typeof RunbookFileShape>;

/** The checks across sections: every role, tier and incident type a field names is one the file defines. */
function crossReferences(file: RunbookFile, ctx: z.RefinementCtx) {
  const roles = file.roles;
  const tiers = Object.keys(file.tiers);
  const types = Object.keys(file.incidentTypes);
  unknownRoles(file.generalEscalationPath, roles, ctx, ['generalEscalationPath']);
  for (const [id, tier] of Object.entries(file.tiers)) {
    if (tier.databases.filter((d) => d.role === 'primary').length !== 1)
      ctx.addIssue({ code: 'custom', path: ['tiers', id, 'databases'], message: 'a tier has exactly one database of role primary' });
    tier.dependsOn.forEach((dep, i) => {
      if (!tiers.includes(dep))
        ctx.addIssue({
          code: 'custom',
          path: ['tiers', id, 'dependsOn', i],
          message: `unknown tier '${dep}'; accepted: ${tiers.join(', ')}`,
        });
    });
  }
  if (!types.includes('unclassified'))
    ctx.addIssue({
      code: 'custom',
      path: ['incidentTypes'],
      message: 'needs the type unclassified (an alert no routing rule routes opens it)',
    });
  for (const [id, type] of Object.entries(file.incidentTypes)) {
    const at = ['incidentTypes', id];
    incidentTypeProblems(id, type, ctx, at);
    incidentTypeRoleProblems(type, roles, ctx, at);
    if (type.review && type.review.lastReviewed > isoDay(new Date(Date.now() + 86_400_000)))
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'review', 'lastReviewed'],
        message: `${type.review.lastReviewed} is in the future; accepted: a date up to today`,
      });
    // The clock that climbs the ladder is the stricter of the type's SLA and its severity's: an SLA longer than the
    // severity's response time would never be the one that pages.
    const severity = SEVERITY_DEFINITIONS[type.defaultSeverity];
    if (type.responseMinutes > severity.responseMinutes)
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'responseMinutes'],
        message: `${type.responseMinutes} min cannot fit the ladder: at its default severity ${type.defaultSeverity} the next level is paged after ${severity.responseMinutes} min; accepted: 1 to ${severity.responseMinutes}`,
      });
  }
  for (const [id, checklist] of Object.entries(file.checklists)) checklistProblems(checklist, ctx, { roles, tiers }, ['checklists', id]);
  for (const p of routingReferenceProblems(file.routing, { types, tiers }))
    ctx.addIssue({ code: 'custom', path: ['routing', ...p.path], message: p.message });
  file.actionPolicy.forEach((rule, i) =>
    rule.anyOf.forEach((e, n) => {
      if (e.kind === 'role') unknownRoles(e.roles, [...roles, INTEGRATION_ROLE], ctx, ['actionPolicy', i, 'anyOf', n, 'roles']);
    }),
  );
  // A refusal names the rule that decided: every action needs a row that applies whatever the incident's state.
  for (const action of ACTIONS)
    if (!file.actionPolicy.some((r) => r.action === action && r.when === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['actionPolicy'],
        message: `no rule for the action '${action}' without a condition; every action needs one`,
      });
}

/**
 * Cross-references are checked even when a field elsewhere is malformed, so one run reports every problem; a section
 * too malformed to read is left to its structural problems.
 */
export const RunbookFileSchema = RunbookFileShape.superRefine(
  (file, ctx) => {
    try {
      crossReferences(file, ctx);
    } catch {
      // The shape is broken where a reference was looked for: its structural problem is reported already.
    }
  },
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
);

/** The JSON Schema editors use (runbooks/runbook.schema.json is this, written by dev/writeRunbookSchema.ts). */
export function runbookJsonSchema(): object {
  return {
    ...z.toJSONSchema(RunbookFileShape, { io: 'input', target: 'draft-2020-12' }),
    $id: 'https://dbops.invalid/runbook.schema.json',
    title: 'dbops runbook',
    description:
      'The team runbook dbops runs: tiers, roles, incident types, checklists, alert routing and action policy (docs/runbook.md).',
  };
}
