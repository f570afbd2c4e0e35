/** `dbops runbook check FILE` and `dbops runbook diff A B`: a runbook file checked and compared before it is in force. */
import fs from 'node:fs';
import { loadConfig } from '../../lib/config';
import { readRosterFile } from '../../lib/roster';
import { fieldName, formatProblem, locator, parseRunbookText, type RunbookProblem } from '../../lib/runbookFile';
import { readSchedulesFile } from '../../lib/schedules';
import { unstaffedRungs } from '../../runbooks/ladderStaffing';
import { unknownReviewers } from '../../runbooks/runbookReviews';
import type { Runbook } from '../../runbooks/runbook';
import { diffLines, diffRunbooks } from '../../runbooks/runbookDiff';
import { FailedError, UsageError } from './cliErrors';
import { EXIT } from './exitCodes';
import { say, sayJson, sayLines, sayOutput, tell, type OutputFormat } from './output';
import { probeSqlProblems } from '../../lib/probeSqlCheck';

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`runbook file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A file that must be valid to compare: its problems, if any, are the error. */
function validRunbook(file: string): Runbook {
  const r = parseRunbookText(readText(file), file);
  if (!r.runbook)
    throw new FailedError(
      `runbook file ${file} is invalid (run dbops runbook check ${file}):\n${r.problems.map(formatProblem).join('\n')}`,
    );
  return r.runbook;
}

export interface CheckOptions {
  roster?: string;
  schedules?: string;
  output?: OutputFormat;
}

/**
 * Every problem of the file, each with its line, column and field: the schema's, then the ladders against the roster
 * and schedules (DBOPS_ROSTER and DBOPS_SCHEDULES unless named), then each probe's SQL parsed by PostgreSQL's parser.
 */
export async function checkRunbook(file: string, o: CheckOptions) {
  const text = readText(file);
  const parsed = parseRunbookText(text, file);
  const problems: RunbookProblem[] = [...parsed.problems];
  const runbook = parsed.runbook;
  if (runbook) {
    const where = locator(text);
    const config = loadConfig();
    const rosterFile = o.roster ?? config.rosterPath;
    // The roster's roles checked against the file's own roles (the ones it would bring into force).
    const roster = readRosterFile(rosterFile, runbook.roles).roster;
    const schedulesFile = o.schedules ?? config.schedulesPath;
    const schedules = schedulesFile ? readSchedulesFile(schedulesFile, roster, runbook.roles).schedules : undefined;
    const found = [
      ...unstaffedRungs(runbook, roster, schedules),
      ...unknownReviewers(runbook, roster),
      ...(await probeSqlProblems(runbook)),
    ];
    for (const p of found) problems.push({ file, ...where(p.path), field: fieldName(p.path), message: p.message });
  }
  if (problems.length) {
    if (o.output === 'json') sayJson({ file, valid: false, problems });
    else {
      for (const p of problems) tell(formatProblem(p));
      tell(`${problems.length} problem${problems.length === 1 ? '' : 's'}: the runbook in force stays as it is until the file is fixed`);
    }
    process.exitCode = EXIT.invalidRunbook;
    return;
  }
  const r = runbook!;
  sayOutput(
    o.output,
    { file, valid: true, version: r.version, incidentTypes: Object.keys(r.incidentTypes), tiers: Object.keys(r.tiers) },
    () =>
      say(
        `${file} is valid: version ${r.version}, ${Object.keys(r.incidentTypes).length} incident types (${Object.keys(r.incidentTypes).join(', ')}), ${Object.keys(r.tiers).length} tiers`,
      ),
  );
}

/** What changes for incidents opened under B instead of A, per type; --output json for tools. */
export function diffRunbookFiles(a: string, b: string, o: { output?: OutputFormat }) {
  const diff = diffRunbooks(validRunbook(a), validRunbook(b));
  sayOutput(o.output, { fromFile: a, toFile: b, ...diff }, () => sayLines(diffLines(diff).join('\n')));
}
