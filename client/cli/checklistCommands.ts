/** `dbops checklist …` and `dbops schedules …`: daily checklists' runs, sign-offs, reports and the Schedules that start them. */
import { loadCatalog } from '../../lib/catalog';
import { loadRoster } from '../../lib/roster';
import type { ChecklistId } from '../../runbooks/types';
import { reportTable } from '../../db/reports/checklistReport';
import { checklistStateQuery, type ChecklistRunState } from '../../workflows/checklist/messages';
import { startChecklist } from '../checklists/startChecklist';
import { applySchedules, listSchedules, scheduleIdOf, setPaused } from '../checklists/schedules';
import { callApi } from './apiClient';
import { config, withClient, withPool } from './connections';
import { say, sayLines, sayTable } from './output';
import { UsageError } from './usageError';

export async function runChecklist(id: ChecklistId) {
  const roster = loadRoster(config.rosterPath);
  const { checklists } = loadCatalog(config);
  const handle = await withClient((client) => startChecklist(client, config.temporal.taskQueue, id, roster, undefined, checklists));
  say(handle.workflowId);
}

export async function showChecklist(runId: string) {
  const state = await withClient((client) => client.workflow.getHandle(runId).query(checklistStateQuery));
  sayLines(reportTable(state));
}

export async function signItem(runId: string, itemId: string, o: { outcome: string; note?: string }) {
  const path = `/checklists/${encodeURIComponent(runId)}/items/${encodeURIComponent(itemId)}/sign`;
  sayLines(reportTable(await callApi<ChecklistRunState>(config.apiUrl, 'POST', path, { outcome: o.outcome, note: o.note })));
}

export async function checklistReport(runId: string, o: { format: string }) {
  const row = await withPool((pool) => pool.query('SELECT report_markdown FROM checklist_runs WHERE run_id = $1', [runId]));
  if (!row.rowCount || !row.rows[0].report_markdown) throw new UsageError(`no finished checklist run '${runId}'`);
  if (o.format === 'markdown') sayLines(row.rows[0].report_markdown);
  else sayLines(await withClient(async (client) => reportTable(await client.workflow.getHandle(runId).result())));
}

export async function listChecklistRuns(o: { limit: string }) {
  const { rows } = await withPool((pool) =>
    pool.query(
      'SELECT run_id, status, started_at, pass_count, warn_count, fail_count FROM checklist_runs ORDER BY started_at DESC LIMIT $1',
      [Number(o.limit)],
    ),
  );
  sayTable(rows, ['run_id', 'status', 'started_at', 'pass_count', 'warn_count', 'fail_count']);
}

export async function applyAllSchedules() {
  const roster = loadRoster(config.rosterPath);
  const results = await withClient((client) =>
    applySchedules(client, {
      taskQueue: config.temporal.taskQueue,
      timeZone: config.timeZone,
      workdays: config.calendar.workdays,
      roster,
      definitions: loadCatalog(config).checklists,
    }),
  );
  for (const r of results) say(`${r.id}: ${r.action}`);
}

export const printSchedules = async () => sayTable(await withClient((client) => listSchedules(client)), ['id', 'paused', 'next', 'recent']);

export async function pauseSchedule(id: ChecklistId, paused: boolean, verb: string, o: { note: string }) {
  await withClient((client) => setPaused(client, id, paused, o.note));
  say(`${scheduleIdOf(id)}: ${verb}d`);
}
