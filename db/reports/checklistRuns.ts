import type { Pool } from 'pg';

/** A checklist run as a list shows it: its name, status, when it started and finished, and its counts. */
export interface ChecklistRunRow {
  runId: string;
  checklist: string;
  name: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  pass: number;
  warn: number;
  fail: number;
}

/** The most recent checklist runs, newest first. */
export async function listChecklistRuns(pool: Pool, limit: number): Promise<ChecklistRunRow[]> {
  const { rows } = await pool.query(
    `SELECT run_id, checklist_id, name, status, started_at, finished_at, pass_count, warn_count, fail_count
     FROM checklist_runs ORDER BY started_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    runId: r.run_id,
    checklist: r.checklist_id,
    name: r.name,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    pass: r.pass_count,
    warn: r.warn_count,
    fail: r.fail_count,
  }));
}

/** The stored Markdown report of a finished run; undefined when there is no such run or it has not finished. */
export async function storedChecklistReport(pool: Pool, runId: string): Promise<string | undefined> {
  const { rows } = await pool.query('SELECT report_markdown FROM checklist_runs WHERE run_id = $1', [runId]);
  return rows[0]?.report_markdown ?? undefined;
}
