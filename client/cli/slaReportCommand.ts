/** `dbops report`: MTTA, MTTR and response-SLA breaches, and runbooks overdue for a drill, through the dbops API. */
import type { DrillAckRow, RunbookDrillRow } from '../../db/reports/drillReport';
import type { SlaRow } from '../../db/reports/slaReport';
import { callApi, queryString } from './apiClient';
import { config } from './connections';
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
  runbooks: (RunbookDrillRow & { name: string })[];
  acknowledgements: (DrillAckRow & { name: string })[];
  reviews: { known: boolean; why: string };
}

const seconds = (s: number) => (s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`);

/** Drills (docs/drills.md): each runbook's last drill, overdue ones marked, and people's times to acknowledge. */
function printDrills(report: DrillReport) {
  say('');
  say(`Drills (a runbook is overdue with none in ${report.overdueAfterDays} days)`);
  sayTable(
    report.runbooks.map((r) => ({
      ...r,
      last: r.lastDrillAt ? `${r.lastDrillAt.slice(0, 10)} ${r.lastDrillIncidentId}` : 'never',
      state: r.overdue ? 'OVERDUE' : 'ok',
    })),
    [
      ['name', 'runbook'],
      ['last', 'last drill'],
      ['drillsInPeriod', `drills in ${report.days} days`],
      ['state', 'drill'],
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
  if (!report.reviews.known) tell(`reviews: ${report.reviews.why}`);
}
