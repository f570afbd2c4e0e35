import fs from 'node:fs';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { BUILT_IN_RUNBOOK, type Runbook } from '../runbooks/runbook';
import { RunbookFileSchema, type RunbookFile } from '../runbooks/runbookFileSchema';
import type { ChecklistDefinition } from '../runbooks/checklists';
import { fileInForce, versionOf } from './fileInForce';
import type { Logger } from './logger';
import { loadRouting } from './routingRules';
import type { RoutingConfig } from '../runbooks/alertRouting';

export { DEFAULT_RUNBOOK_FILE } from './config';

/** One problem of a runbook file: where it is (line and column from 1) and which field, and what is accepted. */
export interface RunbookProblem {
  file: string;
  line: number;
  column: number;
  /** The field, e.g. incidentTypes.database-outage.steps[2].action; empty for the file as a whole. */
  field: string;
  message: string;
}

export const formatProblem = (p: RunbookProblem) => `${p.file}:${p.line}:${p.column}: ${p.field ? `${p.field}: ` : ''}${p.message}`;

export class RunbookFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: RunbookProblem[],
  ) {
    super(`runbook file ${file} is invalid:\n${problems.map(formatProblem).join('\n')}`);
  }
}

const fieldOf = (path: readonly PropertyKey[]) =>
  path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n ? '.' : ''}${String(p)}`)).join('');

/** The YAML node a path names, or the nearest one above it that exists (a missing field is reported at its parent). */
function nodeAt(doc: Document, path: readonly PropertyKey[], key?: string): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true)) as Node | undefined;
    if (!node) continue;
    // An unknown key: point at the key itself.
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key)) return pair.key;
    }
    return node;
  }
  return undefined;
}

function positionOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[], key?: string) {
  const node = nodeAt(doc, path, key);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** Where a field of a runbook file's text is (line and column from 1): for problems found beyond its schema. */
export function locator(text: string): (path: readonly PropertyKey[]) => { line: number; column: number } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return (path) => positionOf(doc, lines, path);
}

export const fieldName = fieldOf;

/** A runbook file's text checked: the runbook, or every problem with its line, column and field. */
export function parseRunbookText(
  text: string,
  file: string,
): { runbook: Runbook; problems: [] } | { runbook?: undefined; problems: RunbookProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => {
        const { line, col } = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return { file, line, column: col, field: '', message: e.message.split('\n')[0] };
      }),
    };
  }
  const data: unknown = doc.toJS();
  const r = RunbookFileSchema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.map((issue) => {
      const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      const path = unknownKey !== undefined ? [...issue.path, unknownKey] : issue.path;
      return { file, ...positionOf(doc, lines, issue.path, unknownKey), field: fieldOf(path), message: issue.message };
    });
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { problems };
  }
  return { runbook: runbookOf(r.data, versionOf(text), file), problems: [] };
}

/** The runbook a valid file describes: each type and checklist with its key as its id. */
export function runbookOf(f: RunbookFile, version: string, source: string): Runbook {
  return {
    version,
    source,
    roles: f.roles,
    generalEscalationPath: f.generalEscalationPath,
    tiers: f.tiers,
    // A review is about the runbook, not what an incident runs: it stays out of the type (and so out of plans).
    incidentTypes: Object.fromEntries(Object.entries(f.incidentTypes).map(([id, { review: _review, ...t }]) => [id, { id, ...t }])),
    checklists: Object.fromEntries(Object.entries(f.checklists).map(([id, c]) => [id, { id, ...c } as ChecklistDefinition])),
    routing: { ...f.routing, tiers: Object.keys(f.tiers) },
    actionPolicy: f.actionPolicy,
    reviews: Object.fromEntries(Object.entries(f.incidentTypes).flatMap(([id, t]) => (t.review ? [[id, t.review]] : []))),
    reviewCycleDays: f.reviewCycleDays,
  };
}

/** A runbook file read and checked; its problems, all of them, in the error. */
export function readRunbookFile(file: string): Runbook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`runbook file ${file} cannot be read (set DBOPS_RUNBOOK_FILE): ${(err as Error).message}`);
  }
  const r = parseRunbookText(text, file);
  if (!r.runbook) throw new RunbookFileError(file, r.problems);
  return r.runbook;
}

/**
 * The runbook in force: the file, re-read when it changes. New incidents take the new version; an edit that does not
 * validate keeps the version in force and is logged with every problem (a typo must not stop incidents opening).
 */
export function runbookInForce(file: string, log?: Logger): () => Runbook {
  return fileInForce(file, readRunbookFile, 'runbook', log);
}

/**
 * The runbook a process runs (DBOPS_RUNBOOK_FILE, default config/runbook.yaml): the file, re-read when it changes; the
 * runbook built into dbops when the default file is absent. A file that does not validate stops the start, every
 * problem named with its line and column.
 */
export function runbookFromConfig(config: { runbookPath: string; runbookRequired: boolean }, log?: Logger): () => Runbook {
  if (!config.runbookRequired && !fs.existsSync(config.runbookPath)) return () => BUILT_IN_RUNBOOK;
  return runbookInForce(config.runbookPath, log);
}

/**
 * The alert routing in force: a file DBOPS_ROUTING names (checked against the runbook's types and tiers at start), else
 * the runbook file's own routing section, as the file is now (its edits route the next alert, as its types open the
 * next incident); without a runbook file, config/routing.example.json as before runbook files.
 */
export function routingFromConfig(
  config: { routingPath: string; routingRequired: boolean; runbookPath: string; runbookRequired: boolean },
  runbook: () => Runbook,
): () => RoutingConfig {
  const atStart = runbook();
  const vocabulary = { types: Object.keys(atStart.incidentTypes), tiers: Object.keys(atStart.tiers) };
  if (config.routingRequired || atStart === BUILT_IN_RUNBOOK) {
    const routing = loadRouting(config.routingPath, { required: config.routingRequired, vocabulary });
    return () => routing;
  }
  return () => runbook().routing;
}
