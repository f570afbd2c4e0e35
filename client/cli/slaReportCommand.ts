/** `dbops report`: MTTA, MTTR and response-SLA breaches, through the dbops API. */
import type { SlaRow } from '../../db/reports/slaReport';
import { callApi, queryString } from './apiClient';
import { config } from './connections';
import { sayOutput, sayTable, tell, type OutputFormat } from './output';

const minutes = (m: number | null) => (m === null ? '' : `${m} min`);

export async function printSlaReport(o: { days: number; output?: OutputFormat }) {
  const report = await callApi<{ days: number; rows: SlaRow[] }>(config.apiUrl, 'GET', `/reports/sla${queryString({ days: o.days })}`);
  sayOutput(o.output, report, () => {
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
    if (!report.rows.length) tell(`no incidents opened in the last ${report.days} days`);
  });
}
