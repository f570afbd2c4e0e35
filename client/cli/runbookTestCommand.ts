/**
 * `dbops runbook test TYPE`: a dry run of a runbook on Temporal's time-skipping test server, in this process
 * (dev/runbookTest): the real workflow and plan, a scratch database, channels recorded and hooks stubbed, nobody
 * acknowledging. Prints when each page goes and each step starts and ends, relative to the opening.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadRoster } from '../../lib/roster';
import { createLogger } from '../../lib/logger';
import { runbookDryRun } from '../../dev/runbookTest/runbookDryRun';
import { sinceOpening, type DryRunTimeline } from '../../dev/runbookTest/dryRunTimeline';
import { parseDrillRequest } from '../incidents/drillRequest';
import { runbookFromConfig } from '../../lib/runbookFile';
import type { IncidentTypeId, Severity, Tier } from '../../runbooks/types';
import { config, runtime } from './connections';
import { say, sayOutput, sayRows, tell, type OutputFormat } from './output';
import { UsageError } from './usageError';

/** The checkout this CLI runs from: above its sources (client/cli) or its bundle (dist/cli, a test run's own folder). */
function checkoutOf(dir: string): string {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'workflows/index.ts')) && fs.existsSync(path.join(d, 'db/migrations'))) return d;
  }
  throw new Error(`dbops runbook test needs the checkout's workflows/ and db/migrations/, found above none of ${dir}`);
}

const at = (ms: number | undefined) => (ms === undefined ? '' : sinceOpening(ms));

export async function runbookTestCommand(type: string, o: { tier: string; severity?: string; output?: OutputFormat }) {
  // The runbook in force here (DBOPS_RUNBOOK_FILE): a runbook added as a file is tested like a shipped one.
  const runbook = runbookFromConfig(config)();
  const r = parseDrillRequest({ type, tier: o.tier, ...(o.severity && { severity: o.severity }) }, runbook);
  if (typeof r === 'string') throw new UsageError(r);
  tell(`dry run of ${r.type} on a time-skipping test server (scratch database, channels recorded, hooks stubbed)…`);
  const timeline = await runbookDryRun({
    type: r.type as IncidentTypeId,
    tier: r.tier as Tier,
    severity: r.severity as Severity | undefined,
    roster: loadRoster(config.rosterPath, runbook.roles),
    calendar: config.calendar,
    runbook,
    cacheDir: config.cacheDir,
    databaseUrl: runtime.databaseUrl,
    workflowBundlePath: config.workflowBundle,
    root: checkoutOf(__dirname),
    // Quiet unless LOG_LEVEL asks: the dry run's parts starting are not its news.
    log: createLogger({ level: process.env.LOG_LEVEL ? config.logLevel : 'error', destination: process.stderr }),
  });
  sayOutput(o.output, timeline, () => printTimeline(timeline, runbook.incidentTypes[timeline.incidentType]?.name));
}

function printTimeline(t: DryRunTimeline, typeName?: string) {
  const name = typeName ?? t.incidentType;
  say(`${name} (${t.incidentType}), ${t.severity}, on ${t.tier}: runbook ${t.runbookVersion}; nobody acknowledges`);
  say(`response due ${at(t.responseDueMs)}${t.responseMissedMs !== undefined ? `, recorded missed at ${at(t.responseMissedMs)}` : ''}`);
  say('');
  say('Pages');
  // The ladder's first pass and its first repeat; later repeats (while the steps run on) are counted, not listed.
  const shown = t.pages.filter((p) => p.repeat <= 1);
  sayRows(
    ['time', 'level', 'roles', 'people', 'respond by', 'next page'],
    shown.map((p) => [at(p.atMs), p.label, p.roles.join(', '), p.people.join(', '), at(p.respondByMs), at(p.nextPageMs)]),
  );
  const later = t.pages.length - shown.length;
  if (later) say(`… and ${later} more pages as the ladder repeats, the last at ${at(t.pages.at(-1)!.atMs)} (--output json lists them)`);
  say('');
  say('Steps');
  sayRows(
    ['step', 'kind', 'status', 'started', 'finished', 'due', 'note'],
    t.steps.map((s) => [s.title, s.kind, s.status, at(s.startedMs), at(s.finishedMs), at(s.dueMs), s.summary ?? '']),
  );
  tell(
    `walked ${at(t.walkedMs).slice(1)} of the incident's clock; ${t.notificationsRecorded} notifications recorded, none sent; ` +
      'manual steps completed at their due time; approval-gated, hook and stakeholder steps not run',
  );
}
