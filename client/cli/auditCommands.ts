/** `dbops audit …`: read, export and verify an incident's audit trail, through the dbops API (which reads the audit store). */
import type { StoredEvent } from '../../db/audit/readEvents';
import type { AuditVerdict } from '../incidents/verifyAudit';
import { callApi, queryString, refSegment } from './apiClient';
import { formatEvents, type ExportFormat } from './auditExport';
import { config } from './cliConfig';
import { EXIT } from './exitCodes';
import { say, sayLines, sayOutput, type OutputFormat } from './output';

export async function showAudit(ref: string, o: { format?: ExportFormat; output?: OutputFormat }) {
  const { incidentId, events } = await callApi<{ incidentId: string; events: StoredEvent[] }>(
    config.apiUrl,
    'GET',
    `/incidents/${refSegment(ref)}/audit`,
  );
  // --format exports (json, csv, markdown) for tools and documents; --output is how every read command prints.
  if (o.format) return sayLines(formatEvents(events, o.format));
  // For people, the Markdown table: it reads on a terminal and pastes into a postmortem as it is.
  sayOutput(o.output, { incidentId, events }, () => sayLines(formatEvents(events, 'markdown')));
}

export async function verifyAudit(ref: string, o: { temporal: boolean; output?: OutputFormat }) {
  const verdict = await callApi<AuditVerdict & { intact: boolean }>(
    config.apiUrl,
    'GET',
    `/incidents/${refSegment(ref)}/audit/verify${queryString({ temporal: o.temporal ? undefined : 'false' })}`,
  );
  const { incidentId } = verdict;
  const against = ['its hash chain', ...verdict.checkedAgainst].join(', ');
  sayOutput(o.output, verdict, () => {
    if (!verdict.problems.length) say(`${incidentId}: ${verdict.events} events, intact (checked: ${against})`);
    else {
      for (const p of verdict.problems) say(`${incidentId} ${p}`);
      say(`checked: ${against}`);
    }
  });
  if (verdict.problems.length) process.exitCode = EXIT.brokenChain;
}
