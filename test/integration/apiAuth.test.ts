import fs from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, revokeCredential, listCredentials } from '../../db/credentials/credentials';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { incidentStateQuery, incidentWorkflowId, type IncidentState, type OpenIncidentInput } from '../../workflows/incident/messages';
import { scratchRosterFile, signedAlertHeaders, startTestApi, writeRoster, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { eventually } from '../support/eventually';
import { calendar, devServerSuite, roster } from '../support/harness';
import { rosterInForce } from '../../lib/rosterInForce';
import { buildIncidentPlan } from '../../runbooks/plan';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { incidentStartAttributes } from '../../workflows/shared/searchAttributes';

/**
 * Who may act, through the real API on the dev server with a real worker: alert sources need their integration's
 * key, people their personal token, and the roster in force when they act decides what they may do.
 */
describe('the dbops API authenticates every caller', () => {
  const taskQueue = `api-auth-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue);
  });
  afterAll(() => api?.close());

  const fingerprint = (what: string) => `${what}-${Math.random().toString(36).slice(2, 10)}`;
  const alert = (fp: string, type = 'connection-pool-exhaustion') => JSON.stringify({ type, tier: 'queue', fingerprint: fp });
  const postAlert = (body: string, headers: Record<string, string>) =>
    fetch(`${api.url}/alerts`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const started = async (fp: string, type = 'connection-pool-exhaustion') => {
    try {
      await suite.client.workflow.getHandle(incidentWorkflowId(type as never, 'queue', fp)).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  const signed = (body: string, timestamp: number, key = api.integrationKey) => signedAlertHeaders(key, body, timestamp);
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('refuses an alert with no key, a wrong key, an expired or a replayed signature (401), starting nothing', async () => {
    const cases: [string, (body: string) => Record<string, string>][] = [
      ['no key', () => ({})],
      ['a wrong key', () => ({ authorization: `Bearer dbops_key_${'x'.repeat(43)}` })],
      ['a person token', () => ({ authorization: `Bearer ${api.integrationKey.replace('dbops_key_', 'dbops_pat_')}` })],
      ['an expired signature', (body) => signed(body, nowSeconds() - 301)],
      ['a signature from the future', (body) => signed(body, nowSeconds() + 301)],
      ['a signature with another key', (body) => signed(body, nowSeconds(), `dbops_key_${'y'.repeat(43)}`)],
    ];
    for (const [what, headers] of cases) {
      const fp = fingerprint('refused');
      const body = alert(fp);
      const res = await postAlert(body, headers(body));
      expect(res.status, what).toBe(401);
      expect(res.headers.get('www-authenticate'), what).toMatch(/Bearer/);
      expect(await started(fp), what).toBe(false);
    }

    // A signature is good once: the same request sent again within its window is a replay.
    const fp = fingerprint('signed');
    const body = alert(fp);
    const headers = signed(body, nowSeconds());
    expect((await postAlert(body, headers)).status).toBe(202);
    const replay = await postAlert(body, headers);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toMatch(/already used \(a replay\)/);
    // A signature over another body does not match it.
    const other = alert(fingerprint('tampered'));
    expect((await postAlert(other, { ...signed(body, nowSeconds()) })).status).toBe(401);
  });

  it('accepts the right key (202), records the integration as who sent it, and refuses it once revoked', async () => {
    const fp = fingerprint('keyed');
    const res = await postAlert(JSON.stringify({ type: 'connection-pool-exhaustion', tier: 'queue', fingerprint: fp }), {
      authorization: `Bearer ${api.integrationKey}`,
    });
    expect(res.status).toBe(202);
    const handle = suite.client.workflow.getHandle(incidentWorkflowId('connection-pool-exhaustion', 'queue', fp));
    const state: IncidentState = await handle.query(incidentStateQuery);
    let events = await readIncidentEvents(suite.harness.db.pool, state.incidentId);
    for (let i = 0; i < 50 && !events.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      events = await readIncidentEvents(suite.harness.db.pool, state.incidentId);
    }
    expect(events[0]).toMatchObject({ kind: 'opened', actor: 'integration:monitoring' });

    const [key] = (await listCredentials(suite.harness.db.pool, 'integration')).filter((c) => c.subject === 'monitoring');
    expect(await revokeCredential(suite.harness.db.pool, key.id)).toBe(true);
    const fp2 = fingerprint('revoked');
    expect((await postAlert(alert(fp2), { authorization: `Bearer ${api.integrationKey}` })).status).toBe(401);
    expect(await started(fp2)).toBe(false);
    await handle.terminate('test over');
  });
});

describe('people act through the API as their token says, with the roster in force', () => {
  const taskQueue = `api-people-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue);
  });
  afterAll(() => api?.close());

  const call = (token: string | undefined, method: string, path: string, body?: unknown) =>
    fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;
  const open = async (token: string, type: string, fp: string) => {
    const res = await call(token, 'POST', '/incidents', { type, tier: 'content', fingerprint: fp });
    expect(res.status).toBe(202);
    return ((await res.json()) as { workflowId: string }).workflowId;
  };
  const updatesIn = async (workflowId: string) =>
    ((await suite.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter((e) =>
      Object.keys(e).some((k) => /^workflowExecutionUpdate/.test(k) && (e as Record<string, unknown>)[k]),
    ).length;

  it('a person without an approving role cannot approve a failover (403, no Update in history); one with it passes that check', async () => {
    const [oscar, dana] = [await api.tokenOf('oscar'), await api.tokenOf('dana')];
    const workflowId = await open(dana, 'database-outage', `failover-${Date.now()}`);
    const ref = encodeURIComponent(workflowId);
    const refused = await call(oscar, 'POST', `/incidents/${ref}/steps/execute-failover/approve`, {});
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toMatch(
      /'oscar' may not approve this step: it takes one of the step's approver roles \(database-lead, engineering-manager, cto\) \(policy rule 'approve-step'/,
    );
    // A body cannot choose whom the caller acts as.
    const disguised = await call(oscar, 'POST', `/incidents/${ref}/steps/execute-failover/approve`, { actor: 'dana', roles: ['cto'] });
    expect(disguised.status).toBe(403);
    expect(await updatesIn(workflowId)).toBe(0);
    // dana holds database-lead: the entitlement check passes, and the step's phase is what stops her (not waiting yet).
    const entitled = await call(dana, 'POST', `/incidents/${ref}/steps/execute-failover/approve`, {});
    expect(entitled.status).toBe(409);
    expect(await errorOf(entitled)).toMatch(/step 'execute-failover' is .*, not awaiting-approval/);
    const state = await call(dana, 'GET', `/incidents/${ref}`);
    expect(state.status).toBe(200);
    expect(((await state.json()) as IncidentState).workflowId).toBe(workflowId);
    await suite.client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('refuses a missing, unknown or revoked token (401) and changes nothing', async () => {
    const token = await api.tokenOf('dana');
    const workflowId = await open(token, 'data-integrity', `tokens-${Date.now()}`);
    const ref = encodeURIComponent(workflowId);
    expect((await call(undefined, 'POST', `/incidents/${ref}/ack`, {})).status).toBe(401);
    expect((await call(`dbops_pat_${'z'.repeat(43)}`, 'POST', `/incidents/${ref}/ack`, {})).status).toBe(401);
    const [credential] = (await listCredentials(suite.harness.db.pool, 'person')).filter((c) => c.subject === 'dana').slice(-1);
    await revokeCredential(suite.harness.db.pool, credential.id);
    const revoked = await call(token, 'POST', `/incidents/${ref}/ack`, {});
    expect(revoked.status).toBe(401);
    expect(await errorOf(revoked)).toMatch(/unknown or revoked/);
    expect(await updatesIn(workflowId)).toBe(0);
    await suite.client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('an admin creates, lists and revokes tokens with the CLI against the store; the API honours the revocation', async () => {
    const env = { DATABASE_URL: suite.harness.db.url, LOG_LEVEL: 'silent', DBOPS_ROSTER: api.rosterFile };
    const unknown = await dbops(['token', 'create', '--person', 'mallory'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/'mallory' is not on the roster/);
    const created = await dbops(['token', 'create', '--person', 'erin', '--label', 'laptop'], env);
    expect(created.stderr).toMatch(/for erin: shown once/);
    const token = created.stdout.trim();
    expect(token).toMatch(/^dbops_pat_[A-Za-z0-9_-]{43}$/);
    // Only its hash is stored.
    const { rows } = await suite.harness.db.pool.query('SELECT id, secret_hash FROM api_credentials WHERE label = $1', ['laptop']);
    expect(rows).toEqual([{ id: expect.any(String), secret_hash: hashSecret(token) }]);
    expect((await dbops(['token', 'list'], env)).stdout).toMatch(/erin.*laptop/);

    const workflowId = await open(token, 'data-integrity', `cli-token-${Date.now()}`);
    const ref = encodeURIComponent(workflowId);
    expect((await call(token, 'POST', `/incidents/${ref}/notes`, { text: 'mine' })).status).toBe(200);
    expect((await dbops(['token', 'revoke', rows[0].id], env)).stdout).toMatch(/revoked/);
    expect((await call(token, 'POST', `/incidents/${ref}/notes`, { text: 'again' })).status).toBe(401);
    await suite.client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('a person removed from the roster file is refused on an open incident; one added since is accepted, and the audit names the roster', async () => {
    const [oscar, dana] = [await api.tokenOf('oscar'), await api.tokenOf('dana')];
    const workflowId = await open(dana, 'data-integrity', `roster-${Date.now()}`);
    const ref = encodeURIComponent(workflowId);
    expect((await call(oscar, 'POST', `/incidents/${ref}/notes`, { text: 'looking' })).status).toBe(200);

    // The roster file changes while the incident is open (no restart): oscar leaves, nina joins on call.
    const people = roster.people.filter((p) => p.id !== 'oscar');
    people.push({ id: 'nina', name: 'Nina Berg', roles: ['on-call-engineer'], channels: { email: 'nina@penguinmails.com' } });
    writeRoster(api.rosterFile, { people });
    const nina = await api.tokenOf('nina');

    const leaver = await call(oscar, 'POST', `/incidents/${ref}/ack`, {});
    expect(leaver.status).toBe(403);
    expect(await errorOf(leaver)).toMatch(/'oscar' is not on the roster in force/);
    const newcomer = await call(nina, 'POST', `/incidents/${ref}/ack`, { note: 'on it' });
    expect(newcomer.status).toBe(200);
    expect(((await newcomer.json()) as IncidentState).acknowledgedBy).toBe('nina');

    const state = (await (await call(nina, 'GET', `/incidents/${ref}`)).json()) as IncidentState;
    // The acknowledgement answers once made; its audit event lands behind the incident's earlier ones.
    const events = await eventually(
      'the acknowledged event',
      () => readIncidentEvents(suite.harness.db.pool, state.incidentId),
      (e) => e.some((x) => x.kind === 'acknowledged'),
      10_000,
    );
    const [note] = events.filter((e) => e.kind === 'note');
    const [ack] = events.filter((e) => e.kind === 'acknowledged');
    expect(ack).toMatchObject({ actor: 'nina', data: { rosterVersion: expect.stringMatching(/^[0-9a-f]{16}$/) } });
    const versionOf = (e: { data: unknown }) => (e.data as { rosterVersion?: string }).rosterVersion;
    expect(versionOf(note)).toMatch(/^[0-9a-f]{16}$/);
    expect(versionOf(ack)).not.toBe(versionOf(note));
    await suite.client.workflow.getHandle(workflowId).terminate('test over');
  });
});

describe('a flood from one key is held at its rate limit', () => {
  const taskQueue = `api-flood-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { rateLimitPerMinute: 5 });
  });
  afterAll(() => api?.close());

  it('answers 429 with Retry-After past the limit, and no more than the limit reaches Temporal', async () => {
    const run = `flood-${Date.now()}`;
    const statuses: number[] = [];
    const retryAfter: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${api.url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` },
        body: JSON.stringify({ type: 'performance-degradation', tier: 'olap', fingerprint: `${run}-${i}` }),
      });
      statuses.push(res.status);
      if (res.status === 429) retryAfter.push(res.headers.get('retry-after') ?? '');
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect(retryAfter.every((r) => Number(r) >= 1)).toBe(true);
    let reached = 0;
    for (let i = 0; i < 12; i++) {
      try {
        const handle = suite.client.workflow.getHandle(incidentWorkflowId('performance-degradation', 'olap', `${run}-${i}`));
        await handle.describe();
        reached++;
        await handle.terminate('test over');
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    expect(reached).toBe(5);
  });

  it("counts each of a person's requests once against their token's limit", async () => {
    const token = await api.tokenOf('dana');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${api.url}/incidents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ type: 'performance-degradation', tier: 'olap', fingerprint: `dana-flood-${i}-${Date.now()}` }),
      });
      statuses.push(res.status);
      if (res.status === 202)
        await suite.client.workflow.getHandle(((await res.json()) as { workflowId: string }).workflowId).terminate('over');
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe("pages go to who holds the rung's roles when they are sent", () => {
  const taskQueue = `api-pages-${Date.now()}`;
  const rosterFile = scratchRosterFile();
  const inForce = rosterInForce(rosterFile);
  const suite = devServerSuite(taskQueue, () => ({ currentRoster: inForce }));
  afterAll(() => fs.rmSync(path.dirname(rosterFile), { recursive: true, force: true }));

  it('a person removed from the roster file since the incident opened is not paged; one added is, and the outbox names the roster', async () => {
    // The plan froze the roster of the incident's opening (oscar on call); the file has changed since (nina on call).
    const plan = buildIncidentPlan('data-integrity', roster, calendar);
    expect(plan.ladder[0].contacts.map((c) => c.id)).toContain('oscar');
    const people = roster.people.filter((p) => p.id !== 'oscar');
    people.push({ id: 'nina', name: 'Nina Berg', roles: ['on-call-engineer'], channels: { email: 'nina@penguinmails.com' } });
    writeRoster(rosterFile, { people });
    const { version } = inForce();

    const fp = `paged-${Date.now()}`;
    const workflowId = incidentWorkflowId('data-integrity', 'content', fp);
    const input: OpenIncidentInput = {
      incidentKey: workflowId,
      type: 'data-integrity',
      severity: 'medium',
      tier: 'content',
      fingerprint: fp,
      title: 'Data integrity on content',
      trigger: { source: 'cli', by: 'test' },
      plan,
    };
    const handle = await suite.client.workflow.start<typeof incidentResponse>('incidentResponse', {
      workflowId,
      taskQueue,
      args: [input],
      typedSearchAttributes: incidentStartAttributes(input),
    });
    const { incidentId } = await handle.query(incidentStateQuery);
    const pageOf = () => suite.harness.channel.sent.find((n) => n.subjectId === incidentId && n.kind === 'page');
    for (let i = 0; i < 100 && !pageOf(); i++) await new Promise((r) => setTimeout(r, 100));
    const page = pageOf()!;
    expect(page.recipients.map((r) => r.id)).toContain('nina');
    expect(page.recipients.map((r) => r.id)).not.toContain('oscar');
    expect(page.rosterVersion).toBe(version);
    const { rows } = await suite.harness.db.pool.query(
      "SELECT recipient, payload FROM notification_outbox WHERE subject_id = $1 AND kind = 'page'",
      [incidentId],
    );
    expect(rows[0].recipient).toMatch(/nina/);
    expect(rows[0].payload.rosterVersion).toBe(version);
    await handle.terminate('test over');
  });
});
