import { loadRoster } from '../../lib/roster';
import { runbookFromConfig } from '../../lib/runbookFile';
import type { Roster } from '../../runbooks/roster';
import { config } from './cliConfig';

/** The roster (DBOPS_ROSTER), its roles checked against the runbook in force's (DBOPS_RUNBOOK_FILE: it may add roles). */
export const rosterOfConfig = (): Roster => loadRoster(config.rosterPath, runbookFromConfig(config)().roles);
