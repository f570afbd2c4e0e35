import { tierPoolOf } from './tierPool';
import type { TierPools } from '../../lib/tierPools';
import type { Pool } from 'pg';
import { BREACH_INCIDENTS, type ChecklistCheck } from '../../runbooks/checklists';
import type { Tier } from '../../runbooks/types';
import type { ChecklistRunState } from '../../db/audit/records';
import * as checks from './databaseChecks';
import { reportMarkdown, reportSummary } from '../../db/reports/checklistReport';
import { runShellCommand } from '../hooks/shellCommand';
import { withTransaction } from '../../db/transaction';

/** Opens (or joins) the incident for a breach; the client side of openIncident, injected so activities stay testable. */
export type IncidentOpener = (request: {
  type: string;
  tier: Tier;
  severity: string;
  fingerprint: string;
  title: string;
  summary: string;
}) => Promise<{ workflowId: string }>;

export interface ChecklistDependencies {
  tierPools: TierPools;
  auditPool: Pool;
  thresholds: checks.Thresholds;
  allowedCidrs: string[];
  /** Superuser roles that are expected, not a security event (the embedded demo server runs everything as one). */
  allowedSuperusers?: string[];
  openIncident: IncidentOpener;
  /** A backup tool's check (e.g. `pgbackrest check`), run per tier with DBOPS_TIER set; exit 0 is a pass. */
  backupCheckCommand?: string;
}

export interface ChecklistCheckInput {
  runId: string;
  itemKey: string;
  check: ChecklistCheck;
  tier?: Tier;
  /** The workflow's "now", read once. */
  now: string;
}

const DAY = 24 * 60 * 60 * 1000;

export function createChecklistActivities(d: ChecklistDependencies) {
  const poolOf = (tier?: Tier) => {
    if (!tier) throw new Error('this check runs per tier, but no tier was given');
    return tierPoolOf(d.tierPools, tier);
  };

  /** Database size now against the sample taken about a day earlier; records today's sample (once per run). */
  async function storageGrowth(input: ChecklistCheckInput) {
    const pool = poolOf(input.tier);
    const { rows } = await d.auditPool.query<{ bytes: string }>(
      `SELECT bytes FROM storage_samples WHERE tier = $1 AND sampled_at <= $2::timestamptz - interval '20 hours' ORDER BY sampled_at DESC LIMIT 1`,
      [input.tier, input.now],
    );
    const result = await checks.checkStorageGrowth(pool, {
      previousBytes: rows[0] ? Number(rows[0].bytes) : undefined,
      thresholds: d.thresholds,
    });
    await d.auditPool.query(
      `INSERT INTO storage_samples (run_id, tier, database, bytes, sampled_at) VALUES ($1, $2, current_database(), $3, $4) ON CONFLICT DO NOTHING`,
      [input.runId, input.tier, Number(result.evidence.bytes), input.now],
    );
    return result;
  }

  /** WAL archiving from the server's statistics, and the backup tool's own verdict where one is configured. */
  async function backups(input: ChecklistCheckInput): Promise<checks.CheckResult> {
    const archiver = await checks.checkBackups(poolOf(input.tier));
    if (!d.backupCheckCommand) return archiver;
    const tool = await runShellCommand(d.backupCheckCommand, { DBOPS_TIER: input.tier! });
    const evidence = { ...archiver.evidence, backupTool: { command: d.backupCheckCommand, exitCode: tool.exitCode, output: tool.output } };
    if (tool.exitCode !== 0)
      return {
        outcome: 'fail',
        summary: `backup tool check failed (exit ${tool.exitCode}); ${archiver.summary}`,
        evidence,
        breaches: archiver.breaches,
      };
    return { ...archiver, summary: `backup tool check passed; ${archiver.summary}`, evidence };
  }

  async function dailyReport(input: ChecklistCheckInput): Promise<checks.CheckResult> {
    const since = new Date(Date.parse(input.now) - DAY).toISOString();
    const incidents = await d.auditPool.query(
      `SELECT count(*)::int AS opened, count(*) FILTER (WHERE phase = 'resolved')::int AS resolved,
              round(avg(extract(epoch FROM acknowledged_at - opened_at) / 60)::numeric, 1)::float AS mtta_minutes
       FROM incidents WHERE opened_at >= $1`,
      [since],
    );
    const runs = await d.auditPool.query(
      `SELECT count(*)::int AS runs, coalesce(sum(fail_count), 0)::int AS fails, coalesce(sum(warn_count), 0)::int AS warns
       FROM checklist_runs WHERE started_at >= $1 AND status = 'finished'`,
      [since],
    );
    const evidence = { since, incidents: incidents.rows[0], checklists: runs.rows[0] };
    const fails = runs.rows[0].fails as number;
    return {
      outcome: fails > 0 ? 'warn' : 'pass',
      summary: `last 24 h: ${incidents.rows[0].opened} incidents opened, ${incidents.rows[0].resolved} resolved; ${runs.rows[0].runs} checklist runs with ${fails} failed items`,
      evidence,
      breaches: [],
    };
  }

  async function alertReview(): Promise<checks.CheckResult> {
    const { rows } = await d.auditPool.query(
      `SELECT incident_id, type, severity, tier, phase, opened_at FROM incidents WHERE phase <> 'resolved' ORDER BY opened_at LIMIT 50`,
    );
    return {
      outcome: rows.length ? 'warn' : 'pass',
      summary: rows.length ? `${rows.length} incidents still open` : 'no open incidents',
      evidence: { open: rows },
      breaches: [],
    };
  }

  return {
    async runChecklistCheck(input: ChecklistCheckInput): Promise<checks.CheckResult> {
      const t = d.thresholds;
      switch (input.check) {
        case 'connectionPools':
          return checks.checkConnectionPools(poolOf(input.tier), { tier: input.tier!, thresholds: t });
        case 'backups':
          return backups(input);
        case 'errorReview':
        case 'resourceUtilisation':
          return checks.checkResourceUtilisation(poolOf(input.tier));
        case 'queueHealth':
          return checks.checkQueueHealth(poolOf(input.tier), { thresholds: t });
        case 'storageGrowth':
          return storageGrowth(input);
        case 'contentRetention':
          return checks.checkContentRetention(poolOf(input.tier));
        case 'queryPerformance':
          return checks.checkActiveQueries(poolOf(input.tier), { thresholds: t, scope: 'database' });
        case 'indexUsage':
          return checks.checkIndexUsage(poolOf(input.tier));
        case 'securityEvents':
          return checks.checkSecurityEvents(poolOf(input.tier), { allowedCidrs: d.allowedCidrs, allowedSuperusers: d.allowedSuperusers });
        case 'dailyReport':
          return dailyReport(input);
        case 'alertReview':
          return alertReview();
      }
    },

    /** One incident per breached threshold, keyed like an alert would be, so both reach the same incident. */
    async openIncidentsForBreaches(input: { runId: string; itemKey: string; tier: Tier; breaches: checks.Breach[] }): Promise<string[]> {
      const opened = new Set<string>();
      for (const breach of input.breaches) {
        const target = BREACH_INCIDENTS[breach.threshold];
        const { workflowId } = await d.openIncident({
          type: target.type,
          tier: input.tier,
          severity: target.severity,
          fingerprint: breach.threshold,
          title: `${breach.detail} (${input.tier})`,
          summary: `checklist ${input.runId}, item ${input.itemKey}: measured ${breach.measured}, limit ${breach.limit}`,
        });
        opened.add(workflowId);
      }
      return [...opened];
    },

    /** Stores the finished run's items and report; returns the one-line summary for the notifier. */
    async storeChecklistReport(run: ChecklistRunState): Promise<{ summary: string }> {
      const markdown = reportMarkdown(run);
      await withTransaction(d.auditPool, async (client) => {
        for (const i of run.items) {
          await client.query(
            `INSERT INTO checklist_items (run_id, item_key, item_id, tier, title, kind, outcome, summary, evidence, signed_by, note, incident_ids, finished_at)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
             ON CONFLICT (run_id, item_key) DO UPDATE SET outcome = EXCLUDED.outcome, summary = EXCLUDED.summary, evidence = EXCLUDED.evidence,
               signed_by = EXCLUDED.signed_by, note = EXCLUDED.note, incident_ids = EXCLUDED.incident_ids, finished_at = EXCLUDED.finished_at`,
            [
              run.runId,
              i.key,
              i.itemId,
              i.tier ?? null,
              i.title,
              i.kind,
              i.outcome ?? null,
              i.summary ?? null,
              JSON.stringify(i.evidence ?? {}),
              i.signedBy ?? null,
              i.note ?? null,
              i.incidents,
              i.finishedAt ?? null,
            ],
          );
        }
        await client.query('UPDATE checklist_runs SET report_markdown = $2 WHERE run_id = $1', [run.runId, markdown]);
      });
      return { summary: reportSummary(run) };
    },
  };
}
