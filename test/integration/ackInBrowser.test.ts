import { Client, Connection } from '@temporalio/client';
import type { PoolClient } from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abandonedWorkSettled } from '../../client/api/deadline';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { freePort } from '../../dev/provision/processes';
import { createLogger } from '../../lib/logger';
import { rosterInForce } from '../../lib/rosterInForce';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { linksToLateApi, scratchRosterFile, startTestApi, writeRoster, type TestApi } from '../support/api';
import { launchBrowser } from '../support/browser';
import { eventually } from '../support/eventually';
import { devServerSuite, roster } from '../support/harness';
import { emailChannelTo, startSmtpServer } from '../support/smtpServer';

const LINK_SECRET = 'browser-link-secret-'.padEnd(48, 'z');
/** A phone's screen: on-call engineers answer pages there. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };

/**
 * The page's mail opened in a real browser (Debian's Chromium, driven by Playwright) on a phone-sized screen, as an
 * on-call engineer would: the mail's ack link leads to dbops' confirmation page, its button acknowledges as the mail's
 * person, and the same link opened again says it was used. Real dev server, PostgreSQL and SMTP server.
 */
describe('acknowledging from a page in a real browser', () => {
  const taskQueue = `ack-browser-${Date.now()}`;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let rosterFile: string;
  let api: TestApi;
  let browser: Browser;
  const { links, publicUrl } = linksToLateApi(LINK_SECRET);
  beforeAll(async () => {
    smtp = await startSmtpServer();
    rosterFile = scratchRosterFile();
    writeRoster(rosterFile, { people: roster.people });
    browser = await launchBrowser();
  });
  const suite = devServerSuite(taskQueue, () => ({
    currentRoster: rosterInForce(rosterFile),
    channels: [emailChannelTo(smtp, links)],
  }));
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { rosterFile, pageLinkSecret: LINK_SECRET });
    publicUrl.current = api.url;
  });
  afterAll(async () => {
    await browser?.close();
    api?.close();
    await smtp?.close();
  });

  /** Posts an alert to the intake; its incident id, a reader of its state, and the HTML of the page mailed to oscar. */
  const alertAndOscarsMail = async (alert: Record<string, unknown>) => {
    const res = await fetch(`${api.url}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` },
      body: JSON.stringify(alert),
    });
    expect(res.status).toBe(202);
    const handle = suite.client.workflow.getHandle(((await res.json()) as { workflowId: string }).workflowId);
    const state = () => handle.query(incidentStateQuery) as Promise<IncidentState>;
    const { incidentId } = await state();
    const oscarEmail = roster.people.find((p) => p.id === 'oscar')!.channels.email!;
    const mail = (await eventually(
      'oscar’s page mail',
      () =>
        smtp.state.mails.find(
          (m) =>
            m.to.includes(oscarEmail) &&
            m.mail.headers.get('x-dbops-subject') === incidentId &&
            m.mail.headers.get('x-dbops-kind') === 'page',
        ),
      Boolean,
    ))!;
    expect(mail.mail.html).toBeTruthy();
    return { incidentId, state, html: mail.mail.html as string };
  };

  it('the mail’s link, its confirmation page and its button acknowledge as the mail’s person, once', async () => {
    const { incidentId, state, html } = await alertAndOscarsMail({
      type: 'performance-degradation',
      tier: 'oltp',
      severity: 'high',
      fingerprint: `browser-${Date.now()}`,
      title: 'Replica <i>lagging</i>',
    });

    const context = await browser.newContext(PHONE);
    try {
      const page = await context.newPage();
      // The mail as a mail client shows it; the engineer taps its acknowledge link.
      await page.setContent(html);
      await Promise.all([page.waitForURL(`${api.url}/links/ack/**`), page.getByRole('link', { name: 'Acknowledge as Oscar Kim' }).click()]);
      await expect.poll(() => page.title()).toBe(`Acknowledge ${incidentId}? · dbops`);
      // Its heading is the incident, by INC id and title (shown as text), not a notification's id; it wraps on the phone.
      const heading = page.getByRole('heading', { level: 1 });
      expect((await heading.innerText()).split('\n')).toEqual([incidentId, 'Replica <i>lagging</i>']);
      expect((await heading.boundingBox())!.width).toBeLessThanOrEqual(PHONE.viewport.width);
      const confirmText = await page.locator('body').innerText();
      // What a responder decides with: the deadline in the team's zone, who was paged, the next step, the console.
      expect(confirmText).toMatch(/Respond by\s+\d\d:\d\d \S+, \w{3} \d{1,2} \w{3} \(Europe\/Berlin\)/);
      expect(confirmText).toMatch(/Paged\s+(Dana Ortiz, Oscar Kim|Oscar Kim, Dana Ortiz)/);
      expect(confirmText).toMatch(/Next step\s+\S/);
      expect(await page.getByRole('link', { name: 'Open the incident in the console' }).getAttribute('href')).toBe(
        `${api.url}/incidents/${incidentId}`,
      );
      expect(confirmText).toContain('Replica <i>lagging</i>'); // shown as text, not markup
      expect(confirmText).toContain('You act as Oscar Kim (oscar)');
      // Opening the link changed nothing (mail scanners fetch links too).
      expect((await state()).acknowledgedBy).toBeUndefined();
      // The page fits a phone's width: nothing to scroll sideways, the button on screen.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.viewport.width);
      const button = page.getByRole('button', { name: 'Acknowledge as Oscar Kim' });
      const box = (await button.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.viewport.width);

      // The button's form posts under the page's own Content-Security-Policy: a browser-enforced rule an HTTP client never checks.
      await Promise.all([page.waitForLoadState('load'), button.tap()]);
      await expect.poll(() => page.title()).toBe(`Acknowledged ${incidentId} · dbops`);
      expect(await page.locator('body').innerText()).toContain('Acknowledged as Oscar Kim');
      const after = await state();
      expect(after.phase).toBe('acknowledged');
      expect(after.acknowledgedBy).toBe('oscar');
      const events = await eventually(
        'the acknowledged event',
        () => readIncidentEvents(suite.harness.db.pool, incidentId),
        (e) => e.some((x) => x.kind === 'acknowledged'),
      );
      expect(events.filter((e) => e.kind === 'acknowledged').map((e) => e.actor)).toEqual(['oscar']);

      // Back, and the form sent again (the browser asks; a user may say yes): refused, nothing changes.
      const resent = await page.goBack().then(() => page.reload());
      expect(resent?.status()).toBe(409);
      expect(await page.title()).toBe('Link already used · dbops');
      // The same link opened again from the mail says it was used.
      await page.setContent(html);
      await Promise.all([page.waitForURL(`${api.url}/links/ack/**`), page.getByRole('link', { name: 'Acknowledge as Oscar Kim' }).click()]);
      expect(await page.title()).toBe('Link already used · dbops');
      expect(await page.getByRole('button').count()).toBe(0);
      expect((await readIncidentEvents(suite.harness.db.pool, incidentId)).filter((e) => e.kind === 'acknowledged')).toHaveLength(1);

      // The mail's other link shows the incident, read only, as it is now: acknowledged by oscar, steps listed.
      await page.setContent(html);
      await Promise.all([
        page.waitForURL(`${api.url}/links/open/**`),
        page.getByRole('link', { name: 'View it without signing in' }).click(),
      ]);
      expect(await page.title()).toBe(`${incidentId} · dbops`);
      const opened = await page.locator('body').innerText();
      expect(opened).toMatch(/Acknowledged by\s+oscar/);
      expect(opened).toContain('Viewing as Oscar Kim');
      expect(await page.getByRole('heading', { name: 'Steps' }).count()).toBe(1);
      expect(await page.getByRole('button').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('the link acknowledges while the incident’s audit writes are stalled (a storm’s lag): the store has no row of it yet', async () => {
    // Audit writes wait behind this lock, as they queue behind a storm's backlog; pages and Updates do not.
    const stall: PoolClient = await suite.harness.db.pool.connect();
    await stall.query('BEGIN');
    await stall.query('LOCK TABLE incident_events IN SHARE ROW EXCLUSIVE MODE');
    let incidentId = '';
    try {
      // Critical: its opening is written inside its first workflow task (versions.ts, OPENING_AT_ONCE), which the
      // acknowledgement must not wait behind for longer than that write's one short try.
      const opened = await alertAndOscarsMail({
        type: 'connection-pool-exhaustion',
        tier: 'queue',
        severity: 'critical',
        fingerprint: `browser-lag-${Date.now()}`,
      });
      incidentId = opened.incidentId;
      const rows = await suite.harness.db.pool.query('SELECT 1 FROM incidents WHERE incident_id = $1', [incidentId]);
      expect(rows.rowCount, 'the audit store must not know the incident yet').toBe(0);

      const context = await browser.newContext(PHONE);
      try {
        const page = await context.newPage();
        await page.setContent(opened.html);
        await Promise.all([
          page.waitForURL(`${api.url}/links/ack/**`),
          page.getByRole('link', { name: 'Acknowledge as Oscar Kim' }).click(),
        ]);
        expect(await page.title()).toBe(`Acknowledge ${incidentId}? · dbops`);
        await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Acknowledge as Oscar Kim' }).tap()]);
        await expect.poll(() => page.title()).toBe(`Acknowledged ${incidentId} · dbops`);
      } finally {
        await context.close();
      }
      expect((await opened.state()).acknowledgedBy).toBe('oscar');
    } finally {
      await stall.query('ROLLBACK');
      stall.release();
    }
    // Once the store is back, the trail catches up with the acknowledgement in it.
    const events = await eventually(
      'the acknowledged event',
      () => readIncidentEvents(suite.harness.db.pool, incidentId),
      (e) => e.some((x) => x.kind === 'acknowledged'),
    );
    expect(events.find((e) => e.kind === 'acknowledged')!.actor).toBe('oscar');
  });

  it('when Temporal cannot be reached, the link shows a page saying so, changes nothing, and its token is in no log line', async () => {
    const { incidentId, html } = await alertAndOscarsMail({
      type: 'performance-degradation',
      tier: 'content',
      severity: 'medium',
      fingerprint: `browser-down-${Date.now()}`,
    });
    // The same links served by an API whose Temporal address answers nothing (a real client, a port nobody listens on).
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const nowhere = new Client({ connection: Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 1000 }) });
    const cutOff = await startTestApi(nowhere, suite.harness.db.pool, taskQueue, { rosterFile, pageLinkSecret: LINK_SECRET, logger });
    const context = await browser.newContext(PHONE);
    try {
      const link = /href="([^"]+\/links\/ack\/[^"]+)"/.exec(html)![1].replaceAll('&amp;', '&').replace(api.url, cutOff.url);
      const page = await context.newPage();
      const shown = await page.goto(link);
      expect(shown?.status()).toBe(503);
      expect(await page.title()).toBe('Try again in a moment · dbops');
      expect(await page.locator('body').innerText()).toContain('This link still works');
      // The button's POST (as a browser sends it) meets the same: refused, and the link is not spent.
      const posted = await page.request.post(link, { form: {} });
      expect(posted.status()).toBe(503);
      expect((await suite.harness.db.pool.query('SELECT 1 FROM used_page_links WHERE incident_id = $1', [incidentId])).rowCount).toBe(0);
      const token = link.split('/').pop()!;
      expect(lines.some((l) => l.includes('API request failed'))).toBe(true);
      expect(lines.filter((l) => l.includes(token))).toEqual([]);
    } finally {
      await context.close();
      cutOff.close();
      // Its requests were answered at their deadline; a retry of the client's may still be due on the connection.
      await abandonedWorkSettled();
      await nowhere.connection.close();
    }
  });
});
