import { z } from 'zod';
import { CHECKLIST_CHECKS, type ChecklistDefinition } from './checklists';
import { runbookName } from './vocabulary';
import {
  AUTOMATED_ACTIONS,
  CHECKLIST_IDS,
  HOOK_ACTIONS,
  INCIDENT_TYPE_IDS,
  ROLES,
  SEVERITIES,
  TIERS,
  type ChecklistId,
  type IncidentTypeDefinition,
  type IncidentTypeId,
} from './types';

/** Schemas of the runbook catalog: checked when a worker or the CLI loads it, and by a test on every run. */

const stepId = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a kebab-case id');
const positive = z.number().int().positive();
/** A role's name; the runbook checks each against its roles (runbookFileSchema), the shipped catalog against ROLES. */
const roleName = runbookName;

const AutomatedStepSchema = z.object({
  id: stepId,
  title: z.string().min(1),
  kind: z.literal('automated'),
  action: z.enum(AUTOMATED_ACTIONS),
  timeoutSeconds: positive,
  maxAttempts: positive,
  heartbeatSeconds: positive.optional(),
  approvalRoles: z.array(roleName).min(1).optional(),
});
const ManualStepSchema = z.object({
  id: stepId,
  title: z.string().min(1),
  kind: z.literal('manual'),
  dueMinutes: positive,
  reminderMinutes: positive,
});

const ProbeStepSchema = z.object({
  id: stepId,
  title: z.string().min(1),
  kind: z.literal('probe'),
  /** One SELECT; it runs in a READ ONLY transaction, so it cannot change anything. */
  sql: z.string().min(1),
  timeoutSeconds: positive.max(300),
  maxAttempts: positive.max(10).default(2),
  thresholds: z
    .object({
      column: z.string().min(1),
      warnAbove: z.number().optional(),
      failAbove: z.number().optional(),
      warnBelow: z.number().optional(),
      failBelow: z.number().optional(),
    })
    .strict()
    .refine((t) => [t.warnAbove, t.failAbove, t.warnBelow, t.failBelow].some((v) => v !== undefined), {
      error: 'at least one of warnAbove, failAbove, warnBelow, failBelow',
    }),
  evidence: z.string().min(1).max(500),
});

const ClassifyStepSchema = z.object({
  id: z.literal('classify'),
  title: z.string().min(1),
  kind: z.literal('classify'),
  dueMinutes: positive,
  reminderMinutes: positive,
});

/** An incident type's fields as a runbook file writes them (its id is its key there). */
export const incidentTypeFields = {
  name: z.string().min(1),
  /** The type's response SLA in minutes. */
  responseMinutes: positive,
  defaultSeverity: z.enum(SEVERITIES),
  /** The type's own escalation path, first role first; the ladder adds the general path above it. */
  escalationPath: z.array(roleName).min(1),
  steps: z.array(z.discriminatedUnion('kind', [AutomatedStepSchema, ManualStepSchema, ClassifyStepSchema, ProbeStepSchema])).min(1),
  ladderPasses: z.number().int().nonnegative().optional(),
  ackTimeoutMinutes: z.partialRecord(z.enum(SEVERITIES), positive).optional(),
  holdForSeconds: z.number().int().nonnegative().max(3_600).optional(),
  reopenWithinMinutes: z.number().int().nonnegative().max(1_440).optional(),
};
type IncidentTypeFields = z.output<z.ZodObject<typeof incidentTypeFields>>;

/** The checks of one incident type that need nothing else of the runbook; `id` is the type's id. */
export function incidentTypeProblems(id: string, t: IncidentTypeFields, ctx: z.RefinementCtx, at: (string | number)[] = []) {
  const seen = new Set<string>();
  t.steps.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [...at, 'steps', i, 'id'], message: `duplicate step id '${s.id}'` });
    seen.add(s.id);
    // Only the unclassified type is classified, and that is its one step.
    if ((s.kind === 'classify') !== (id === 'unclassified'))
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'steps', i, 'kind'],
        message: 'the unclassified type has one step, of kind classify; no other type has one',
      });
    if (s.kind === 'automated' && s.heartbeatSeconds !== undefined) {
      const path = [...at, 'steps', i, 'heartbeatSeconds'];
      const hooks = Object.keys(HOOK_ACTIONS).join(', ');
      // Only a hook action heartbeats; any other would be failed by its own heartbeat timeout.
      if (!HOOK_ACTIONS[s.action]) ctx.addIssue({ code: 'custom', path, message: `only for actions that run a hook (${hooks})` });
      else if (s.heartbeatSeconds >= s.timeoutSeconds) {
        ctx.addIssue({ code: 'custom', path, message: `must be less than timeoutSeconds (${s.timeoutSeconds})` });
      }
    }
  });
}

/** Roles a list names that the vocabulary does not have, each at its index. */
export function unknownRoles(
  roles: readonly string[] | undefined,
  known: readonly string[],
  ctx: z.RefinementCtx,
  at: (string | number)[],
) {
  roles?.forEach((role, i) => {
    if (!known.includes(role))
      ctx.addIssue({ code: 'custom', path: [...at, i], message: `unknown role '${role}'; accepted: ${known.join(', ')}` });
  });
}

/** The roles an incident type names: its escalation path and its steps' approvers. */
export function incidentTypeRoleProblems(
  t: IncidentTypeFields,
  known: readonly string[],
  ctx: z.RefinementCtx,
  at: (string | number)[] = [],
) {
  unknownRoles(t.escalationPath, known, ctx, [...at, 'escalationPath']);
  t.steps.forEach((s, i) => {
    if (s.kind === 'automated') unknownRoles(s.approvalRoles, known, ctx, [...at, 'steps', i, 'approvalRoles']);
  });
}

export const IncidentTypeSchema = z.object({ id: z.enum(INCIDENT_TYPE_IDS), ...incidentTypeFields }).superRefine((t, ctx) => {
  incidentTypeProblems(t.id, t, ctx);
  incidentTypeRoleProblems(t, ROLES, ctx);
});

const ChecklistItemSchema = z.discriminatedUnion('kind', [
  z.object({
    id: stepId,
    title: z.string().min(1),
    kind: z.literal('automated'),
    check: z.enum(CHECKLIST_CHECKS),
    tiers: z.union([z.literal('all'), z.array(runbookName).min(1)]).optional(),
  }),
  z.object({
    id: stepId,
    title: z.string().min(1),
    kind: z.literal('manual'),
    signOffRoles: z.array(roleName).min(1),
    dueMinutes: positive,
  }),
]);

/** A checklist's fields as a runbook file writes them (its id is its key there). */
export const checklistFields = {
  name: z.string().min(1),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24 h'),
  closeAfterMinutes: positive,
  items: z.array(ChecklistItemSchema).min(1),
};
type ChecklistFields = z.output<z.ZodObject<typeof checklistFields>>;

/** A checklist's own checks, and the roles and tiers it names against the runbook's. */
export function checklistProblems(
  c: ChecklistFields,
  ctx: z.RefinementCtx,
  vocab: { roles: readonly string[]; tiers: readonly string[] },
  at: (string | number)[] = [],
) {
  c.items.forEach((item, i) => {
    if (item.kind === 'manual' && item.dueMinutes >= c.closeAfterMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'items', i, 'dueMinutes'],
        message: `must be before the run closes (${c.closeAfterMinutes} min)`,
      });
    }
    if (item.kind === 'manual') unknownRoles(item.signOffRoles, vocab.roles, ctx, [...at, 'items', i, 'signOffRoles']);
    if (item.kind === 'automated' && Array.isArray(item.tiers))
      item.tiers.forEach((tier, n) => {
        if (!vocab.tiers.includes(tier))
          ctx.addIssue({
            code: 'custom',
            path: [...at, 'items', i, 'tiers', n],
            message: `unknown tier '${tier}'; accepted: ${vocab.tiers.join(', ')}`,
          });
      });
  });
}

export const ChecklistSchema = z
  .object({ id: z.enum(CHECKLIST_IDS), ...checklistFields })
  .superRefine((c, ctx) => checklistProblems(c, ctx, { roles: ROLES, tiers: TIERS }));

function check<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${[where, ...i.path].join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid runbook catalog: ${problems}`);
  }
  return r.data;
}

/** Validates each entry of a keyed section; an entry's id must equal its key. */
function checkSection<T extends { id: string }>(schema: z.ZodType<T>, section: Record<string, unknown>, name: string): Record<string, T> {
  return Object.fromEntries(
    Object.entries(section).map(([key, value]) => {
      const entry = check(schema, value, `${name}.${key}`);
      if (entry.id !== key) throw new Error(`invalid runbook catalog: ${name}.${key}.id: is '${entry.id}', must equal its key`);
      return [key, entry];
    }),
  );
}

/** Validates every incident type and checklist; the error names the bad field and what is accepted. */
export function validateCatalog(catalog: { incidentTypes: Record<string, unknown>; checklists: Record<string, unknown> }) {
  const incidentTypes = checkSection(IncidentTypeSchema, catalog.incidentTypes, 'incidentTypes') as Record<
    IncidentTypeId,
    IncidentTypeDefinition
  >;
  const checklists = checkSection(ChecklistSchema, catalog.checklists, 'checklists') as Record<ChecklistId, ChecklistDefinition>;
  for (const id of INCIDENT_TYPE_IDS) if (!incidentTypes[id]) throw new Error(`invalid runbook catalog: incidentTypes.${id}: missing`);
  return { incidentTypes, checklists };
}
