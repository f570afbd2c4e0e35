import { describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { slackMessage, type PageLinker } from '../../activities/notify/channels';
import { renderMail } from '../../activities/notify/emailChannel';
import { formatEvents } from '../../client/cli/auditExport';
import type { StoredEvent } from '../../db/audit/readEvents';
import { reportTable } from '../../db/reports/checklistReport';
import { escapeHtml } from '../../lib/html';
import { htmlText, inertJson, inertLine, inertLines, mailSubject, slackText } from '../../lib/inertText';
import type { Contact } from '../../runbooks/plan';
import { CONTROL, CONTROL_BUT_NEWLINE, HOSTILE_TEXT, LEGIT_TEXT } from '../fixtures/hostileText';

const hostile = Object.entries(HOSTILE_TEXT);
const legit = Object.entries(LEGIT_TEXT);
/** What is left of Slack text once its three entities are taken out: data may leave no `&`, `<` or `>` of its own. */
const withoutSlackEntities = (s: string) => s.replace(/&(amp|lt|gt);/g, '');

describe('policy: every sink function makes the hostile corpus inert', () => {
  it.each(hostile)('%s: no control, escape or bidi character reaches a terminal, a mail or a page', (_name, text) => {
    for (const out of [inertLine(text), mailSubject(text), slackText(text), htmlText(text), inertJson(text)])
      expect(out).not.toMatch(CONTROL);
    // Lines dbops laid out keep their breaks, nothing else.
    expect(inertLines(text)).not.toMatch(CONTROL_BUT_NEWLINE);
    expect(inertLines(text).split('\n')).toHaveLength(text.split('\n').length);
  });

  it.each(hostile)('%s: Slack text has no <, > or & of its data, so no link, mention or entity of theirs', (_name, text) => {
    expect(withoutSlackEntities(slackText(text))).not.toMatch(/[<>&]/);
  });

  it.each(hostile)('%s: HTML text is escaped inside one <bdi>, and nothing of it can end that element', (_name, text) => {
    const out = htmlText(text);
    expect(out.startsWith('<bdi>') && out.endsWith('</bdi>')).toBe(true);
    expect(out.slice('<bdi>'.length, -'</bdi>'.length)).not.toMatch(/[<>"']/);
  });

  it.each(hostile)('%s: the JSON a terminal gets is the same value', (_name, text) => {
    expect(JSON.parse(inertJson({ title: text }))).toEqual({ title: text });
  });

  it('shows what it neutralises, so a reader sees there was something', () => {
    expect(inertLine(HOSTILE_TEXT['CSI: rewrite the line above (the tester’s header forgery)'])).toBe(
      'replica lag\\r\\x1b[1A\\x1b[2KINC-00000000-forged  phase=resolved',
    );
    expect(inertLine('a\u202Eb\u2066c\u009bd\x7fe\x07f\tg\nh')).toBe('a\\u202eb\\u2066c\\x9bd\\x7fe\\x07f\\tg\\nh');
    expect(inertLines('one\ntwo\r\n')).toBe('one\ntwo\\r\n');
    expect(slackText('<!channel> & <@U123>')).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    expect(slackText('&lt;')).toBe('&amp;lt;'); // already-escaped data reads as it was written, not as `<`
    expect(inertJson('\u202E\u009b\x1b')).toBe('"\\u202e\\u009b\\u001b"');
  });

  it('a mail subject is one line of at most 160 characters of the data, its surrogate pairs whole', () => {
    expect(mailSubject(HOSTILE_TEXT['CRLF header injection'])).toBe('x\\r\\nBcc: evil@example.com');
    expect(mailSubject(HOSTILE_TEXT['very long line'])).toHaveLength(160);
    expect(mailSubject(`${'a'.repeat(159)}🚨`)).toBe(`${'a'.repeat(159)}…`);
  });

  it('is idempotent: inert text run through a sink again is unchanged', () => {
    for (const [, text] of hostile) {
      expect(inertLine(inertLine(text))).toBe(inertLine(text));
      expect(inertLines(inertLine(text))).toBe(inertLine(text));
    }
  });
});

describe('policy: legitimate Unicode passes every sink intact', () => {
  it.each(legit)('%s', (_name, text) => {
    expect(inertLine(text)).toBe(text);
    expect(inertLines(text)).toBe(text);
    expect(mailSubject(text)).toBe(text);
    expect(slackText(text)).toBe(text);
    expect(htmlText(text)).toBe(`<bdi>${escapeHtml(text)}</bdi>`);
    expect(inertJson(text)).toBe(JSON.stringify(text));
  });
});

const dana: Contact = {
  id: 'dana',
  name: 'Dana Ortiz',
  role: 'database-lead',
  channels: { email: 'dana@test.invalid', slack: '<@U024BE7LH>' },
};
const oscar: Contact = { id: 'oscar', name: 'Oscar Kim', role: 'on-call-engineer', channels: { email: 'oscar@test.invalid' } };
const page = (message: string): NotificationRequest => ({
  notificationId: 'INC-20261125-0123456789ab:page:0',
  subjectId: 'INC-20261125-0123456789ab',
  kind: 'page',
  message: `[HIGH] Database outage on oltp: ${message} — please acknowledge (INC-20261125-0123456789ab)`,
  recipients: [dana, oscar],
  occurredAt: '2026-11-25T10:00:00.000Z',
});
const links: PageLinker = (_n, person) => ({
  ack: `https://dbops.example.com/links/ack/${person}-token`,
  open: `https://dbops.example.com/links/open/${person}-token`,
  expiresAt: '2026-11-26T10:00:00.000Z',
  incident: 'https://dbops.example.com/incidents/INC-20261125-0123456789ab',
});
/** A page of an oncall-pages run: its diagnosis carries the alert's title, a check's finding and people's names. */
const diagnosed = (text: string): NotificationRequest => ({
  ...page(text),
  recipients: [dana, { ...oscar, name: `Oscar ${text.slice(0, 40)}` }],
  gaps: [{ role: 'on-call-engineer', until: '2026-11-25T17:00:00.000Z', pagedInstead: { level: 2, roles: ['engineering-manager'] } }],
  diagnosis: {
    incidentId: 'INC-20261125-0123456789ab',
    title: text,
    severity: 'high',
    type: 'Database Outage',
    tier: 'oltp',
    level: 'level 1',
    respondBy: '2026-11-25T10:15:00.000Z',
    timeZone: 'Europe/Berlin',
    checks: [{ title: 'Check service status', outcome: 'fail', summary: text }],
    nextStep: { title: 'Check connectivity', status: 'running' },
    pagedBefore: [],
    paged: [
      { id: 'dana', name: 'Dana Ortiz' },
      { id: 'erin', name: text.slice(0, 30) },
    ],
  },
});

describe('policy: the channels render the corpus inert, with dbops’ own links and mentions live', () => {
  it.each(hostile)('%s: the team’s Slack message', (_name, text) => {
    const out = slackMessage(page(text), links);
    expect(out).not.toMatch(CONTROL_BUT_NEWLINE);
    // Its lines are dbops' own: the message, the mentions, one line of links per person.
    const lines = out.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('<@U024BE7LH> Oscar Kim');
    expect(lines[2]).toBe(
      '<@U024BE7LH>: <https://dbops.example.com/links/ack/dana-token|acknowledge as Dana Ortiz> · <https://dbops.example.com/links/open/dana-token|open the incident>',
    );
    expect(lines[3]).toMatch(/^Oscar Kim: <https:\/\/dbops\.example\.com\/links\/ack\/oscar-token\|acknowledge as Oscar Kim> · /);
    expect(withoutSlackEntities(lines[0])).not.toMatch(/[<>&]/);
  });

  it.each(hostile)('%s: a person’s mail', (_name, text) => {
    const mail = renderMail(page(text), oscar, links(page(text), 'oscar'));
    expect(mail.subject).not.toMatch(CONTROL);
    expect(mail.text).not.toMatch(CONTROL_BUT_NEWLINE);
    // The text part's lines are dbops' own: only its acknowledge line says "Acknowledge as".
    expect(mail.text.split('\n')).toHaveLength(9);
    expect(mail.text.split('\n').filter((l) => l.startsWith('Acknowledge as'))).toEqual([
      'Acknowledge as Oscar Kim: https://dbops.example.com/links/ack/oscar-token',
    ]);
    expect(mail.html).not.toMatch(CONTROL_BUT_NEWLINE);
    expect(mail.html).toContain(`<pre style="white-space:pre-wrap">${htmlText(page(text).message)}</pre>`);
    expect(mail.html.match(/<a /g)).toHaveLength(2);
  });

  it.each(hostile)('%s: a page’s mail with its diagnosis', (_name, text) => {
    const n = diagnosed(text);
    const mail = renderMail(n, n.recipients[1], links(n, 'oscar'));
    expect(mail.subject).not.toMatch(CONTROL);
    expect(mail.subject.length).toBeLessThanOrEqual(120);
    expect(mail.text).not.toMatch(CONTROL_BUT_NEWLINE);
    // Only dbops' own acknowledge line says "Acknowledge as", whatever the data says.
    expect(mail.text.split('\n').filter((l) => l.startsWith('Acknowledge as'))).toHaveLength(1);
    expect(mail.html).not.toMatch(CONTROL_BUT_NEWLINE);
    // Every piece of data is escaped: the only links and elements are dbops' own.
    expect(mail.html.match(/<a /g)).toHaveLength(3);
    expect(mail.html).toContain(htmlText(text));
  });

  it('legitimate Unicode reaches Slack and the mail as it was written', () => {
    const text = Object.values(LEGIT_TEXT).join(' ');
    expect(slackMessage(page(text), links).split('\n')[0]).toBe(slackText(page(text).message));
    expect(slackText(page(text).message)).toContain(LEGIT_TEXT.emoji);
    const mail = renderMail(page(text), oscar);
    expect(mail.text).toContain(page(text).message);
    for (const t of Object.values(LEGIT_TEXT)) expect(mail.text).toContain(t);
  });
});

describe('policy: what the CLI prints from the store is inert', () => {
  const event = (data: Record<string, unknown>, actor: string): StoredEvent =>
    ({ seq: 1, occurredAt: '2026-11-25T10:00:00.000Z', kind: 'note-added', actor, data, hash: 'h' }) as unknown as StoredEvent;

  it.each(hostile)('%s: the audit export in every format', (_name, text) => {
    const events = [event({ note: text, [text.slice(0, 20)]: 1 }, `integration:${text.slice(0, 10)}`)];
    for (const format of ['markdown', 'csv'] as const) {
      const out = formatEvents(events, format);
      expect(out).not.toMatch(CONTROL_BUT_NEWLINE);
      expect(out.split('\n')).toHaveLength(format === 'csv' ? 2 : 3);
    }
    const json = formatEvents(events, 'json');
    expect(json).not.toMatch(CONTROL_BUT_NEWLINE);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(events)));
  });

  it.each(hostile)('%s: a checklist report’s table', (_name, text) => {
    const item = { key: 'oltp:pool', status: 'done', outcome: 'warn', summary: text, incidents: [] };
    const table = reportTable({ name: 'Morning', runId: 'run-1', counts: { pass: 0, warn: 1, fail: 0 }, items: [item] } as never);
    expect(table).not.toMatch(CONTROL_BUT_NEWLINE);
    expect(table.split('\n')).toHaveLength(2);
  });
});
