import { parse } from 'libpg-query';
import type { Runbook } from '../runbooks/runbook';

interface SqlError {
  sqlDetails?: { message: string; cursorPosition?: number };
  message?: string;
}

/**
 * Every probe whose SQL PostgreSQL's own parser (libpg-query, the server's grammar compiled to WebAssembly) rejects,
 * or that is not exactly one SELECT; with the field's path, and the position in the SQL where parsing stopped.
 */
export async function probeSqlProblems(runbook: Runbook): Promise<{ path: (string | number)[]; message: string }[]> {
  const problems: { path: (string | number)[]; message: string }[] = [];
  for (const [id, type] of Object.entries(runbook.incidentTypes))
    for (const [i, step] of type.steps.entries()) {
      if (step.kind !== 'probe') continue;
      const path = ['incidentTypes', id, 'steps', i, 'sql'];
      try {
        const tree = (await parse(step.sql)) as { stmts: { stmt: Record<string, unknown> }[] };
        const kinds = tree.stmts.map((s) => Object.keys(s.stmt)[0]);
        if (kinds.length !== 1 || kinds[0] !== 'SelectStmt')
          problems.push({ path, message: `a probe is one SELECT; this is ${kinds.length ? kinds.join(', ') : 'empty'}` });
      } catch (err) {
        const e = err as SqlError;
        const at = e.sqlDetails?.cursorPosition;
        problems.push({
          path,
          message: `the SQL does not parse: ${e.sqlDetails?.message ?? e.message ?? String(err)}${at !== undefined ? ` (at character ${at + 1})` : ''}`,
        });
      }
    }
  return problems;
}
