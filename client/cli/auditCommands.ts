/** `dbops audit …`: read, export and verify an incident's audit trail; an auditor needs the audit store, not Temporal. */
import { readIncidentEvents } from '../../db/audit/readEvents';
import { verifyIncidentAudit } from '../incidents/verifyAudit';
import { formatEvents, type ExportFormat } from './auditExport';
import { config, runtime, withClient, withPool } from './connections';
import { say, sayLines } from './output';
import { UsageError } from './usageError';

/** Audit commands read only the audit store, so an auditor needs no Temporal: a workflow id maps to its latest incident. */
async function incidentIdOf(ref: string): Promise<string> {
  if (!ref.startsWith('incident/')) return ref;
  const row = await withPool((pool) =>
    pool.query('SELECT incident_id FROM incidents WHERE workflow_id = $1 ORDER BY opened_at DESC LIMIT 1', [ref]),
  );
  if (!row.rowCount) throw new UsageError(`no incident recorded for workflow '${ref}'`);
  return row.rows[0].incident_id;
}

export async function showAudit(ref: string, o: { format: ExportFormat }) {
  const incidentId = await incidentIdOf(ref);
  sayLines(formatEvents(await withPool((pool) => readIncidentEvents(pool, incidentId)), o.format));
}

export async function verifyAudit(ref: string, o: { temporal: boolean }) {
  const incidentId = await incidentIdOf(ref);
  const verdict = await withPool(async (pool) => {
    const keys = config.secretKeys;
    if (!o.temporal || !runtime.temporalAddress) return verifyIncidentAudit(pool, incidentId, undefined, keys);
    return withClient((client) => verifyIncidentAudit(pool, incidentId, client, keys));
  });
  if (!verdict.events) throw new UsageError(`no audit events for ${incidentId}`);
  const against = ['its hash chain', ...verdict.checkedAgainst].join(', ');
  if (!verdict.problems.length) say(`${incidentId}: ${verdict.events} events, intact (checked: ${against})`);
  else {
    for (const p of verdict.problems) say(`${incidentId} ${p}`);
    say(`checked: ${against}`);
    process.exitCode = 3;
  }
}
