/** `dbops report`: MTTA, MTTR and response-SLA breaches from the audit store. */
import { slaReport } from '../../db/reports/slaReport';
import { withPool } from './connections';
import { sayTable } from './output';

export async function printSlaReport(o: { days: string }) {
  const rows = await withPool((pool) => slaReport(pool, Number(o.days)));
  sayTable(rows, ['type', 'severity', 'incidents', 'open', 'mttaMinutes', 'mttrMinutes', 'responseBreaches', 'suppressedFlaps']);
}
