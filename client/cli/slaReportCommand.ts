/** `dbops report`: MTTA, MTTR and response-SLA breaches from the audit store. */
import { slaReport } from '../../db/reports/slaReport';
import { withPool } from './connections';

export async function printSlaReport(o: { days: string }) {
  console.table(await withPool((pool) => slaReport(pool, Number(o.days))));
}
