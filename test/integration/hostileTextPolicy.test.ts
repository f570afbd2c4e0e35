import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookChannel } from '../../activities/notify/channels';
import { signedWebhookChannel } from '../../activities/notify/signedWebhookChannel';
import { escapeHtml } from '../../lib/html';
import { inertLine, slackText } from '../../lib/inertText';
import { rosterInForce } from '../../lib/rosterInForce';
import { incidentStateQuery } from '../../workflows/incident/messages';
import { CONTROL, CONTROL_BUT_NEWLINE, HOSTILE_TEXT, LEGIT_TEXT, packedHostileText } from '../fixtures/hostileText';
import { linksToLateApi, scratchRosterFile, startTestApi, writeRoster, type TestApi } from '../support/api';
import { launchBrowser } from '../support/browser';
import { dbops } from '../support/cli';
import { eventually } from '../support/eventually';
import { devServerSuite, roster } from '../support/harness';
import { emailChannelTo, startSmtpServer, type ReceivedMail } from '../support/smtpServer';
import { dbopsOnTerminal } from '../support/terminal';
import { startWebhookReceiver } from '../support/webhookReceiver';

const LINK_SECRET = 'hostile-text-link-secret-'.padEnd(48, 'h');

/** The outside tester's title and its company: a header forged over `incident show`, a clear, a hidden link, a bell, C1, RLO. */
const TERMINAL_TITLE = [
  HOSTILE_TEXT['CSI: rewrite the line above (the tester’s header forgery)'],
  HOSTILE_TEXT['CSI: clear the screen'],
  HOSTILE_TEXT['OSC 8: a hyperlink whose target is hidden'],
  HOSTILE_TEXT.BEL,
  HOSTILE_TEXT['C1 CSI (U+009B) and NEL (U+0085)'],
  HOSTILE_TEXT['RIGHT-TO-LEFT OVERRIDE'],
  `${LEGIT_TEXT['Latin with diacritics']} ${LEGIT_TEXT.CJK} ${LEGIT_TEXT.emoji} ${LEGIT_TEXT['right-to-left script']}`,
].join(' | ');
/** A person's note carrying the whole corpus but its long line: shown on `incident show`'s notes line and in the audit. */
const HOSTILE_NOTE = Object.entries(HOSTILE_TEXT)
  .filter(([name]) => name !== 'very long line')
  .map(([, text]) => text)
  .join(' | ');

interface Opened {
  title: string;
  incidentId: string;
  workflowId: string;
}

/**
 * The shared corpus of hostile text through the real paths to every reader (DESIGN.md, "Text from outside is data"):
 * alerts posted to the real API open incidents on the dev server; a real worker pages through the real channels to a
 * real SMTP server and Slack-format and signed webhook receivers; the CLI prints on a real terminal (tmux); a real
 * Chromium opens the pages. Dbops' own lines, links and mentions stay; nothing of the data acts.
 */
describe('policy: hostile text reaches every place a person reads it inert', () => {
  const taskQueue = `hostile-text-${Date.now()}`;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let slack: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let signed: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let rosterFile: string;
  let api: TestApi;
  let browser: Browser;
  const { links, publicUrl } = linksToLateApi(LINK_SECRET);
  beforeAll(async () => {
    [smtp, slack, signed, browser] = await Promise.all([
      startSmtpServer(),
      startWebhookReceiver(),
      startWebhookReceiver(),
      launchBrowser(),
    ]);
    rosterFile = scratchRosterFile();
    writeRoster(rosterFile, { people: roster.people });
  });
  const suite = devServerSuite(taskQueue, () => ({
    currentRoster: rosterInForce(rosterFile),
    channels: [
      emailChannelTo(smtp, links),
      webhookChannel(slack.url, 5000, links),
      signedWebhookChannel({ name: 'signed-webhook', url: signed.url, secret: 's'.repeat(40), links }),
    ],
  }));

  let terminalIncident: Opened;
  let corpusIncidents: Opened[];
  let cliEnv: Record<string, string>;
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { rosterFile, pageLinkSecret: LINK_SECRET });
    publicUrl.current = api.url;
    const open = async (title: string, i: number): Promise<Opened> => {
      const res = await fetch(`${api.url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` },
        body: JSON.stringify({
          type: 'connection-pool-exhaustion',
          tier: 'queue',
          severity: 'medium',
          fingerprint: `hostile-${i}-${Date.now()}`,
          title,
        }),
      });
      expect(res.status, await res.clone().text()).toBe(202);
      const { workflowId } = (await res.json()) as { workflowId: string };
      const { incidentId } = await suite.client.workflow.getHandle(workflowId).query(incidentStateQuery);
      return { title, incidentId, workflowId };
    };
    [terminalIncident, ...corpusIncidents] = await Promise.all([TERMINAL_TITLE, ...packedHostileText(300)].map(open));
    const token = await api.tokenOf('dana');
    // By workflow id: the audit store may not have the incident's row yet.
    const noted = await fetch(`${api.url}/incidents/${encodeURIComponent(terminalIncident.workflowId)}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: HOSTILE_NOTE }),
    });
    expect(noted.status, await noted.clone().text()).toBe(200);
    cliEnv = {
      DBOPS_API_URL: api.url,
      DBOPS_TOKEN: token,
      DBOPS_ROSTER: rosterFile,
      DATABASE_URL: suite.harness.db.url,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(async () => {
    for (const o of [terminalIncident, ...(corpusIncidents ?? [])].filter(Boolean))
      await suite.client.workflow
        .getHandle(o.workflowId)
        .terminate('test over')
        .catch(() => undefined);
    await browser?.close();
    api?.close();
    await Promise.all([slack?.close(), signed?.close(), smtp?.close()]);
    if (rosterFile) fs.rmSync(path.dirname(rosterFile), { recursive: true, force: true });
  });

  /** The page mails of an incident, once each person of its first rung (dana, oscar) has one. */
  const pageMailsOf = (o: Opened) =>
    eventually(
      `the page mails of ${o.incidentId}`,
      () =>
        smtp.state.mails.filter(
          (m) => m.mail.headers.get('x-dbops-subject') === o.incidentId && m.mail.headers.get('x-dbops-kind') === 'page',
        ),
      (m) => m.length >= 2,
    );
  const linksIn = (mail: ReceivedMail) => ({
    ack: /^Acknowledge as [^:]+: (\S+)$/m.exec(mail.mail.text ?? '')![1],
    open: /^View it without signing in: (\S+)$/m.exec(mail.mail.text ?? '')![1],
  });
  const oscarsMail = async (o: Opened) =>
    (await pageMailsOf(o)).find((m) => m.to[0] === roster.people.find((p) => p.id === 'oscar')!.channels.email)!;

  /**
   * What the CLI printed (through a pipe) and what a terminal shows for the same command. Incidents change while they
   * run (steps, deliveries, audit writes): read until two printings around the terminal's agree.
   */
  async function printedAndShown(args: string[]) {
    for (let attempt = 0; attempt < 10; attempt++) {
      const before = await dbops(args, cliEnv);
      expect(before.code, before.stderr).toBe(0);
      const screen = await dbopsOnTerminal(args, cliEnv);
      const after = await dbops(args, cliEnv);
      if (before.stdout === after.stdout)
        return {
          printed: before.stdout
            .trimEnd()
            .split('\n')
            .map((l) => l.trimEnd()),
          screen,
        };
    }
    throw new Error(`the output of dbops ${args.join(' ')} kept changing`);
  }

  it('(a) on a real terminal, incident show and audit show appear exactly as printed: no header rewritten, the title’s escapes shown', async () => {
    const { incidentId } = terminalIncident;
    // The audit has the note before the terminal reads it.
    await eventually(
      'the note in the audit',
      () => dbops(['audit', 'show', incidentId], cliEnv),
      (r) => r.stdout.includes('| note |'),
    );

    const shown = await printedAndShown(['incident', 'show', incidentId]);
    // The screen is what was printed, line for line: nothing moved the cursor, erased, rewrote or reordered a line.
    expect(shown.screen).toEqual(shown.printed);
    expect(shown.screen[0]).toMatch(new RegExp(`^${incidentId}  connection-pool-exhaustion  medium  tier=queue  phase=\\S+$`));
    expect(shown.screen[0]).not.toContain('resolved');
    // The title's own line holds the whole title, its controls shown: `\r\x1b[1A\x1b[2K…`, `\u202e`, and Unicode intact.
    expect(shown.screen[1]).toBe(`  ${inertLine(TERMINAL_TITLE)}`);
    expect(shown.screen[1]).toContain('replica lag\\r\\x1b[1A\\x1b[2KINC-00000000-forged  phase=resolved');
    expect(shown.screen[1]).toContain('payment\\u202efdp.exe');
    expect(shown.screen[1]).toContain('Zürich Ærø São Paulo 数据库 主库 延迟 🚨 🔥 ✅ قاعدة البيانات עברית');
    expect(shown.screen[2]).toMatch(/^ {2}opened /);
    // People by name (the roster's), their text inert.
    expect(shown.screen.filter((l) => l.startsWith(`  notes: Dana Ortiz: ${inertLine(HOSTILE_NOTE)}`))).toHaveLength(1);
    expect(shown.screen.join('\n')).not.toMatch(CONTROL_BUT_NEWLINE);

    const audit = await printedAndShown(['audit', 'show', incidentId]);
    expect(audit.screen).toEqual(audit.printed);
    // Markdown rows, one a line: the note is in its row, as JSON with its controls escaped.
    expect(audit.screen.slice(0, 2)).toEqual(['| # | when (UTC) | event | actor | details |', '|---|---|---|---|---|']);
    expect(audit.screen.slice(2).every((l) => /^\| \d+ \| .* \|$/.test(l))).toBe(true);
    expect(audit.screen.find((l) => l.includes('| note |'))).toContain('\\u001b[1A\\u001b[2K');
  });

  it('(b) the Slack-format message, the signed webhook’s text and each mail carry no control and no link, mention or line of the data’s', async () => {
    const apiLink = new RegExp(
      `<${api.url.replace(/[.]/g, '\\.')}/links/(ack|open)/[A-Za-z0-9_.-]+\\|(acknowledge as [A-Za-z ]+|open the incident)>`,
      'g',
    );
    for (const o of [terminalIncident, ...corpusIncidents]) {
      const mails = await pageMailsOf(o);
      const oscar = linksIn(await oscarsMail(o));
      const message = (await eventually(
        `the Slack message of ${o.incidentId}`,
        () => slack.state.requests.find((r) => r.id.startsWith(o.incidentId) && r.kind === 'page'),
        Boolean,
      ))!.text;
      // dbops' own lines and links are there, live: the message, the mentions, a line of links for each person.
      const lines = message.split('\n');
      expect(lines, o.title).toHaveLength(4);
      expect(lines[0]).toContain(slackText(o.title));
      expect(lines[1].split(' ').sort()).toEqual(['@dana', '@oscar']);
      expect(message).toContain(`<${oscar.ack}|acknowledge as Oscar Kim>`);
      // Without them, nothing is left that Slack would parse: no `<` or `>`, and `&` only in its three entities.
      const data = message.replace(apiLink, '');
      expect(data.replace(/&(amp|lt|gt);/g, ''), o.title).not.toMatch(/[<>&]/);
      expect(message).not.toMatch(CONTROL_BUT_NEWLINE);

      const signedText = (await eventually(
        `the signed webhook of ${o.incidentId}`,
        () => signed.state.requests.find((r) => r.id.startsWith(o.incidentId) && r.kind === 'page'),
        Boolean,
      ))!.text;
      expect(signedText).toContain(inertLine(o.title));
      expect(signedText).not.toMatch(CONTROL);

      for (const m of mails) {
        // One recipient each, as addressed; no header of the data's (a Bcc), no control in the subject.
        expect(m.to).toHaveLength(1);
        expect(m.mail.headers.has('bcc')).toBe(false);
        expect(m.mail.bcc).toBeUndefined();
        expect(m.mail.subject).toMatch(/^\[MEDIUM\] /);
        expect(m.mail.subject).not.toMatch(CONTROL);
        const text = m.mail.text ?? '';
        expect(text).not.toMatch(CONTROL_BUT_NEWLINE);
        expect(text).toContain(inertLine(o.title));
        // Only dbops' own line offers to acknowledge, with dbops' own link.
        const offers = text.split('\n').filter((l) => l.startsWith('Acknowledge as'));
        expect(offers).toHaveLength(1);
        expect(offers[0]).toMatch(new RegExp(`^Acknowledge as [A-Za-z ]+: ${api.url}/links/ack/\\S+$`));
        const html = m.mail.html as string;
        expect(html).toContain(escapeHtml(inertLine(o.title)));
        expect(html).not.toMatch(CONTROL_BUT_NEWLINE);
        expect(html).not.toMatch(/<(script|img)/i);
        expect(html.match(/<a /g)).toHaveLength(3); // acknowledge, the console, the signed open link
      }
    }
  });

  it('(c) the ack and open pages show the data escaped, its bidi controls visible, isolated in <bdi>, in a real browser', async () => {
    for (const o of [terminalIncident, ...corpusIncidents]) {
      const { ack, open } = linksIn(await oscarsMail(o));
      for (const link of [ack, open]) {
        const res = await fetch(link);
        expect(res.status, link).toBe(200);
        const html = await res.text();
        expect(html).toContain(`<h1><span class="inc">${o.incidentId}</span> <bdi>${escapeHtml(inertLine(o.title))}</bdi></h1>`);
        expect(html).not.toMatch(CONTROL);
        expect(html).not.toMatch(/<(script|img)/i);
      }
    }

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const { ack, open } = linksIn(await oscarsMail(terminalIncident));
      for (const link of [ack, open]) {
        expect((await page.goto(link))?.status()).toBe(200);
        const title = page.locator('h1 bdi');
        // The browser isolates it (its right-to-left text cannot reorder the page) and shows the override as text.
        expect(await title.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).unicodeBidi)).toBe('isolate');
        expect(await title.textContent()).toBe(inertLine(TERMINAL_TITLE));
        expect(await page.locator('body').textContent()).not.toMatch(CONTROL);
        expect(await page.locator('script, img').count()).toBe(0);
      }
    } finally {
      await context.close();
    }
  });
});
