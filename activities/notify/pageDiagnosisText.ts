import { escapeHtml } from '../../lib/html';
import { htmlText, inertLine, mailSubject } from '../../lib/inertText';
import type { PersonLinks } from '../../lib/pageLinks';
import { inZone } from '../../lib/timeInZone';
import type { Contact } from '../../runbooks/plan';
import type { NotificationRequest, PageDiagnosis, PageGap } from '../contracts';

/**
 * What a page says, in words, for each channel: what is wrong, by when to answer (in the team's zone), what the
 * automated checks found so far, who was paged, the runbook's next step, why this person (a gap), and the links.
 * Everything an alert or a roster supplied is data: made inert for text, escaped and isolated for HTML.
 */

/** The response deadline, and whether it had passed when the page was sent. */
export function respondBy(d: PageDiagnosis, sentAt: string): string {
  const passed = Date.parse(d.respondBy) <= Date.parse(sentAt);
  return `${inZone(d.respondBy, d.timeZone)}${passed ? ' (passed)' : ''}`;
}

/** A short subject: severity, the title, the level and the INC id; a phone's lock screen shows the first words. */
export function diagnosisSubject(n: NotificationRequest, d: PageDiagnosis): string {
  return `${n.drill ? '[DRILL] ' : ''}[${d.severity.toUpperCase()}] ${mailSubject(d.title, 60)} · ${d.level} · ${d.incidentId}${n.kind === 'reminder' ? ' · reminder' : ''}`;
}

/** Why a person was paged for a role that is not theirs on this rung: a gap below. */
export function gapText(g: PageGap, timeZone: string): string {
  const until = g.until ? ` until ${inZone(g.until, timeZone)}` : '';
  const instead = g.pagedInstead
    ? `level ${g.pagedInstead.level} (${g.pagedInstead.roles.join(', ')}) is paged instead`
    : 'nobody above holds a role either';
  return `nobody is on call as ${g.role}${until}: ${instead}`;
}

/** "Why you" for whom the gap's rung was paged instead; the others on the page read it as a note. */
const gapLabel = (g: PageGap, to: Contact) => (g.pagedInstead?.roles.includes(to.role) ? 'Why you' : 'On-call gap');

/** The facts, as label and plain value (inert), in the order a responder reads them. */
export function diagnosisFacts(n: NotificationRequest, d: PageDiagnosis, to?: Contact): [string, string][] {
  const others = (d.paged ?? []).filter((p) => p.id !== to?.id).map((p) => p.name);
  return [
    ...(n.drill
      ? ([['DRILL', 'a drill of the runbook: acknowledge as you would; hooks and approvals are not run']] as [string, string][])
      : []),
    ['Incident', `${d.incidentId}: ${d.title}`],
    ['Severity', d.severity],
    ['Type', d.type],
    ['Tier', d.tier],
    ['Paged at', d.level],
    ['Respond by', respondBy(d, n.occurredAt)],
    ['Next step', d.nextStep ? `${d.nextStep.title} (${d.nextStep.status})` : 'none: the runbook’s steps are done'],
    ['Also paged', others.length ? others.join(', ') : 'nobody else yet'],
  ];
}

const checkLine = (c: PageDiagnosis['checks'][number]) => `${c.title}: ${c.outcome ?? 'no outcome'}${c.summary ? ` (${c.summary})` : ''}`;

/** The mail's text part. */
export function diagnosisText(n: NotificationRequest, d: PageDiagnosis, to: Contact, l?: PersonLinks): string {
  const name = inertLine(to.name);
  const lines = [
    `${n.drill ? '[DRILL] ' : ''}${name} (${to.role}), you are paged: ${inertLine(d.severity.toUpperCase())} ${inertLine(d.type)} on ${inertLine(d.tier)}.`,
    '',
    ...diagnosisFacts(n, d, to).map(([k, v]) => `${k}: ${inertLine(v)}`),
    '',
    'Automated checks so far:',
    ...(d.checks.length ? d.checks.map((c) => `  - ${inertLine(checkLine(c))}`) : ['  none has finished yet']),
    ...(n.gaps?.length ? ['', ...n.gaps.map((g) => `${gapLabel(g, to)}: ${inertLine(gapText(g, d.timeZone))}.`)] : []),
    ...(l
      ? [
          '',
          `Acknowledge as ${name}: ${l.ack}`,
          `Open the incident in the console: ${l.incident}`,
          `View it without signing in: ${l.open}`,
          `(links for ${name} only, until ${l.expiresAt}; the acknowledge link works once and asks you to confirm)`,
        ]
      : []),
    '',
    `-- dbops ${n.kind} ${n.notificationId}`,
  ];
  return lines.join('\n');
}

/** The mail's HTML part: a table a phone shows whole, and the acknowledge link as a large button. */
export function diagnosisHtml(n: NotificationRequest, d: PageDiagnosis, to: Contact, l?: PersonLinks): string {
  const cell = 'padding:4px 8px 4px 0;vertical-align:top;text-align:left';
  const facts = diagnosisFacts(n, d, to)
    .map(([k, v]) => `<tr><th style="${cell}">${escapeHtml(k)}</th><td style="${cell}">${htmlText(v)}</td></tr>`)
    .join('');
  const checks = d.checks.length
    ? `<ul>${d.checks.map((c) => `<li>${htmlText(checkLine(c))}</li>`).join('')}</ul>`
    : '<p>None has finished yet.</p>';
  const gaps = (n.gaps ?? []).map((g) => `<p><strong>${gapLabel(g, to)}:</strong> ${htmlText(gapText(g, d.timeZone))}.</p>`).join('');
  const button =
    'display:inline-block;padding:12px 20px;background:#b00020;color:#fff;text-decoration:none;border-radius:6px;font-size:18px;font-weight:bold';
  return [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:8px;overflow-wrap:anywhere">',
    `<h1 style="font-size:20px;margin:0 0 8px">${htmlText(d.incidentId)} ${htmlText(d.title)}</h1>`,
    `<p>${htmlText(to.name)} (${escapeHtml(to.role)}), you are paged: <strong>${htmlText(d.severity.toUpperCase())}</strong> ${htmlText(d.type)} on ${htmlText(d.tier)}.</p>`,
    l ? `<p><a href="${escapeHtml(l.ack)}" style="${button}">Acknowledge as ${htmlText(to.name)}</a></p>` : '',
    gaps,
    `<table style="border-collapse:collapse">${facts}</table>`,
    `<h2 style="font-size:16px">Automated checks so far</h2>${checks}`,
    l
      ? `<p><a href="${escapeHtml(l.incident)}">Open the incident in the console</a> · <a href="${escapeHtml(l.open)}">View it without signing in</a></p>` +
        `<p><small>Links for ${htmlText(to.name)} only, until ${escapeHtml(l.expiresAt)}; the acknowledge link works once and asks you to confirm.</small></p>`
      : '',
    `<p><small>dbops ${escapeHtml(n.kind)} ${escapeHtml(n.notificationId)}</small></p>`,
    '</body></html>',
  ].join('\n');
}

/** The diagnosis as structured JSON for a signed webhook's receiver (a pager app renders it as it likes). */
export function diagnosisJson(n: NotificationRequest, d: PageDiagnosis) {
  return {
    incidentId: d.incidentId,
    title: d.title,
    severity: d.severity,
    type: d.type,
    tier: d.tier,
    level: d.level,
    respondBy: d.respondBy,
    respondByLocal: respondBy(d, n.occurredAt),
    timeZone: d.timeZone,
    checks: d.checks,
    nextStep: d.nextStep ?? null,
    paged: d.paged ?? [],
    gaps: (n.gaps ?? []).map((g) => ({ ...g, text: gapText(g, d.timeZone) })),
  };
}
