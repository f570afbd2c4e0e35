import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMail } from '../../activities/notify/emailChannel';
import { incidentCards } from '../../client/console/incidentListView';
import { openIncidents } from '../../client/console/openIncidents';
import { openIncident } from '../../client/incidents/openIncident';
import { summariseIncidents } from '../../client/incidents/incidentSummaries';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { slaReport } from '../../db/reports/slaReport';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { acknowledgeUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { runbookInForce } from '../../lib/runbookFile';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { eventually } from '../support/eventually';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';
import { startStatusServer } from '../support/statusServer';

type Handle = WorkflowHandle<typeof incidentResponse>;

/**
 * Drills (issue 26 item 5; docs/drills.md) on a real time-skipping Temporal server, PostgreSQL and the real dbops API:
 * only a drill runner may start one; it pages the real ladder marked "[DRILL]", records DRILL in its audit, walks its
 * steps but does not run the failover hook, records who acknowledged and how long it took, and stays out of the SLA
 * report while `report` shows the runbook's last drill.
 */
const RUNBOOK_FILE = path.resolve(__dirname, '../../config/runbook.yaml');

describe('drills (time-skipping, through the API)', () => {
  const taskQueue = 'ts-drills';
  let status: Awaited<ReturnType<typeof startStatusServer>>;
  beforeAll(async () => {
    status = await startStatusServer();
  });
  afterAll(() => status?.close());
  const suite = timeSkippingSuite(taskQueue, () => ({ adminStatusUrl: status.url }));
  let api: TestApi;
  const tokens: Record<string, string> = {};
  // The failover hook leaves this file behind if it ever runs.
  const hookRan = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-drill-')), 'failover-ran');
  const reviewedFile = path.join(path.dirname(hookRan), 'runbook.yaml');
  beforeAll(async () => {
    // The shipped runbook file in force (its runbooks added as files only are drilled like the others), with two
    // reviews recorded: the outage runbook's 3 days ago, the security breach's 40 days ago (its cycle is monthly).
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    fs.writeFileSync(
      reviewedFile,
      fs
        .readFileSync(RUNBOOK_FILE, 'utf8')
        .replace('    name: Database Outage\n', `    name: Database Outage\n    review: { lastReviewed: ${daysAgo(3)}, by: dana }\n`)
        .replace('    name: Security Breach\n', `    name: Security Breach\n    review: { lastReviewed: ${daysAgo(40)}, by: sam }\n`)
        .replace('$schema: ../runbooks/', `$schema: ${path.resolve(__dirname, '../../runbooks')}/`),
    );
    api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue, { runbook: runbookInForce(reviewedFile) });
    for (const person of ['dana', 'oscar', 'pat']) tokens[person] = await api.tokenOf(person);
    suite.harness.failover.command = `touch ${hookRan}`;
  });
  afterAll(() => {
    api?.close();
    fs.rmSync(path.dirname(hookRan), { recursive: true, force: true });
  });

  const request = (person: string, method: string, route: string, body?: unknown) =>
    fetch(`${api.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[person]}` },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const incidentCount = async () => (await suite.harness.db.pool.query('SELECT count(*)::int AS n FROM incidents')).rows[0].n as number;
  const sentFor = (incidentId: string) => suite.harness.channel.sent.filter((n) => n.subjectId === incidentId);

  // First in the file: the API stamps the drill with the machine's clock, which the test server's matches until it skips.
  it('a bystander, or the on-call engineer, with a valid token cannot start a drill; nothing starts', async () => {
    for (const person of ['pat', 'oscar']) {
      const res = await request(person, 'POST', '/drills', { type: 'database-outage', tier: 'oltp' });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toMatch(
        new RegExp(`'${person}' may not run a drill: it takes the drill runners .*policy rule 'drill'`),
      );
    }
    const bad = await request('dana', 'POST', '/drills', { type: 'unclassified', tier: 'oltp' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/^type: 'unclassified' is not a runbook to drill; one of database-outage, /);
    // The CLI says the same: refused (exit 4) naming the rule; a type that is not a runbook of the API's is refused
    // by the API with what it accepts (the CLI checks the shape only: the runbook in force is the API's).
    const asPat = { DBOPS_API_URL: api.url, DBOPS_TOKEN: tokens.pat };
    const refused = await dbops(['drill', 'database-outage', '--tier', 'oltp'], asPat);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/'pat' may not run a drill: .*policy rule 'drill'/);
    const notARunbook = await dbops(['drill', 'unclassified'], { DBOPS_API_URL: api.url, DBOPS_TOKEN: tokens.dana });
    expect(notARunbook.code).toBe(4);
    expect(notARunbook.stderr).toMatch(
      /type: 'unclassified' is not a runbook to drill; one of database-outage, connection-pool-exhaustion/,
    );
    const usage = await dbops(['drill', 'Not A Type'], asPat);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/type: a kebab-case name/);
    expect(await incidentCount()).toBe(0);
    expect(suite.harness.channel.sent).toEqual([]);
  });

  let drillId = '';
  it('a drill pages the real ladder marked [DRILL], is DRILL in its audit, skips the failover hook, and records the time to acknowledge', async () => {
    const res = await request('dana', 'POST', '/drills', { type: 'database-outage', tier: 'oltp' });
    expect(res.status).toBe(202);
    const opened = (await res.json()) as { incidentId: string; workflowId: string; drill: boolean };
    drillId = opened.incidentId;
    expect(opened).toMatchObject({ incidentId: expect.stringMatching(/^INC-/), drill: true });
    const h = suite.env.client.workflow.getHandle(opened.workflowId) as Handle;

    // Critical: the whole ladder at once, each page marked.
    const pages = await eventually(
      'the drill’s pages',
      () => sentFor(drillId).filter((n) => n.kind === 'page'),
      (p) => p.length >= 3,
    );
    for (const page of pages) {
      expect(page.message).toMatch(/^\[DRILL\] \[CRITICAL\] Database Outage on oltp: Drill: Database Outage on oltp/);
      expect(page.drill).toBe(true);
    }
    const mail = renderMail(pages[0], pages[0].recipients[0]);
    expect(mail.subject).toMatch(/^\[DRILL\] /);
    expect(mail.text).toMatch(/^DRILL: a drill of the runbook/m);

    // The CLI's list (the API's summaries; the time-skipping server has no visibility list, so summarised here) and the
    // console's cards say DRILL.
    const [summary] = await summariseIncidents(suite.env.client, suite.harness.db.pool, roster, [
      {
        workflowId: opened.workflowId,
        type: 'database-outage',
        severity: 'critical',
        tier: 'oltp',
        phase: 'triggered',
        status: 'RUNNING',
        startTime: new Date(),
      },
    ]);
    expect(summary).toMatchObject({ incidentId: drillId, drill: true });
    const open = await eventually(
      'the drill in the console’s list',
      () => openIncidents(suite.harness.db.pool, {}),
      (o) => o.rows.length > 0,
    );
    const cards = String(await incidentCards({ ...open, roster, timeZone: 'UTC', now: Date.now() }));
    expect(cards).toMatch(new RegExp(`DRILL</span> <a href="/console/incidents/${drillId}">`));

    await suite.env.sleep('3 minutes');
    expect((await request('oscar', 'POST', `/incidents/${drillId}/ack`, { note: 'drill: on it' })).status).toBe(200);

    const state = await eventually(
      'the runbook walked to its end',
      () => h.query(incidentStateQuery),
      (s) => s.timeline.some((t) => t.kind === 'runbook-finished'),
    );
    expect(state.drill).toBe(true);
    // The checks ran as in an incident; the approval-gated failover stopped before acting, and asked nobody.
    expect(state.steps.map((s) => [s.id, s.status])).toEqual([
      ['check-service-status', 'succeeded'],
      ['check-monitoring-alerts', 'succeeded'],
      ['check-connectivity', 'succeeded'],
      ['check-connection-pools', 'succeeded'],
      ['execute-failover', 'skipped'],
    ]);
    expect(state.steps.at(-1)!.summary).toBe('not run: drill');
    expect(sentFor(drillId).filter((n) => n.kind === 'approval-request')).toEqual([]);
    expect(fs.existsSync(hookRan)).toBe(false);

    const events = await readIncidentEvents(suite.harness.db.pool, drillId);
    expect(events.find((e) => e.kind === 'opened')?.data).toMatchObject({ drill: true });
    expect(events.find((e) => e.kind === 'step-not-run')?.data).toMatchObject({ stepId: 'execute-failover', reason: 'drill' });

    const { rows } = await suite.harness.db.pool.query('SELECT acknowledged_by, ack_seconds, type FROM drills WHERE incident_id = $1', [
      drillId,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ acknowledged_by: 'oscar', type: 'database-outage' });
    // Three minutes of the test server's clock, and the moments its clock ran between the skip and the ack.
    expect(rows[0].ack_seconds).toBeGreaterThanOrEqual(180);
    expect(rows[0].ack_seconds).toBeLessThan(200);

    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'drill done' }] });
    await h.result();
    await maybeRecordHistory(h, 'incident-drill');
  });

  it('a drill is kept out of the SLA report, which counts a real incident of the same type; report lists runbooks overdue for a drill or a review', async () => {
    const { handle } = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      { type: 'database-outage', tier: 'oltp', fingerprint: 'real-one' },
    );
    const h = handle as Handle;
    await eventually(
      'the real incident paged',
      () => h.query(incidentStateQuery),
      (s) => s.escalation.pages > 0,
    );
    await h.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'real fix' }] });
    await h.result();

    const rows = await slaReport(suite.harness.db.pool, 30);
    expect(rows.filter((r) => r.type === 'database-outage')).toEqual([expect.objectContaining({ severity: 'critical', incidents: 1 })]);
    const viaApi = await (await request('pat', 'GET', '/reports/sla?days=30')).json();
    expect(viaApi.rows.filter((r: { type: string }) => r.type === 'database-outage')).toEqual([expect.objectContaining({ incidents: 1 })]);

    const drills = await (await request('pat', 'GET', '/reports/drills?days=30')).json();
    expect(drills.overdueAfterDays).toBe(90);
    const byType = Object.fromEntries(drills.runbooks.map((r: { type: string }) => [r.type, r]));
    expect(byType['database-outage']).toMatchObject({
      lastDrillIncidentId: drillId,
      overdue: false,
      drillsInPeriod: 1,
      name: 'Database Outage',
    });
    expect(byType['security-breach']).toMatchObject({ lastDrillAt: null, overdue: true });
    expect(drills.acknowledgements).toEqual([expect.objectContaining({ person: 'oscar', name: 'Oscar Kim', drills: 1 })]);
    // Reviews: the runbook's last review and whether the next is overdue (its cycle is the file's, 30 days).
    expect(drills.reviewCycleDays).toBe(30);
    expect(byType['database-outage'].review).toMatchObject({ by: 'dana', byName: 'Dana Ortiz', cycleDays: 30, overdue: false });
    expect(byType['security-breach'].review).toMatchObject({ by: 'sam', overdue: true });
    expect(byType['data-integrity'].review).toEqual({
      lastReviewed: null,
      by: null,
      byName: null,
      cycleDays: 30,
      dueOn: null,
      overdue: true,
    });
    const report = await dbops(['report', '--days', '30'], { DBOPS_API_URL: api.url, DBOPS_TOKEN: tokens.pat });
    expect(report.code).toBe(0);
    const line = (name: string) => report.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(line('Database Outage')).toMatch(/ by Dana Ortiz +ok, due \d{4}-\d\d-\d\d$/);
    expect(line('Security Breach')).toMatch(/ by Sam .*OVERDUE$/);
    expect(line('Data Integrity')).toMatch(/never reviewed +OVERDUE$/);
  });

  it('a runbook added as a file only (replication-lag) is drilled like a shipped one, and listed for its next drill', async () => {
    const res = await request('dana', 'POST', '/drills', { type: 'replication-lag', tier: 'oltp' });
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const state = await suite.env.client.workflow.getHandle(workflowId).query(incidentStateQuery);
    expect(state).toMatchObject({ type: 'replication-lag', drill: true });
    expect(state.title).toBe('Drill: Replication Lag on oltp');
    const report = (await (await request('dana', 'GET', '/reports/drills')).json()) as { runbooks: { type: string }[] };
    expect(report.runbooks.map((r) => r.type)).toEqual(expect.arrayContaining(['replication-lag', 'disk-filling', 'backup-failed']));
    await suite.env.client.workflow.getHandle(workflowId).terminate('test over');
  });
});
