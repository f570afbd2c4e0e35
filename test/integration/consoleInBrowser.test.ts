/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChecklist } from '../../client/checklists/startChecklist';
import { whenIn } from '../../client/console/readable';
import { revokeSessionsOf } from '../../db/console/sessions';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { freePort } from '../../dev/provision/processes';
import { rosterInForce } from '../../lib/rosterInForce';
import { parseSecretKeys } from '../../lib/secretKeys';
import { CHECKLISTS } from '../../runbooks/checklists';
import { checklistStateQuery } from '../../workflows/checklist/messages';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { scratchRosterFile, startTestApi, writeRoster, type TestApi } from '../support/api';
import { launchBrowser } from '../support/browser';
import { eventually } from '../support/eventually';
import { openFailover } from '../support/failoverIncident';
import { calendar, devServerSuite, roster } from '../support/harness';
import { startOidcProvider } from '../support/oidcProvider';

/** A phone's screen: the on-call engineer answers at 3 a.m. there. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
/**
 * Where the run writes a screenshot of each page: .dbops/screenshots (git-ignored) on every run, so a test run leaves
 * the checkout clean; docs/screenshots (the README's) when DBOPS_UPDATE_SCREENSHOTS=1.
 */
const SCREENSHOTS = path.resolve(
  __dirname,
  process.env.DBOPS_UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../.dbops/screenshots',
);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** DBOPS_SECRET_KEY of the worker (it signs chain heads) and of the API (the audit page verifies them). */
const SECRET_KEYS = parseSecretKeys(`console-1:${randomBytes(32).toString('base64')}`, 'the console test');
const CLIENT = { clientId: 'dbops-console', clientSecret: 'console-test-client-secret-0123456789' };
/** A `datetime-local` value (the team's wall clock) `days` from today at `time`, as a person types it. */
const dayAt = (days: number, time: string) =>
  `${new Intl.DateTimeFormat('en-CA', { timeZone: calendar.timeZone }).format(Date.now() + days * 86_400_000)}T${time}`;

/**
 * The team's console in a real browser (Debian's Chromium through Playwright) on a phone-sized screen, against a real
 * OpenID Provider (`oidc-provider`), the dbops API, the dev server, a worker and PostgreSQL. One browser for every case;
 * each person has a browser context (cookies) of their own.
 */
describe('the console in a real browser', () => {
  const taskQueue = `console-browser-${Date.now()}`;
  let rosterFile: string;
  let api: TestApi;
  let browser: Browser;
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  let providerPort: number;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    rosterFile = scratchRosterFile();
    writeRoster(rosterFile, { people: roster.people });
    providerPort = await freePort();
    browser = await launchBrowser();
  });
  const suite = devServerSuite(taskQueue, () => ({ currentRoster: rosterInForce(rosterFile), secretKeys: SECRET_KEYS }));
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, {
      rosterFile,
      secretKeys: SECRET_KEYS,
      console: {
        oidc: { issuer: `http://127.0.0.1:${providerPort}`, ...CLIENT, match: 'email' },
        temporalUiUrl: 'http://127.0.0.1:8233',
      },
    });
    provider = await startOidcProvider({
      port: providerPort,
      ...CLIENT,
      redirectUri: `${api.url}/console/sign-in/callback`,
      accounts: { oscar: 'oncall@penguinmails.com' },
    });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    api?.close();
    await provider?.close();
  });

  const newPage = async () => {
    const context = await browser.newContext(PHONE);
    contexts.push(context);
    return context.newPage();
  };
  const pool = () => suite.harness.db.pool;
  let oscar: Page;
  let dana: Page;
  let acked: { incidentId: string; state: () => Promise<IncidentState> };
  let checklistRunUrl = '';

  /** Signs in with a personal token by keyboard alone: the token typed into its field, Enter sends the form. */
  const signInWithToken = async (page: Page, person: string) => {
    await page.goto(`${api.url}/console/sign-in`);
    await page.getByLabel('Personal token').focus();
    await page.keyboard.type(await api.tokenOf(person));
    await Promise.all([page.waitForURL(`${api.url}/`), page.keyboard.press('Enter')]);
  };

  it('signs in through the OpenID Provider as the roster person with that e-mail; an account not on the roster is refused', async () => {
    oscar = await newPage();
    await oscar.goto(`${api.url}/`);
    expect(new URL(oscar.url()).pathname).toBe('/console/sign-in');
    await oscar.getByRole('link', { name: 'Sign in with your identity provider' }).click();
    await oscar.waitForURL(`http://127.0.0.1:${providerPort}/**`);
    await oscar.locator('input[name=login]').fill('oscar');
    await oscar.locator('input[name=password]').fill('any');
    await oscar.getByRole('button', { name: 'Sign-in' }).click();
    await Promise.all([oscar.waitForURL(`${api.url}/`), oscar.getByRole('button', { name: 'Continue' }).click()]);
    expect(await oscar.getByRole('heading', { level: 1 }).innerText()).toBe('Open incidents');
    expect(await oscar.locator('header').innerText()).toContain('Oscar Kim');
    const cookie = (await oscar.context().cookies()).find((c) => c.name === 'dbops_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
    const sessions = await pool().query("SELECT signed_in_by FROM console_sessions WHERE person = 'oscar' AND revoked_at IS NULL");
    expect(sessions.rows).toEqual([{ signed_in_by: 'oidc' }]);

    const stranger = await newPage();
    await stranger.goto(`${api.url}/console/sign-in/oidc`);
    await stranger.locator('input[name=login]').fill('mallory');
    await stranger.locator('input[name=password]').fill('any');
    await stranger.getByRole('button', { name: 'Sign-in' }).click();
    await Promise.all([
      stranger.waitForURL(`${api.url}/console/sign-in/callback**`),
      stranger.getByRole('button', { name: 'Continue' }).click(),
    ]);
    expect(await stranger.getByRole('alert').innerText()).toContain('the provider sent no e-mail address');
    expect((await stranger.context().cookies()).some((c) => c.name === 'dbops_console')).toBe(false);
  });

  it('an alert appears on the open list without a reload; a click acknowledges it and the ladder stops', async () => {
    await oscar.goto(`${api.url}/`);
    await oscar.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const res = await fetch(`${api.url}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` },
      body: JSON.stringify({
        type: 'connection-pool-exhaustion',
        tier: 'oltp',
        severity: 'high',
        fingerprint: `console-${Date.now()}`,
        title: 'Pool <b>full</b>',
      }),
    });
    expect(res.status).toBe(202);
    const handle = suite.client.workflow.getHandle(((await res.json()) as { workflowId: string }).workflowId);
    const state = () => handle.query(incidentStateQuery) as Promise<IncidentState>;
    const { incidentId } = await state();
    acked = { incidentId, state };
    const link = oscar.getByRole('link', { name: incidentId });
    await link.waitFor({ timeout: 30_000 });
    expect(await oscar.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true); // no reload: the list refreshed itself
    const card = oscar.locator('li.card', { has: link });
    expect(await card.innerText()).toContain('Pool <b>full</b>'); // text, not markup
    expect(await card.innerText()).toMatch(/response due\s+in \d+ min/);

    await Promise.all([oscar.waitForURL(`**/console/incidents/${incidentId}`), link.click()]);
    await eventually(
      'the first page',
      () => state(),
      (s) => (s.paged ?? []).length > 0,
    );
    await oscar.reload();
    expect(await oscar.locator('#ladder-state').innerText()).toContain('Paging level 1');
    // Who was paged, by name, when and how.
    expect(await oscar.locator('section[aria-labelledby=h-ladder] table').innerText()).toMatch(/Oscar Kim[\s\S]*page by recorder/);
    expect(await oscar.getByRole('link', { name: 'The workflow in the Temporal UI' }).getAttribute('href')).toBe(
      `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent((await state()).workflowId)}`,
    );
    await Promise.all([oscar.waitForURL(/done=/), oscar.getByRole('button', { name: 'Acknowledge' }).click()]);
    expect(await oscar.locator('#ladder-state').innerText()).toContain('Escalation stopped: acknowledged by Oscar Kim');
    expect(await oscar.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    const after = await state();
    expect(after.phase).toBe('acknowledged');
    expect(after.acknowledgedBy).toBe('oscar');
    expect(after.escalation.nextEscalationAt).toBeUndefined();
  });

  it('completes a manual step and raises the severity as the signed-in person', async () => {
    await eventually(
      'the manual step waiting',
      () => acked.state(),
      (s) => s.steps.some((x) => x.id === 'adjust-configurations' && x.status === 'awaiting-completion'),
      30_000,
    );
    await oscar.reload();
    await oscar.getByLabel('Note (optional)').fill('raised max_connections to 400');
    await Promise.all([oscar.waitForURL(/done=/), oscar.getByRole('button', { name: 'Complete “Adjust pool configurations”' }).click()]);
    expect(await oscar.getByRole('status').innerText()).toContain('Step completed.');
    const step = (await acked.state()).steps.find((x) => x.id === 'adjust-configurations')!;
    expect(step).toMatchObject({ status: 'completed', by: 'oscar', note: 'raised max_connections to 400' });
    expect(await oscar.locator('li.card', { hasText: 'Adjust pool configurations' }).innerText()).toContain('by Oscar Kim');
    // A responder may raise the severity: the form is there, and acts.
    await oscar.getByLabel('New severity').selectOption('critical');
    await Promise.all([oscar.waitForURL(/done=/), oscar.getByRole('button', { name: 'Change severity' }).click()]);
    expect((await acked.state()).severity).toBe('critical');
  });

  it('snoozes the incident by a click and shows it snoozed until a time; a bystander sees no snooze form, and her POST is refused', async () => {
    const incidentUrl = `${api.url}/console/incidents/${acked.incidentId}`;
    // Bea (backup and senior engineer) is on no rung of this ladder and was not paged: no snooze form for her.
    expect((await acked.state()).paged).not.toContain('bea');
    const bea = await newPage();
    await signInWithToken(bea, 'bea');
    await bea.goto(incidentUrl);
    expect(await bea.getByRole('heading', { name: 'Snooze' }).count()).toBe(0);
    expect(await bea.getByRole('button', { name: 'Snooze', exact: true }).count()).toBe(0);
    // Forged: no form token, another origin: refused before anything is asked of the workflow.
    const forged = await bea.context().request.post(`${incidentUrl}/snooze`, {
      headers: { origin: 'https://evil.example' },
      form: { for: '30m', reason: 'forged' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('nothing was changed');
    // Her own session's genuine form, sent anyway: the policy refuses it, naming its rule.
    await Promise.all([
      bea.waitForLoadState('load'),
      bea.evaluate((action) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = action;
        form.append(document.querySelector('input[name=csrf]')!.cloneNode());
        for (const [name, value] of [
          ['for', '30m'],
          ['reason', 'not mine to snooze'],
        ]) {
          const input = document.createElement('input');
          Object.assign(input, { type: 'hidden', name, value });
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      }, `${incidentUrl}/snooze`),
    ]);
    await bea.getByRole('alert').waitFor();
    expect(await bea.getByRole('alert').innerText()).toMatch(/Refused\.[\s\S]*Rule: snooze/);
    expect((await acked.state()).snooze).toBeUndefined();

    // Oscar acknowledged it: he snoozes it with a click.
    await oscar.goto(incidentUrl);
    await oscar.getByLabel(/^For /).fill('30m');
    await oscar.getByLabel(/^Reason \(told/).fill('waiting on the vendor');
    await Promise.all([oscar.waitForURL(/done=/), oscar.getByRole('button', { name: 'Snooze', exact: true }).click()]);
    const { snooze } = await acked.state();
    expect(snooze).toMatchObject({ by: 'oscar', reason: 'waiting on the vendor' });
    expect(Date.parse(snooze!.until) - Date.parse(snooze!.since)).toBe(30 * 60_000);
    expect(await oscar.locator('#snooze-state').innerText()).toContain(
      `Snoozed until ${whenIn(calendar.timeZone, snooze!.until)} by Oscar Kim: waiting on the vendor.`,
    );
    expect(await oscar.getByRole('button', { name: 'Snooze', exact: true }).count()).toBe(0);
    expect(await oscar.getByRole('button', { name: 'End the snooze now' }).count()).toBe(1);
  });

  it('shows the approve button only to an approver; forged POSTs are refused; a refusal shows its rule', async () => {
    const failover = await openFailover(suite.client, taskQueue, `console-failover-${Date.now()}`);
    const waiting = await eventually(
      'the failover awaiting approval',
      () => failover.query(incidentStateQuery),
      (s) => s.steps.some((x) => x.status === 'awaiting-approval'),
    );
    await eventually(
      'its opening recorded',
      () => pool().query('SELECT 1 FROM incidents WHERE incident_id = $1', [waiting.incidentId]),
      (r) => r.rowCount === 1,
    );
    const incidentUrl = `${api.url}/console/incidents/${waiting.incidentId}`;
    const approveUrl = `${incidentUrl}/steps/execute-failover/approve`;

    // Oscar (on-call engineer) is not one of the failover's approvers: no approve button.
    await oscar.goto(incidentUrl);
    expect(await oscar.getByRole('button', { name: /Approve/ }).count()).toBe(0);
    expect(await oscar.locator('body').innerText()).toContain('Waiting for an approver');

    // Dana (database lead) is, signed in with her personal token by keyboard.
    dana = await newPage();
    await signInWithToken(dana, 'dana');
    await dana.goto(incidentUrl);
    expect(await dana.getByRole('button', { name: /Approve/ }).count()).toBe(1);

    // Her own cookies, sent by a page of another origin, or without the form's token: refused, nothing changed.
    const csrf = await dana.locator('input[name=csrf]').first().inputValue();
    const forged: { headers: Record<string, string>; form: Record<string, string> }[] = [
      { headers: { origin: 'https://evil.example' }, form: {} },
      { headers: { origin: 'https://evil.example' }, form: { csrf } },
      { headers: { origin: api.url }, form: {} },
      { headers: { origin: api.url }, form: { csrf: 'x'.repeat(43) } },
    ];
    for (const f of forged) {
      const res = await dana.context().request.post(approveUrl, { ...f, maxRedirects: 0 });
      expect(res.status(), JSON.stringify(f)).toBe(403);
      expect(await res.text()).toContain('nothing was changed');
    }
    expect((await failover.query(incidentStateQuery)).steps[0].status).toBe('awaiting-approval');

    // Oscar sends a genuine form anyway (his own token, from the console's page): the workflow refuses, the page names the rule.
    await Promise.all([
      oscar.waitForLoadState('load'),
      oscar.evaluate((action) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = action;
        form.append(document.querySelector('input[name=csrf]')!.cloneNode());
        document.body.append(form);
        form.submit();
      }, approveUrl),
    ]);
    await oscar.getByRole('alert').waitFor();
    expect(await oscar.getByRole('alert').innerText()).toMatch(/Refused\.[\s\S]*Rule: approve-step/);
    expect((await failover.query(incidentStateQuery)).steps[0].status).toBe('awaiting-approval');
    await failover.terminate('test done');
  });

  it('signs off a checklist item', async () => {
    const definitions = {
      ...CHECKLISTS,
      morning: { ...CHECKLISTS.morning, items: CHECKLISTS.morning.items.filter((i) => i.kind === 'manual') },
    };
    const run = await startChecklist(suite.client, taskQueue, 'morning', roster, `checklist/morning/console-${Date.now()}`, definitions);
    const item = (
      await eventually(
        'a manual item awaiting sign-off',
        () => run.query(checklistStateQuery),
        (s) => s.items.some((i) => i.status === 'awaiting-sign-off'),
      )
    ).items.find((i) => i.status === 'awaiting-sign-off')!;
    await eventually(
      'the run recorded',
      () => pool().query('SELECT 1 FROM checklist_runs WHERE run_id = $1', [run.workflowId]),
      (r) => r.rowCount === 1,
    );
    await dana.goto(`${api.url}/console/checklists`);
    await Promise.all([dana.waitForURL(/\/console\/checklists\/run/), dana.locator('li.card').first().getByRole('link').click()]);
    checklistRunUrl = dana.url();
    expect(checklistRunUrl).toContain(encodeURIComponent(run.workflowId));
    await dana.getByLabel('Note').first().fill('dashboards green');
    await Promise.all([dana.waitForURL(/done=/), dana.getByRole('button', { name: `Sign off “${item.title}”` }).click()]);
    expect(await dana.getByRole('status').innerText()).toContain('Signed off.');
    const signed = (await run.query(checklistStateQuery)).items.find((i) => i.key === item.key)!;
    expect(signed).toMatchObject({ status: 'done', signedBy: 'dana', note: 'dashboards green' });
  });

  it('exports an incident’s audit trail, verified', async () => {
    await eventually(
      'the acknowledgement in the audit',
      () => readIncidentEvents(pool(), acked.incidentId),
      (e) => e.some((x) => x.kind === 'acknowledged'),
    );
    await dana.goto(`${api.url}/console/audit/${acked.incidentId}`);
    expect(await dana.locator('#verdict').innerText()).toMatch(/^Verified: \d+ events/);
    const [download] = await Promise.all([dana.waitForEvent('download'), dana.getByRole('link', { name: 'CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`${acked.incidentId}-audit.csv`);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('seq,occurred_at,kind,actor,data,hash');
    expect(csv).toMatch(/,acknowledged,oscar,/);
  });

  it('draws the report’s weekly chart on the server', async () => {
    await dana.goto(`${api.url}/console/reports?days=30`);
    const chart = dana.getByRole('img', { name: 'Incidents and response-SLA breaches per week' });
    await chart.waitFor();
    const heights = await dana.locator('svg .bar-incidents').evaluateAll((bars) => bars.map((b) => Number(b.getAttribute('height'))));
    expect(heights.some((h) => h > 0)).toBe(true);
    expect(await dana.locator('table').innerText()).toContain('connection-pool-exhaustion');
  });

  it('makes a maintenance window for a tier and ends it early; plans one by its end; a bystander sees no form', async () => {
    await oscar.goto(`${api.url}/console/maintenance`);
    expect(await oscar.getByRole('button', { name: 'Make window' }).count()).toBe(0);
    expect(await oscar.locator('main').innerText()).toMatch(/rule maintenance/);
    // His own session's form, sent by hand: the policy refuses it, naming its rule; nothing is made.
    const csrf = await oscar.locator('input[name=csrf]').first().inputValue();
    const byHand = await oscar.context().request.post(`${api.url}/console/maintenance`, {
      headers: { origin: api.url },
      form: { csrf, tier: 'oltp', duration: '1h', reason: 'not mine to hold' },
      maxRedirects: 0,
    });
    expect(byHand.status()).toBe(403);
    expect(await byHand.text()).toMatch(/may not make a maintenance window[\s\S]*Rule: <code>maintenance<\/code>/);
    expect((await pool().query('SELECT count(*)::int AS n FROM maintenance_windows')).rows[0].n).toBe(0);

    await dana.goto(`${api.url}/console/maintenance`);
    await dana.getByLabel('Tier').selectOption('olap');
    await dana.getByLabel(/^Duration/).fill('2h');
    await dana.getByLabel('Reason', { exact: true }).fill('vacuum full of the warehouse');
    await Promise.all([dana.waitForURL(/done=/), dana.getByRole('button', { name: 'Make window' }).click()]);
    const id = /Window (\d+) made/.exec(await dana.getByRole('status').innerText())![1];
    const card = dana.locator(`#window-${id}`);
    expect(await card.innerText()).toMatch(/tiers olap[\s\S]*active now[\s\S]*made by Dana Ortiz[\s\S]*vacuum full of the warehouse/);
    const made = (await pool().query('SELECT created_by, timing FROM maintenance_windows WHERE id = $1', [id])).rows[0];
    expect(made.created_by).toBe('dana');
    expect(made.timing.end - made.timing.start).toBe(2 * 3_600_000);

    await card.getByLabel('Reason to end it now').fill('done early');
    await Promise.all([dana.waitForURL(/done=/), card.getByRole('button', { name: 'End window now' }).click()]);
    expect(await dana.getByRole('status').innerText()).toContain(`Window ${id} ended`);
    expect(await dana.locator(`#window-${id}`).count()).toBe(0);
    const ended = (await pool().query('SELECT ended_by, end_reason FROM maintenance_windows WHERE id = $1', [id])).rows[0];
    expect(ended).toEqual({ ended_by: 'dana', end_reason: 'done early' });

    // Tomorrow night, 02:00 to 04:00 in the team's zone, given by its end: listed as upcoming.
    await dana.getByLabel('Incident type').selectOption('performance-degradation');
    await dana.getByLabel(/^Start/).fill(dayAt(1, '02:00'));
    await dana.getByLabel(/^or End/).fill(dayAt(1, '04:00'));
    await dana.getByLabel('Reason', { exact: true }).fill('index rebuild');
    await Promise.all([dana.waitForURL(/done=/), dana.getByRole('button', { name: 'Make window' }).click()]);
    const planned = /Window (\d+) made/.exec(await dana.getByRole('status').innerText())![1];
    expect(await dana.locator(`#window-${planned}`).innerText()).toMatch(
      /types performance-degradation[\s\S]*upcoming[\s\S]*02:00 .* – .*04:00/,
    );
  });

  it('makes an override on the on-call page and shows it there; one not the maker’s to make is refused', async () => {
    // Sam (security team) may not hand Oscar's shift to himself: refused, saying who may.
    const sam = await newPage();
    await signInWithToken(sam, 'sam');
    await sam.goto(`${api.url}/console/oncall`);
    await sam.getByLabel('Role', { exact: true }).selectOption('on-call-engineer');
    await sam.getByLabel(/^Until/).fill(dayAt(1, '09:00'));
    await sam.getByRole('button', { name: 'Make override' }).click();
    await sam.getByRole('alert').waitFor();
    expect(await sam.getByRole('alert').innerText()).toMatch(/Refused\.[\s\S]*not entitled: .*or by the person it replaces \(oscar\)/);
    expect((await pool().query('SELECT count(*)::int AS n FROM oncall_overrides')).rows[0].n).toBe(0);

    await dana.goto(`${api.url}/console/oncall`);
    await dana.getByLabel('Role', { exact: true }).selectOption('on-call-engineer');
    await dana.getByLabel('Who takes it').selectOption({ label: 'Bea Novak' });
    await dana.getByLabel(/^Until/).fill(dayAt(2, '09:00'));
    await dana.getByLabel('Reason (optional)').fill('Oscar is at the dentist');
    await Promise.all([dana.waitForURL(/done=/), dana.getByRole('button', { name: 'Make override' }).click()]);
    expect(await dana.getByRole('status').innerText()).toContain('Override made: Bea Novak holds on-call-engineer');
    expect(await dana.locator('main').innerText()).toMatch(
      /on-call-engineer: Bea Novak from .* to .*09:00.*, instead of Oscar Kim \(Oscar is at the dentist\); made by Dana Ortiz/,
    );
    expect(await dana.locator('li.card', { hasText: 'on-call-engineer' }).first().innerText()).toMatch(/Bea Novak\s+\(override\)/);
    const stored = (await pool().query("SELECT person, replaces, created_by FROM oncall_overrides WHERE role = 'on-call-engineer'")).rows;
    expect(stored).toEqual([{ person: 'bea', replaces: ['oscar'], created_by: 'dana' }]);
  });

  it('every page: no serious or critical axe violation, fits 390 px, every control reachable by keyboard; a screenshot of each', async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const signIn = await newPage();
    const pages: [string, Page, string][] = [
      ['sign-in', signIn, `${api.url}/console/sign-in`],
      ['incidents', dana, `${api.url}/`],
      ['incident', dana, `${api.url}/console/incidents/${acked.incidentId}`],
      ['oncall', dana, `${api.url}/console/oncall`],
      ['maintenance', dana, `${api.url}/console/maintenance`],
      ['checklists', dana, `${api.url}/console/checklists`],
      ['checklist-run', dana, checklistRunUrl],
      ['audit', dana, `${api.url}/console/audit/${acked.incidentId}`],
      ['reports', dana, `${api.url}/console/reports`],
    ];
    for (const [name, page, url] of pages) {
      await page.goto(url);
      await page.evaluate(AXE_SOURCE);
      const { violations, passes } = await page.evaluate(async () => {
        type Rule = { id: string; impact: string; nodes: unknown[] };
        const axe = (window as unknown as { axe: { run(): Promise<{ violations: Rule[]; passes: Rule[] }> } }).axe;
        const result = await axe.run();
        return {
          violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
          passes: result.passes.length,
        };
      });
      expect(passes, `${name}: axe ran its rules`).toBeGreaterThan(10);
      expect(
        violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
        name,
      ).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(PHONE.viewport.width);
      // Tab from the top: every visible control is reached, in turn, by the keyboard alone (a date-and-time field
      // takes a Tab for each of its parts).
      const controls = await page.evaluate(() =>
        Array.from(
          document.querySelectorAll<HTMLElement>('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]'),
        )
          .filter((e) => e.offsetParent !== null)
          .map((e, i) => (e.dataset.k = String(i))),
      );
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const reached = new Set<string>();
      for (let i = 0; i < controls.length * 6 + 2 && reached.size < controls.length; i++) {
        await page.keyboard.press('Tab');
        const k = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.k);
        if (k) reached.add(k);
      }
      const skip = await page.evaluate(() => document.querySelector<HTMLElement>('.skip')?.dataset.k);
      expect(
        controls.filter((k) => k !== skip && !reached.has(k)),
        `${name}: controls never reached by Tab`,
      ).toEqual([]);
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
    }
  }, 180_000);

  it('signing out and revoking end sessions on the server', async () => {
    const danaCookie = (await dana.context().cookies()).find((c) => c.name === 'dbops_console')!.value;
    await dana.goto(`${api.url}/`);
    await Promise.all([dana.waitForURL(/\/console\/sign-in/), dana.getByRole('button', { name: 'Sign out' }).click()]);
    // The old cookie, sent again, no longer signs anybody in.
    const replay = await fetch(`${api.url}/`, { headers: { cookie: `dbops_console=${danaCookie}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/^\/console\/sign-in/);
    // An admin revokes oscar's sessions (a lost phone): his next page asks him to sign in.
    expect(await revokeSessionsOf(pool(), 'oscar')).toBe(1);
    await oscar.goto(`${api.url}/`);
    expect(new URL(oscar.url()).pathname).toBe('/console/sign-in');
  });
});
