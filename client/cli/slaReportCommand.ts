/** `dbops report`: MTTA, MTTR and response-SLA breaches, and runbooks overdue for a drill or a review, through the dbops API. */
import type { DrillAckRow, RunbookDrillRow } from '../../db/reports/drillReport';
import type { SlaRow } from '../../db/reports/slaReport';
import type { ReviewStatus } from '../../runbooks/runbookReviews';
import { callApi, queryString } from './apiClient';
import { config } from './cliConfig';
import { say, sayOutput, sayTable, tell, type OutputFormat } from './output';

const minutes = (m: number | null) => (m === null ? '' : `${m} min`);

export async function printSlaReport(o: { days: number; output?: OutputFormat }) {
  const [report, drills] = await Promise.all([
    callApi<{ days: number; rows: SlaRow[] }>(config.apiUrl, 'GET', `/reports/sla${queryString({ days: o.days })}`),
    callApi<DrillReport>(config.apiUrl, 'GET', `/reports/drills${queryString({ days: o.days })}`),
  ]);
  sayOutput(o.output, { ...report, drills }, () => {
    const rows = report.rows.map((r) => ({ ...r, mtta: minutes(r.mttaMinutes), mttr: minutes(r.mttrMinutes) }));
    sayTable(rows, [
      ['type', 'type'],
      ['severity', 'severity'],
      ['incidents', 'incidents'],
      ['open', 'open'],
      ['mtta', 'time to acknowledge'],
      ['mttr', 'time to resolve'],
      ['responseBreaches', 'response SLA missed'],
      ['suppressedFlaps', 'flaps suppressed'],
    ]);
    if (!report.rows.length) tell(`no incidents opened in the last ${report.days} days (drills are not counted)`);
    printDrills(drills);
  });
}

interface DrillReport {
  days: number;
  overdueAfterDays: number;
  reviewCycleDays: number;
  runbooks: (RunbookDrillRow & { name: string; review: ReviewStatus & { byName: string | null } })[];
  acknowledgements: (DrillAckRow & { name: string })[];
}

const seconds = (s: number) => (s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`);

/** Drills and reviews (docs/drills.md): each runbook's last drill and review, overdue ones marked, and people's times to acknowledge. */
function printDrills(report: DrillReport) {
  say('');
  say(
    `Drills and reviews (a runbook is overdue with no drill in ${report.overdueAfterDays} days, or no review in its cycle, ${report.reviewCycleDays} days unless it says otherwise)`,
  );
  sayTable(
    report.runbooks.map((r) => ({
      ...r,
      last: r.lastDrillAt ? `${r.lastDrillAt.slice(0, 10)} ${r.lastDrillIncidentId}` : 'never',
      state: r.overdue ? 'OVERDUE' : 'ok',
      lastReview: r.review.lastReviewed ? `${r.review.lastReviewed} by ${r.review.byName ?? r.review.by}` : 'never reviewed',
      reviewState: r.review.overdue ? 'OVERDUE' : `ok, due ${r.review.dueOn}`,
    })),
    [
      ['name', 'runbook'],
      ['last', 'last drill'],
      ['drillsInPeriod', `drills in ${report.days} days`],
      ['state', 'drill'],
      ['lastReview', 'last review'],
      ['reviewState', 'review'],
    ],
  );
  if (report.acknowledgements.length) {
    say('');
    say('Time to acknowledge drills');
    sayTable(
      report.acknowledgements.map((a) => ({
        ...a,
        average: seconds(a.averageSeconds),
        slowest: seconds(a.slowestSeconds),
        last: seconds(a.lastSeconds),
      })),
      [
        ['name', 'person'],
        ['drills', 'drills'],
        ['average', 'average'],
        ['slowest', 'slowest'],
        ['last', 'last'],
      ],
    );
  }
}
