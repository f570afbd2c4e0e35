/** `dbops incident …`: people's actions on incidents, through the dbops API as the person the token names. */
import type { IncidentState } from '../../workflows/incident/messages';
import type { Delivery } from '../../db/deliveries/readDeliveries';
import { InvalidRequestError, parseIncidentRequest } from '../incidents/incidentRequest';
import { levelLabel } from '../../runbooks/ladderLevels';
import { SEVERITIES, type Severity } from '../../runbooks/types';
import { callApi, refSegment } from './apiClient';
import { config } from './cliConfig';
import { runbookFromConfig } from '../../lib/runbookFile';
import { say, sayOutput, tell, type OutputFormat } from './output';
import { UsageError } from './usageError';

/** `incident show`: the state, and (from the API's GET) each delivery of the incident's notifications. */
type ShownIncident = IncidentState & { deliveries?: Delivery[]; names?: Record<string, string> };

/** The state, a line each (say: every field from the server printed inert, a title's escape sequences shown). */
function printState(s: ShownIncident) {
  // People by name (the API names each roster id the state holds); an id the roster no longer has stays an id.
  const name = (id: string | undefined) => (id === undefined ? '' : (s.names?.[id] ?? id));
  say(`${s.drill ? 'DRILL  ' : ''}${s.incidentId}  ${s.type}  ${s.severity}  tier=${s.tier}  phase=${s.phase}`);
  say(`  ${s.title}`);
  say(`  opened ${s.openedAt}  triggers=${s.triggerCount}  runbook=${s.runbookVersion}`);
  say(
    `  escalation ${levelLabel(s.escalation.rung ?? s.escalation.level, s.escalation.pass)}, response due ${s.escalation.responseDueAt}${s.escalation.responseMissed ? ' (MISSED)' : ''}${s.escalation.nextEscalationAt ? `, next escalation ${s.escalation.nextEscalationAt}` : ''}`,
  );
  if (s.hold) say(`  held: pages at ${s.hold.until} unless its alert clears (hold ${s.hold.holdForSeconds}s)`);
  if (s.snooze) say(`  snoozed by ${name(s.snooze.by)} until ${s.snooze.until}: ${s.snooze.reason}`);
  if (s.reopens) say(`  reopened ${s.reopens} time(s) by its alert firing again`);
  if (s.acknowledgedBy) say(`  acknowledged by ${name(s.acknowledgedBy)} at ${s.acknowledgedAt}`);
  if (s.ackTimer)
    say(`  acknowledgement lapses without an update: reminder ${s.ackTimer.remindAt}, back in escalation ${s.ackTimer.returnAt}`);
  if (s.resolvedBy) say(`  resolved by ${name(s.resolvedBy)} at ${s.resolvedAt}: ${s.resolution}`);
  if (s.paged?.length) say(`  paged: ${s.paged.map(name).join(', ')}`);
  if (s.notes.length) say(`  notes: ${s.notes.map((n) => `${name(n.actor)}: ${n.text}`).join(' | ')}`);
  if (s.linkedTo) say(`  linked into ${s.linkedTo.incidentId}: ${s.linkedTo.why}`);
  if (s.related?.count) {
    say(`  related alerts (${s.related.count}, grouped instead of paging; the latest ${s.related.recent.length}):`);
    for (const r of s.related.recent)
      say(`    ${r.at}  ${r.incidentId ?? `${r.type} on ${r.node ?? r.tier}`}  ${r.title}  [${r.cause}: ${r.why}]`);
  }
  say('  steps:');
  s.steps.forEach((st, i) => {
    const marker = i === s.currentStep && s.phase !== 'resolved' ? '>' : ' ';
    say(`   ${marker} ${st.id.padEnd(24)} ${st.status.padEnd(20)} ${st.outcome ?? ''} ${st.summary ?? st.error ?? ''}`);
  });
  say('  recent:');
  for (const t of s.timeline.slice(-8))
    say(`    ${t.at}  ${t.kind}${t.actor ? ` by ${name(t.actor)}` : ''}${t.detail ? `: ${t.detail}` : ''}`);
  if (s.deliveries) printDeliveries(s.deliveries, name);
}

/** One line per delivery: notification kind, person (or the team channel's recipients), channel, status, attempts, last error. */
function printDeliveries(deliveries: Delivery[], name: (id: string) => string) {
  say(`  deliveries (${deliveries.length}):`);
  for (const d of deliveries) {
    const who = d.person ? name(d.person) : `team: ${d.recipients.map(name).join(', ')}`;
    const error = d.lastError ? `  last error: ${d.lastError}` : '';
    const next = d.nextAttemptAt ? `  next try ${d.nextAttemptAt}` : '';
    say(`    ${d.kind.padEnd(12)} ${who.padEnd(20)} ${d.channel.padEnd(15)} ${d.status.padEnd(9)} ${d.attempts} attempt(s)${next}${error}`);
  }
}

export async function openIncidentCommand(o: { type: string; tier: string; severity?: string; fingerprint: string; title?: string }) {
  const request = { type: o.type, tier: o.tier, severity: o.severity, fingerprint: o.fingerprint, title: o.title };
  // Refused here, naming the field, before any server is reached.
  try {
    parseIncidentRequest({ ...request, source: 'cli' }, runbookFromConfig(config)());
  } catch (err) {
    if (err instanceof InvalidRequestError) throw new UsageError(err.message);
    throw err;
  }
  const opened = await callApi<{ incidentId: string; workflowId: string }>(config.apiUrl, 'POST', '/incidents', request);
  // The INC id is what pages, the audit and every command name the incident by; the workflow id goes to stderr.
  say(opened.incidentId);
  tell(`${opened.incidentId} is open (workflow ${opened.workflowId}): dbops incident show ${opened.incidentId}`);
}

export async function showIncident(ref: string, o: { json?: boolean; output?: OutputFormat }) {
  const state = await callApi<ShownIncident>(config.apiUrl, 'GET', `/incidents/${refSegment(ref)}`);
  sayOutput(o.json ? 'json' : o.output, state, () => printState(state));
}

/** An action on an incident through the dbops API, as the person the token names; prints the state it left. */
export const act = async (ref: string, action: string, body: Record<string, unknown>) =>
  printState(await callApi<ShownIncident>(config.apiUrl, 'POST', `/incidents/${refSegment(ref)}/${action}`, body));

export async function changeSeverity(ref: string, severity: string, o: { reason?: string }) {
  if (!SEVERITIES.includes(severity as Severity)) throw new UsageError(`severity '${severity}' is not one of ${SEVERITIES.join(', ')}`);
  await act(ref, 'severity', { severity, reason: o.reason });
}
