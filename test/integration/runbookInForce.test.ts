import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startChecklist } from '../../client/checklists/startChecklist';
import { runbookInForce } from '../../lib/runbookFile';
import type { PolicyRule } from '../../runbooks/actionPolicy';
import { CHECKLISTS } from '../../runbooks/checklists';
import type { Runbook, RunbookTier } from '../../runbooks/runbook';
import { checklistStateQuery } from '../../workflows/checklist/messages';
import { incidentStateQuery } from '../../workflows/incident/messages';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { eventually } from '../support/eventually';
import { roster, timeSkippingSuite } from '../support/harness';

/**
 * The runbook file in force, not the shipped constants, decides (one suite, one API over a file of the team's):
 * - its action policy, everywhere a person acts or is shown a button: a policy differing from the shipped one
 *   (maintenance and drills to other roles, sign-offs to the CTO, resolving to the engineering manager) makes the API
 *   refuse and allow by it, naming its rules, and the console show and hide its forms by it. An incident keeps the
 *   policy frozen into it when it opened, on the API and on the console alike;
 * - its tiers' topology: a replica the file adds groups its symptoms under its primary's outage;
 * - its roles: the roster names a person with a role only the file has, and on-call answers for it;
 * - its tiers as names: a maintenance window and the incident list take a tier the file adds, and refuse one it does
 *   not have naming those it has (the CLI passes them through to the API).
 */
const SHIPPED = fs.readFileSync(path.resolve(__dirname, '../../config/runbook.yaml'), 'utf8');

/**
 * The shipped runbook with a third OLTP replica, a tier (search) and a role (replication-engineer) of the team's own,
 * and some of its policy's rules replaced (by action: every row of it).
 */
function runbookText(rules: PolicyRule[]): string {
  const data = parse(SHIPPED) as { actionPolicy: PolicyRule[]; tiers: Record<string, RunbookTier>; roles: string[] };
  data.roles.push('replication-engineer');
  const replaced = new Set(rules.map((r) => r.action));
  data.actionPolicy = [...data.actionPolicy.filter((r) => !replaced.has(r.action)), ...rules];
  data.tiers.oltp.databases.push({ name: 'oltp-replica-3', role: 'replica' });
  data.tiers.search = {
    name: 'Search',
    pool: { min: 1, max: 10 },
    databases: [{ name: 'search-primary', role: 'primary', database: 'search', connectionEnv: 'DBOPS_TIER_SEARCH_URL' }],
    dependsOn: ['oltp'],
  };
  return stringify(data);
}

const TEAM_POLICY: PolicyRule[] = [
  {
    id: 'maintenance.pager',
    action: 'maintenance',
    anyOf: [{ kind: 'role', name: 'pager holders', roles: ['on-call-engineer'] }],
    reasonRequired: true,
  },
  {
    id: 'drill.seniors',
    action: 'drill',
    anyOf: [{ kind: 'role', name: 'senior engineers', roles: ['senior-engineer', 'replication-engineer'] }],
  },
  {
    id: 'sign-checklist-item.cto',
    action: 'sign-checklist-item',
    anyOf: [{ kind: 'role', name: 'chief technology officer', roles: ['cto'] }],
  },
  { id: 'resolve.manager', action: 'resolve', anyOf: [{ kind: 'role', name: 'incident managers', roles: ['engineering-manager'] }] },
];

describe('the runbook in force: its file’s policy, topology, roles, tiers and types decide, on the API and the console', () => {
  const taskQueue = 'ts-runbook-policy';
  const suite = timeSkippingSuite(taskQueue);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-runbook-policy-'));
  const file = path.join(dir, 'runbook.yaml');
  let runbook: () => Runbook;
  let api: TestApi;
  const tokens: Record<string, string> = {};
  const cookies: Record<string, string> = {};

  /** A console session of a person, signed in with their personal token (the sign-in form's cookie and field). */
  const signIn = async (person: string) => {
    const form = await fetch(`${api.url}/console/sign-in`);
    const formCookie = form.headers
      .getSetCookie()
      .find((c) => c.startsWith('dbops_sign_in='))!
      .split(';')[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1];
    const res = await fetch(`${api.url}/console/sign-in/token`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: formCookie, origin: api.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, token: tokens[person], return: '/console/oncall' }).toString(),
    });
    expect(res.status).toBe(303);
    return res.headers
      .getSetCookie()
      .find((c) => c.startsWith('dbops_console='))!
      .split(';')[0];
  };
  const page = async (person: string, pathname: string) => {
    const res = await fetch(`${api.url}${pathname}`, { headers: { cookie: cookies[person] } });
    expect(res.status).toBe(200);
    return res.text();
  };
  const request = (person: string, method: string, route: string, body?: unknown) =>
    fetch(`${api.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[person]}` },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    fs.writeFileSync(file, runbookText(TEAM_POLICY));
    runbook = runbookInForce(file);
    // Rita holds the file's own role: the roster is checked against the runbook in force's roles.
    const rosterFile = path.join(dir, 'roster.json');
    const rita = { id: 'rita', name: 'Rita Gomez', roles: ['replication-engineer'], channels: { email: 'rita@penguinmails.com' } };
    fs.writeFileSync(rosterFile, JSON.stringify({ people: [...roster.people, rita] }));
    api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue, { runbook, rosterFile });
    for (const person of ['dana', 'oscar', 'bea', 'erin', 'chris', 'rita']) {
      tokens[person] = await api.tokenOf(person);
      cookies[person] = await signIn(person);
    }
  });
  afterAll(() => {
    api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('maintenance windows: the file’s rule refuses the database lead (naming it) and lets the on-call engineer; the console agrees', async () => {
    const window = { reason: 'vacuum full on content', tiers: ['content'], to: new Date(Date.now() + 3_600_000).toISOString() };
    const refused = await request('dana', 'POST', '/maintenance', window);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatch(
      /^'dana' may not make a maintenance window: it takes the pager holders \(on-call-engineer\) \(policy rule 'maintenance\.pager'/,
    );
    expect((await suite.harness.db.pool.query('SELECT count(*)::int AS n FROM maintenance_windows')).rows[0].n).toBe(0);

    const danaPage = await page('dana', '/console/maintenance');
    expect(danaPage).not.toContain('Make window');
    expect(danaPage).toContain('<code>maintenance.pager</code>');
    expect(await page('oscar', '/console/maintenance')).toContain('Make window');

    const made = await request('oscar', 'POST', '/maintenance', window);
    expect(made.status).toBe(201);
  });

  it('vocabularies: a tier the file adds is one a window may hold and the console offers; an unknown one is refused naming the file’s', async () => {
    // Oscar may make windows under the file's policy (the case above).
    const window = (tiers: string[]) => ({ reason: 'reindex search', tiers, to: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await request('oscar', 'POST', '/maintenance', window(['search']))).status).toBe(201);
    const unknown = await request('oscar', 'POST', '/maintenance', window(['nosuch']));
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toBe(
      "tiers: 'nosuch' is not a tier of the runbook in force; one of oltp, content, queue, olap, search",
    );
    const listed = await request('oscar', 'GET', '/incidents?tier=nosuch');
    expect(listed.status).toBe(400);
    expect((await listed.json()).error).toMatch(/^tier: 'nosuch' is not a tier of the runbook in force; one of .*, search$/);
    // The CLI takes any tier name and lets the API, whose runbook is in force, answer.
    const cli = await dbops(['incident', 'list', '--tier', 'nosuch'], { DBOPS_API_URL: api.url, DBOPS_TOKEN: tokens.oscar });
    expect(cli.code).toBe(4);
    expect(cli.stderr).toMatch(/tier: 'nosuch' is not a tier of the runbook in force; one of .*, search/);
    // The console offers the file's tiers.
    expect(await page('oscar', '/')).toContain('<option value="search" >search</option>');
    expect(await page('oscar', '/console/maintenance')).toContain('<option>search</option>');
  });

  it('drills: the file’s rule refuses the database lead (naming it) and lets a senior engineer, and a holder of the file’s own role, past the policy', async () => {
    const refused = await request('dana', 'POST', '/drills', { type: 'database-outage', tier: 'oltp' });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatch(
      /^'dana' may not run a drill: it takes the senior engineers \(senior-engineer, replication-engineer\) \(policy rule 'drill\.seniors'/,
    );
    // Bea, and Rita (the file's own role), pass the policy: the request is judged on its body next (a type that is no
    // runbook: nothing starts).
    for (const person of ['bea', 'rita']) {
      const judged = await request(person, 'POST', '/drills', { type: 'unclassified', tier: 'oltp' });
      expect(judged.status).toBe(400);
      expect((await judged.json()).error).toMatch(/^type: 'unclassified' is not a runbook to drill/);
    }
  });

  it('roles: a role the file adds is one the roster gives, on-call answers for and an override may take; an unknown one is refused naming the file’s', async () => {
    const onCall = await request('rita', 'GET', '/oncall?role=replication-engineer');
    expect(onCall.status).toBe(200);
    const body = (await onCall.json()) as { roles: { role: string; now: { holders: { id: string }[] } }[] };
    expect(body.roles[0]).toMatchObject({ role: 'replication-engineer', now: { holders: [{ id: 'rita' }] } });
    const unknown = await request('rita', 'GET', '/oncall?role=nosuch');
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toMatch(/^role: 'nosuch' is not a role of the runbook in force; one of .*, replication-engineer$/);
    // An override may take the file's role; one naming a role the file does not have is refused.
    const override = (role: string) =>
      request('dana', 'POST', '/oncall/overrides', {
        role,
        person: 'rita',
        from: new Date(Date.now() + 3_600_000).toISOString(),
        to: new Date(Date.now() + 7_200_000).toISOString(),
        reason: 'cover',
      });
    const taken = await override('replication-engineer');
    expect(taken.status, await taken.clone().text()).toBe(201);
    const refused = await override('nosuch');
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatch(/^role: 'nosuch' is not a role of the runbook in force; one of .*, replication-engineer$/);
    expect(await page('rita', '/console/oncall')).toContain('<option>replication-engineer</option>');
  });

  it('checklist sign-offs follow the policy the run started with: the database lead is refused (naming the rule), the CTO signs; the console agrees', async () => {
    const morning = { ...CHECKLISTS.morning, items: CHECKLISTS.morning.items.filter((i) => i.kind === 'manual') };
    const run = await startChecklist(
      suite.env.client,
      taskQueue,
      'morning',
      roster,
      `checklist/morning/runbook-policy-${Date.now()}`,
      { ...CHECKLISTS, morning },
      runbook(),
    );
    const item = morning.items[0].id;
    await eventually(
      'the item awaiting sign-off',
      () => run.query(checklistStateQuery),
      (s) => s.items[0].status === 'awaiting-sign-off',
    );
    const runPage = `/console/checklists/run?id=${encodeURIComponent(run.workflowId)}`;
    const danaPage = await page('dana', runPage);
    expect(danaPage).not.toContain('Sign off “');
    expect(danaPage).toContain('Waiting for sign-off by sign-checklist-item.cto: it takes the chief technology officer (cto)');
    expect(await page('chris', runPage)).toContain('Sign off “');

    const refused = await request('dana', 'POST', `/checklists/${encodeURIComponent(run.workflowId)}/items/${item}/sign`, {
      outcome: 'pass',
    });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatch(
      /^'dana' may not sign off item 'dashboard-review': .*\(policy rule 'sign-checklist-item\.cto'/,
    );
    const signed = await request('chris', 'POST', `/checklists/${encodeURIComponent(run.workflowId)}/items/${item}/sign`, {
      outcome: 'pass',
    });
    expect(signed.status).toBe(200);
  });

  it('an incident keeps the policy it opened with: after the file changes, the console still shows Resolve only to whom that policy lets, and the API still refuses by it', async () => {
    const opened = await request('dana', 'POST', '/incidents', { type: 'database-outage', tier: 'oltp', title: 'primary down' });
    expect(opened.status).toBe(202);
    const { incidentId } = (await opened.json()) as { incidentId: string };
    await eventually(
      'the incident in the audit store (the console finds it there)',
      async () => (await suite.harness.db.pool.query('SELECT 1 FROM incidents WHERE incident_id = $1', [incidentId])).rowCount,
      (n) => n === 1,
    );
    const incidentPage = `/console/incidents/${incidentId}`;
    const resolveForm = `action="/console/incidents/${incidentId}/resolve"`;
    // Oscar is on its ladder (he may acknowledge), but the file's rule lets only the engineering manager resolve.
    expect(await page('oscar', incidentPage)).not.toContain(resolveForm);
    expect(await page('erin', incidentPage)).toContain(resolveForm);

    // The file goes back to the shipped policy: new incidents take it, this one keeps its own.
    const version = runbook().version;
    fs.writeFileSync(file, runbookText([]));
    const later = new Date(Date.now() + 2000);
    fs.utimesSync(file, later, later);
    expect(runbook().version).not.toBe(version);
    expect(await page('oscar', incidentPage)).not.toContain(resolveForm);
    const refused = await request('oscar', 'POST', `/incidents/${incidentId}/resolve`, { summary: 'restarted' });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatch(/policy rule 'resolve\.manager'/);
    const resolved = await request('erin', 'POST', `/incidents/${incidentId}/resolve`, { summary: 'restarted' });
    expect(resolved.status).toBe(200);
  });

  it('grouping: the lag of a replica the file adds joins its primary’s open outage instead of paging', async () => {
    const alert = async (body: Record<string, unknown>) => {
      const res = await fetch(`${api.url}/alerts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.integrationKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(202);
      return (await res.json()) as { workflowId: string; groupedInto?: { incidentId: string; cause: string; why: string } };
    };
    const outage = await alert({
      type: 'database-outage',
      tier: 'oltp',
      severity: 'critical',
      fingerprint: 'oltp-primary-down',
      labels: { instance: 'oltp-primary:5432' },
    });
    const { incidentId } = await suite.env.client.workflow.getHandle(outage.workflowId).query(incidentStateQuery);
    const lag = await alert({
      type: 'data-integrity',
      tier: 'oltp',
      severity: 'high',
      fingerprint: 'replica-3-lag',
      title: 'oltp-replica-3 lags',
      labels: { alertname: 'PostgresReplicationLag', instance: 'oltp-replica-3:9187' },
    });
    expect(lag.groupedInto).toEqual({
      workflowId: outage.workflowId,
      incidentId,
      cause: 'topology',
      why: 'oltp-replica-3 is a replica of oltp-primary, whose outage is open',
    });
  });
});
