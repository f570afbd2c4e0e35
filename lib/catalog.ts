import type { ChecklistId } from '../runbooks/types';
import fs from 'node:fs';
import { validateCatalog } from '../runbooks/catalogSchema';
import { CHECKLISTS, type ChecklistDefinition } from '../runbooks/checklists';
import { INCIDENT_TYPES } from '../runbooks/incidentTypes';
import type { Runbook } from '../runbooks/runbook';

/**
 * The runbook catalog as this deployment runs it: the shipped incident types and checklists, with checklists
 * replaced from DBOPS_CHECKLISTS (a JSON file of checklist definitions) and times from DBOPS_CHECKLIST_TIMES.
 * Everything is validated here, so a bad edit stops the process with the field named, before any workflow starts.
 */
export function loadCatalog(opts: {
  checklistsFile?: string;
  checklistTimes?: Partial<Record<ChecklistId, string>>;
  /** The runbook in force: its incident types and checklists (the shipped ones when absent). */
  runbook?: Runbook;
}) {
  let checklists: Record<string, unknown> = { ...(opts.runbook?.checklists ?? CHECKLISTS) };
  if (opts.checklistsFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(opts.checklistsFile, 'utf8'));
    } catch (err) {
      throw new Error(`DBOPS_CHECKLISTS=${opts.checklistsFile} cannot be read as JSON: ${(err as Error).message}`);
    }
    checklists = { ...checklists, ...(parsed as Record<string, unknown>) };
  }
  for (const [id, time] of Object.entries(opts.checklistTimes ?? {})) {
    checklists[id] = { ...(checklists[id] as ChecklistDefinition), time };
  }
  if (opts.runbook)
    return {
      incidentTypes: opts.runbook.incidentTypes,
      checklists: validateCatalog({ incidentTypes: INCIDENT_TYPES, checklists }).checklists,
    };
  return validateCatalog({ incidentTypes: INCIDENT_TYPES, checklists });
}

export type Catalog = ReturnType<typeof loadCatalog>;
