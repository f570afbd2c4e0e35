/** `dbops incident …`: people's actions on incidents, through the dbops API as the person the token names. */
import type { IncidentState } from '../../workflows/incident/messages';
import type { Delivery } from '../../db/deliveries/readDeliveries';
import { parseIncidentRequest } from '../incidents/openIncident';
import { levelLabel } from '../../runbooks/ladderLevels';
import { SEVERITIES, type Severity } from '../../runbooks/types';
import { callApi, refSegment } from './apiClient';
import { config } from './connections';
import { say, sayJson } from './output';
import { UsageError } from './usageError';

/** `incident show`: the state, and (from the API's GET) each delivery of the incident's notifications. */
type ShownIncident = IncidentState & { deliveries?: Delivery[] };

/** The state, a line each (say: every field from the server printed inert, a title's escape sequences shown). */
function printState(s: ShownIncident) {
  say(`${s.incidentId}  ${s.type}  ${s.severity}  tier=${s.tier}  phase=${s.phase}`);
  say(`  ${s.title}`);
  say(`  opened ${s.openedAt}  triggers=${s.triggerCount}  runbook=${s.runbookVersion}`);
  say(
    `  escalation ${levelLabel(s.escalation.rung ?? s.escalation.level, s.escalation.pass)}, response due ${s.escalation.responseDueAt}${s.escalation.responseMissed ? ' (MISSED)' : ''}${s.escalation.nextEscalationAt ? `, next escalation ${s.escalation.nextEscalationAt}` : ''}`,
  );
  if (s.hold) say(`  held: pages at ${s.hold.until} unless its alert clears (hold ${s.hold.holdForSeconds}s)`);
  if (s.snooze) say(`  snoozed by ${s.snooze.by} until ${s.snooze.until}: ${s.snooze.reason}`);
  if (s.reopens) say(`  reopened ${s.reopens} time(s) by its alert firing again`);
  if (s.acknowledgedBy) say(`  acknowledged by ${s.acknowledgedBy} at ${s.acknowledgedAt}`);
  if (s.ackTimer)
    say(`  acknowledgement lapses without an update: reminder ${s.ackTimer.remindAt}, back in escalation ${s.ackTimer.returnAt}`);
  if (s.resolvedBy) say(`  resolved by ${s.resolvedBy} at ${s.resolvedAt}: ${s.resolution}`);
  if (s.notes.length) say(`  notes: ${s.notes.map((n) => `${n.actor}: ${n.text}`).join(' | ')}`);
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
  for (const t of s.timeline.slice(-8)) say(`    ${t.at}  ${t.kind}${t.actor ? ` by ${t.actor}` : ''}${t.detail ? `: ${t.detail}` : ''}`);
  if (s.deliveries) printDeliveries(s.deliveries);
}

/** One line per delivery: notification kind, person (or the team channel's recipients), channel, status, attempts, last error. */
function printDeliveries(deliveries: Delivery[]) {
  say(`  deliveries (${deliveries.length}):`);
  for (const d of deliveries) {
    const who = d.person ?? `team: ${d.recipients.join(',')}`;
    const error = d.lastError ? `  last error: ${d.lastError}` : '';
    const next = d.nextAttemptAt ? `  next try ${d.nextAttemptAt}` : '';
    say(`    ${d.kind.padEnd(12)} ${who.padEnd(20)} ${d.channel.padEnd(15)} ${d.status.padEnd(9)} ${d.attempts} attempt(s)${next}${error}`);
  }
}

export async function openIncidentCommand(o: { type: string; tier: string; severity?: string; fingerprint: string; title?: string }) {
  const request = { type: o.type, tier: o.tier, severity: o.severity, fingerprint: o.fingerprint, title: o.title };
  parseIncidentRequest({ ...request, source: 'cli' }); // refused here, naming the field, before any server is reached
  const { workflowId } = await callApi<{ workflowId: string }>(config.apiUrl, 'POST', '/incidents', request);
  say(workflowId);
}

export async function showIncident(ref: string, o: { json?: boolean }) {
  const state = await callApi<ShownIncident>(config.apiUrl, 'GET', `/incidents/${refSegment(ref)}`);
  if (o.json) sayJson(state);
  else printState(state);
}

/** An action on an incident through the dbops API, as the person the token names; prints the state it left. */
export const act = async (ref: string, action: string, body: Record<string, unknown>) =>
  printState(await callApi<IncidentState>(config.apiUrl, 'POST', `/incidents/${refSegment(ref)}/${action}`, body));

export async function changeSeverity(ref: string, severity: string, o: { reason?: string }) {
  if (!SEVERITIES.includes(severity as Severity)) throw new UsageError(`severity '${severity}' is not one of ${SEVERITIES.join(', ')}`);
  await act(ref, 'severity', { severity, reason: o.reason });
}
