/** `dbops checklist …` and `dbops schedules …`: daily checklists' runs, sign-offs, reports and the Schedules that start them. */
import { loadCatalog } from '../../lib/catalog';
import { loadRoster } from '../../lib/roster';
import { runbookFromConfig } from '../../lib/runbookFile';
import type { ChecklistId } from '../../runbooks/types';
import { reportTable } from '../../db/reports/checklistReport';
import type { ChecklistRunState } from '../../workflows/checklist/messages';
import { startChecklist } from '../checklists/startChecklist';
import { applySchedules, listSchedules, scheduleIdOf, setPaused } from '../checklists/schedules';
import { callApi, queryString } from './apiClient';
import type { ChecklistRunRow } from '../../db/reports/checklistRuns';
import { config, withClient } from './connections';
import { say, sayLines, sayOutput, sayTable, type OutputFormat } from './output';

export async function runChecklist(id: ChecklistId) {
  // The runbook in force (DBOPS_RUNBOOK_FILE): its checklists, its roles, and the action policy the run's sign-offs follow.
  const runbook = runbookFromConfig(config)();
  const roster = loadRoster(config.rosterPath, runbook.roles);
  const { checklists } = loadCatalog({ ...config, runbook });
  const handle = await withClient((client) =>
    startChecklist(client, config.temporal.taskQueue, id, roster, undefined, checklists, runbook),
  );
  say(handle.workflowId);
}

export async function showChecklist(runId: string, o: { output?: OutputFormat }) {
  const state = await callApi<ChecklistRunState>(config.apiUrl, 'GET', `/checklists/${encodeURIComponent(runId)}`);
  sayOutput(o.output, state, () => sayLines(reportTable(state)));
}

export async function signItem(runId: string, itemId: string, o: { outcome: string; note?: string }) {
  const path = `/checklists/${encodeURIComponent(runId)}/items/${encodeURIComponent(itemId)}/sign`;
  sayLines(reportTable(await callApi<ChecklistRunState>(config.apiUrl, 'POST', path, { outcome: o.outcome, note: o.note })));
}

export async function checklistReport(runId: string, o: { format: string; output?: OutputFormat }) {
  const report = await callApi<{ runId: string; markdown: string; state?: ChecklistRunState }>(
    config.apiUrl,
    'GET',
    `/checklists/${encodeURIComponent(runId)}/report`,
  );
  sayOutput(o.output, report, () => sayLines(o.format === 'markdown' || !report.state ? report.markdown : reportTable(report.state)));
}

export async function listChecklistRuns(o: { limit: number; output?: OutputFormat }) {
  const { runs } = await callApi<{ runs: ChecklistRunRow[] }>(config.apiUrl, 'GET', `/checklists${queryString({ limit: o.limit })}`);
  sayOutput(o.output, runs, () =>
    sayTable(runs, [
      ['runId', 'run'],
      ['name', 'checklist'],
      ['status', 'status'],
      ['startedAt', 'started'],
      ['pass', 'pass'],
      ['warn', 'warn'],
      ['fail', 'fail'],
    ]),
  );
}

export async function applyAllSchedules() {
  const runbook = runbookFromConfig(config)();
  const roster = loadRoster(config.rosterPath, runbook.roles);
  const results = await withClient((client) =>
    applySchedules(client, {
      taskQueue: config.temporal.taskQueue,
      timeZone: config.timeZone,
      workdays: config.calendar.workdays,
      roster,
      definitions: loadCatalog({ ...config, runbook }).checklists,
      runbook,
    }),
  );
  for (const r of results) say(`${r.id}: ${r.action}`);
}

export async function printSchedules(o: { output?: OutputFormat }) {
  const schedules = await withClient((client) => listSchedules(client));
  sayOutput(o.output, schedules, () =>
    sayTable(
      schedules.map((s) => ({ ...s, paused: s.paused ? 'paused' : '' })),
      [
        ['id', 'schedule'],
        ['paused', 'paused'],
        ['next', 'next run'],
        ['recent', 'last run'],
      ],
    ),
  );
}

export async function pauseSchedule(id: ChecklistId, paused: boolean, verb: string, o: { note: string }) {
  await withClient((client) => setPaused(client, id, paused, o.note));
  say(`${scheduleIdOf(id)}: ${verb}d`);
}
