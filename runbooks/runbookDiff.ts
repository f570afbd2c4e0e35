import type { PolicyRule } from './actionPolicy';
import { escalationRoles } from './plan';
import type { Runbook } from './runbook';
import type { IncidentTypeDefinition, RunbookStep } from './types';

/**
 * What changes for incidents opened under runbook B instead of A, per incident type: its clocks, its ladder, its
 * steps; and the action policy, which every type shares. Pure: `dbops runbook diff` prints it. Incidents already open
 * keep the plan they froze, so nothing here changes them.
 */

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface StepChange {
  id: string;
  title: string;
  change: 'added' | 'removed' | 'changed' | 'moved';
  /** An added step's kind (probe, manual, automated): what it will ask of people or run. */
  kind?: string;
  /** Position from 1, in B (in A for a removed step). */
  position: number;
  fields?: FieldChange[];
}

export interface TypeDiff {
  type: string;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** Response SLA, default severity, acknowledgement timeouts, hold, reopen window, ladder passes. */
  clocks: FieldChange[];
  /** The ladder's rungs (roles paged together, level 1 first) when they differ. */
  ladder?: { from: string[][]; to: string[][] };
  steps: StepChange[];
}

export interface PolicyChange {
  rule: string;
  change: 'added' | 'removed' | 'changed';
  from?: PolicyRule;
  to?: PolicyRule;
}

export interface RunbookDiff {
  from: string;
  to: string;
  types: TypeDiff[];
  policy: PolicyChange[];
}

const CLOCK_FIELDS = [
  'responseMinutes',
  'defaultSeverity',
  'ackTimeoutMinutes',
  'holdForSeconds',
  'reopenWithinMinutes',
  'ladderPasses',
] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function fieldChanges<T extends object>(a: T, b: T, fields: readonly (keyof T & string)[]): FieldChange[] {
  return fields.filter((f) => !same(a[f], b[f])).map((f) => ({ field: f, from: a[f], to: b[f] }));
}

function stepChanges(a: RunbookStep[], b: RunbookStep[]): StepChange[] {
  const changes: StepChange[] = [];
  const inA = new Map(a.map((s, i) => [s.id, { step: s, index: i }]));
  const inB = new Map(b.map((s, i) => [s.id, { step: s, index: i }]));
  // Steps both have, in A's order and in B's: a step whose rank among them differs has moved.
  const commonA = a.filter((s) => inB.has(s.id)).map((s) => s.id);
  const commonB = b.filter((s) => inA.has(s.id)).map((s) => s.id);
  b.forEach((s, i) => {
    const before = inA.get(s.id);
    if (!before) {
      changes.push({ id: s.id, title: s.title, change: 'added', kind: s.kind, position: i + 1 });
      return;
    }
    const keys = [...new Set([...Object.keys(before.step), ...Object.keys(s)])] as (keyof RunbookStep & string)[];
    const fields = fieldChanges(before.step, s, keys);
    if (fields.length) changes.push({ id: s.id, title: s.title, change: 'changed', position: i + 1, fields });
    else if (commonA.indexOf(s.id) !== commonB.indexOf(s.id)) changes.push({ id: s.id, title: s.title, change: 'moved', position: i + 1 });
  });
  a.forEach((s, i) => {
    if (!inB.has(s.id)) changes.push({ id: s.id, title: s.title, change: 'removed', position: i + 1 });
  });
  return changes;
}

function typeDiff(id: string, a: IncidentTypeDefinition | undefined, b: IncidentTypeDefinition | undefined, ra: Runbook, rb: Runbook) {
  if (!a && b)
    return {
      type: id,
      name: b.name,
      change: 'added' as const,
      clocks: fieldChanges({} as IncidentTypeDefinition, b, CLOCK_FIELDS),
      steps: stepChanges([], b.steps),
      ladder: { from: [], to: escalationRoles(b, rb.generalEscalationPath) },
    };
  if (a && !b) return { type: id, name: a.name, change: 'removed' as const, clocks: [], steps: [] };
  if (!a || !b) return undefined;
  const ladderA = escalationRoles(a, ra.generalEscalationPath);
  const ladderB = escalationRoles(b, rb.generalEscalationPath);
  const diff: TypeDiff = {
    type: id,
    name: b.name,
    change: 'changed',
    clocks: fieldChanges(a, b, CLOCK_FIELDS),
    ...(same(ladderA, ladderB) ? {} : { ladder: { from: ladderA, to: ladderB } }),
    steps: stepChanges(a.steps, b.steps),
  };
  const named = a.name === b.name ? [] : [{ field: 'name', from: a.name, to: b.name }];
  diff.clocks = [...named, ...diff.clocks];
  return diff.clocks.length || diff.ladder || diff.steps.length ? diff : undefined;
}

function policyChanges(a: PolicyRule[], b: PolicyRule[]): PolicyChange[] {
  const byId = (rules: PolicyRule[]) => new Map(rules.map((r) => [r.id, r]));
  const ma = byId(a);
  const mb = byId(b);
  const changes: PolicyChange[] = [];
  for (const [id, rule] of mb) {
    const before = ma.get(id);
    if (!before) changes.push({ rule: id, change: 'added', to: rule });
    else if (!same(before, rule)) changes.push({ rule: id, change: 'changed', from: before, to: rule });
  }
  for (const [id, rule] of ma) if (!mb.has(id)) changes.push({ rule: id, change: 'removed', from: rule });
  return changes;
}

export function diffRunbooks(a: Runbook, b: Runbook): RunbookDiff {
  const ids = [...new Set([...Object.keys(a.incidentTypes), ...Object.keys(b.incidentTypes)])];
  return {
    from: a.version,
    to: b.version,
    types: ids.map((id) => typeDiff(id, a.incidentTypes[id], b.incidentTypes[id], a, b)).filter((d): d is TypeDiff => d !== undefined),
    policy: policyChanges(a.actionPolicy, b.actionPolicy),
  };
}

const CLOCK_WORDS: Record<string, string> = {
  name: 'name',
  responseMinutes: 'response SLA (min)',
  defaultSeverity: 'default severity',
  ackTimeoutMinutes: 'acknowledgement timeout (min)',
  holdForSeconds: 'hold before paging (s)',
  reopenWithinMinutes: 'reopen window (min)',
  ladderPasses: 'ladder passes',
};

const shown = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const rungs = (ladder: string[][]) => ladder.map((roles, i) => `level ${i + 1}: ${roles.join(' + ')}`).join('; ');

/** The diff as lines a person reads: one block per type, then the policy. */
export function diffLines(d: RunbookDiff): string[] {
  const lines: string[] = [];
  if (!d.types.length && !d.policy.length) return [`no change for new incidents (${d.from} → ${d.to})`];
  lines.push(`for incidents opened under ${d.to} instead of ${d.from} (open incidents keep their plan):`);
  for (const t of d.types) {
    lines.push('', `${t.type} (${t.name}): ${t.change}`);
    if (t.change === 'removed') {
      lines.push('  no new incident of this type can be opened; an alert routed to it is refused');
      continue;
    }
    for (const c of t.clocks) lines.push(`  ${CLOCK_WORDS[c.field] ?? c.field}: ${shown(c.from)} → ${shown(c.to)}`);
    if (t.ladder) {
      if (t.change === 'added') lines.push(`  ladder: ${rungs(t.ladder.to)}`);
      else lines.push(`  ladder was: ${rungs(t.ladder.from)}`, `  ladder now: ${rungs(t.ladder.to)}`);
    }
    for (const s of t.steps) {
      const mark = { added: '+', removed: '-', changed: '~', moved: '↕' }[s.change];
      const detail = s.fields?.map((f) => `${f.field} ${shown(f.from)} → ${shown(f.to)}`).join(', ');
      const kind = s.kind ? ` (${s.kind})` : '';
      lines.push(`  ${mark} step ${s.position} ${s.id}${kind} "${s.title}" ${s.change}${detail ? `: ${detail}` : ''}`);
    }
  }
  if (d.policy.length) {
    lines.push('', 'action policy (every type):');
    for (const p of d.policy) {
      const mark = { added: '+', removed: '-', changed: '~' }[p.change];
      lines.push(
        `  ${mark} ${p.rule} ${p.change}${p.change === 'changed' ? `: ${shown(p.from?.anyOf)} → ${shown(p.to?.anyOf)}${p.from?.reasonRequired !== p.to?.reasonRequired ? `, reason required ${shown(p.from?.reasonRequired ?? false)} → ${shown(p.to?.reasonRequired ?? false)}` : ''}` : ''}`,
      );
    }
  }
  return lines;
}
