/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChecklist } from '../../client/checklists/startChecklist';
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
import { devServerSuite, roster } from '../support/harness';
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

  it('every page: no serious or critical axe violation, fits 390 px, every control reachable by keyboard; a screenshot of each', async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const signIn = await newPage();
    const pages: [string, Page, string][] = [
      ['sign-in', signIn, `${api.url}/console/sign-in`],
      ['incidents', dana, `${api.url}/`],
      ['incident', dana, `${api.url}/console/incidents/${acked.incidentId}`],
      ['oncall', dana, `${api.url}/console/oncall`],
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
      // Tab from the top: every visible control is reached, in turn, by the keyboard alone.
      const controls = await page.evaluate(() =>
        Array.from(
          document.querySelectorAll<HTMLElement>('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]'),
        )
          .filter((e) => e.offsetParent !== null)
          .map((e, i) => (e.dataset.k = String(i))),
      );
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const reached = new Set<string>();
      for (let i = 0; i < controls.length + 2; i++) {
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
