import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openIncident, type IncidentRequest } from '../../client/incidents/openIncident';
import { registerSearchAttributes } from '../../client/temporal/registerSearchAttributes';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { calendar, roster } from '../support/harness';

/**
 * `dbops incident list` through the dbops API on the dev server, in a namespace of its own so that the counts are this
 * test's alone. No worker polls its task queue: the incidents stay running as they were opened, which is what
 * visibility lists (and, with no audit row yet nor a worker to answer, each is listed by its workflow id).
 */
describe('incident list pages through visibility, newest first, and says how many more match', () => {
  const namespace = `list-${Date.now().toString(36)}`;
  const taskQueue = 'nobody-polls';
  let connection: Connection;
  let client: Client;
  let env: Record<string, string>;
  let db: TestDatabase;
  let api: TestApi;
  const opened: string[] = [];

  const open = async (r: Omit<IncidentRequest, 'source'>) =>
    opened.push((await openIncident({ client, taskQueue, roster, calendar }, { ...r, source: 'cli' })).workflowId);

  /** Visibility is eventually consistent: wait until it counts what the query should match. */
  async function untilCounted(query: string, n: number) {
    for (let i = 0; i < 100; i++) {
      if ((await client.workflow.count(query)).count === n) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`visibility never counted ${n} for ${query}`);
  }

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('devServerAddress') });
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    // A new namespace takes a moment to reach the frontend's cache.
    for (let i = 0; ; i++) {
      try {
        await registerSearchAttributes(connection, namespace);
        break;
      } catch (err) {
        if (i >= 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    client = new Client({ connection, namespace });
    // One at a time, so that "newest first" has one right answer.
    for (let i = 0; i < 5; i++) await open({ type: 'performance-degradation', tier: 'olap', severity: 'low', fingerprint: `pd-${i}` });
    await open({ type: 'data-integrity', tier: 'content', severity: 'high', fingerprint: 'di-0' });
    await open({ type: 'data-integrity', tier: 'oltp', severity: 'high', fingerprint: 'di-1' });
    await client.workflow.getHandle(opened[6]).terminate('closed for the test');
    await untilCounted(`DbopsKind = 'incident' AND ExecutionStatus = 'Running'`, 6);
    db = await createTestDatabase('incident_list');
    api = await startTestApi(client, db.pool, taskQueue);
    env = { DBOPS_API_URL: api.url, DBOPS_TOKEN: await api.tokenOf('dana'), LOG_LEVEL: 'silent' };
  }, 60_000);
  afterAll(async () => {
    api?.close();
    await db?.drop();
    for (const id of opened)
      await client?.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
    await connection?.close();
  });

  const ids = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .slice(1) // the header
      .filter(Boolean)
      .map((line) => line.split(/\s+/)[0]);

  it('shows --limit of the open ones, newest first, and pages on with the cursor it prints until none remain', async () => {
    const newestFirst = opened.slice(0, 6).reverse();
    const first = await dbops(['incident', 'list', '--limit', '4'], env);
    expect(first.code).toBe(0);
    expect(ids(first.stdout)).toEqual(newestFirst.slice(0, 4));
    expect(first.stdout.split('\n')[0]).toMatch(
      /^incident\s+title\s+type\s+tier\s+severity\s+phase\s+level\s+age\s+next deadline\s+paged$/,
    );
    expect(first.stdout).toMatch(/performance-degradation\s+olap\s+low\s+triggered\s+\d+s/);
    const notice = /^2 more \(4 of 6 shown, newest first\): add --next (\S+)$/m.exec(first.stderr);
    expect(notice, first.stderr).not.toBeNull();

    const second = await dbops(['incident', 'list', '--limit', '4', '--next', notice![1]], env);
    expect(second.code).toBe(0);
    expect(ids(second.stdout)).toEqual(newestFirst.slice(4));
    expect(second.stderr).toBe('');

    const everything = await dbops(['incident', 'list'], env);
    expect(ids(everything.stdout)).toEqual(newestFirst);
    expect(everything.stderr).toBe('');
  });

  it('keeps its filters: type, tier, severity, phase, and --all for closed ones', async () => {
    const list = async (...args: string[]) => {
      const r = await dbops(['incident', 'list', ...args], env);
      expect(r.code, r.stderr).toBe(0);
      return { ids: ids(r.stdout), stderr: r.stderr };
    };
    expect((await list('--type', 'data-integrity')).ids).toEqual([opened[5]]);
    // Visibility's order: running ones first, then closed ones.
    expect((await list('--type', 'data-integrity', '--all')).ids).toEqual([opened[5], opened[6]]);
    expect((await list('--tier', 'olap', '--limit', '2')).stderr).toMatch(/^3 more \(2 of 5 shown/m);
    expect((await list('--severity', 'high', '--tier', 'content')).ids).toEqual([opened[5]]);
    expect((await list('--phase', 'triggered')).ids).toHaveLength(6);
    const none = await list('--phase', 'acknowledged');
    expect(none.ids).toEqual([]);
    expect(none.stderr).toMatch(/no incidents match/);
  });

  it('lists an incident whose worker does not answer from the audit store: its INC id, title and who was paged, within its budget', async () => {
    // Recorded as its opening would have been (the projection row and one page's outbox row); no worker answers a query.
    const workflowId = opened[5];
    await db.pool.query(
      `INSERT INTO incidents (incident_id, workflow_id, type, severity, tier, fingerprint, title, phase, runbook_version, opened_at)
       VALUES ('INC-LIST-1', $1, 'data-integrity', 'high', 'content', 'di-0', 'Orders without invoices', 'triggered', 'test', now())`,
      [workflowId],
    );
    await db.pool.query(
      `INSERT INTO notification_outbox (notification_id, subject_id, kind, recipient, channel, message, person)
       VALUES ('INC-LIST-1:page:L1P0:oscar@mail:oscar', 'INC-LIST-1', 'page', 'oscar', 'mail', 'page', 'oscar')`,
    );
    const r = await dbops(['incident', 'list', '--type', 'data-integrity', '--output', 'json'], env);
    expect(r.code, r.stderr).toBe(0);
    const [listed] = JSON.parse(r.stdout).incidents;
    expect(listed).toMatchObject({ incidentId: 'INC-LIST-1', workflowId, title: 'Orders without invoices', paged: ['Oscar Kim'] });
    expect(listed.nextDeadline).toBeUndefined();
  });

  it('lists a running incident from its row when the row has its next deadline, asking no workflow (none answers here)', async () => {
    const workflowId = opened[0];
    const escalationAt = new Date(Date.now() + 7 * 60_000);
    await db.pool.query(
      `INSERT INTO incidents (incident_id, workflow_id, type, severity, tier, fingerprint, title, phase, runbook_version, opened_at,
         escalation_level, next_deadline, next_deadline_at)
       VALUES ('INC-LIST-2', $1, 'performance-degradation', 'low', 'olap', 'pd-0', 'Slow dashboards', 'triggered', 'test', now(),
         1, 'next escalation', $2)`,
      [workflowId, escalationAt],
    );
    const r = await dbops(['incident', 'list', '--tier', 'olap', '--output', 'json'], env);
    expect(r.code, r.stderr).toBe(0);
    const listed = JSON.parse(r.stdout).incidents.find((i: { workflowId: string }) => i.workflowId === workflowId);
    expect(listed).toMatchObject({
      incidentId: 'INC-LIST-2',
      title: 'Slow dashboards',
      level: 'level 2',
      nextDeadline: { what: 'next escalation', at: escalationAt.toISOString() },
    });
    const table = await dbops(['incident', 'list', '--tier', 'olap'], env);
    expect(table.stdout).toMatch(/INC-LIST-2\s+Slow dashboards\s+.*level 2\s+\d+[sm]\s+next escalation in [67]m/);
  });

  it('refuses a bad --limit or --next, naming the option, before reaching the API', async () => {
    const nowhere = { DBOPS_API_URL: 'http://127.0.0.1:1', DBOPS_TOKEN: 'unused', LOG_LEVEL: 'silent' };
    for (const limit of ['0', '1001', 'ten']) {
      const r = await dbops(['incident', 'list', '--limit', limit], nowhere);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/option '--limit <n>' argument '\w+' is invalid\. a whole number from 1 to 1000/);
    }
    const r = await dbops(['incident', 'list', '--next', 'not a cursor'], nowhere);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dbops: --next: 'not a cursor' is not a cursor printed by `dbops incident list`/);
  });
});
