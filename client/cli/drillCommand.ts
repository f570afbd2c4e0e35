/** `dbops drill TYPE`: opens a drill of a runbook through the dbops API, as the person the token names. */
import { DrillRequestSchema } from '../incidents/drillRequest';
import { callApi } from './apiClient';
import { config } from './cliConfig';
import { say, tell } from './output';
import { UsageError } from './usageError';

export async function openDrillCommand(type: string, o: { tier: string; severity?: string }) {
  const request = { type, tier: o.tier, ...(o.severity && { severity: o.severity }) };
  // Its shape refused here, naming the field, before any server is reached; the API checks the names against its runbook.
  const parsed = DrillRequestSchema.safeParse(request);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const opened = await callApi<{ incidentId: string; workflowId: string }>(config.apiUrl, 'POST', '/drills', request);
  say(opened.incidentId);
  tell(`DRILL ${opened.incidentId} is open on the real ladder (hooks and approvals are not run): dbops incident show ${opened.incidentId}`);
}
