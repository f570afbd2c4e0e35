import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pagesRole } from '../../activities/oncall/handoffActivities';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncidentsFor } from '../../db/oncall/handoffs';
import { pageLinksFor } from '../../lib/pageLinks';
import { runbookInForce } from '../../lib/runbookFile';
import type { Runbook } from '../../runbooks/runbook';
import { acknowledgeUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { alertGroup, firingAlert } from '../support/alertPayloads';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { eventually } from '../support/eventually';
import { timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';

type Handle = WorkflowHandle<typeof incidentResponse>;

/**
 * Runbooks added as files only (issue 26): an alert routed by the default runbook file's rules opens its incident, the
 * file's SQL probes run on the embedded PostgreSQL with their evidence in the audit, it pages, and the audit records
 * the file's version. A file edited mid-incident changes only incidents opened after it.
 */
describe('runbook files: a runbook added without code runs from an alert', () => {
  const taskQueue = 'ts-runbook-files';
  const suite = timeSkippingSuite(taskQueue);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-runbook-'));
  const file = path.join(dir, 'runbook.yaml');
  const LINK_SECRET = 'runbook-files-page-link-secret';
  const shipped = fs.readFileSync(path.resolve(__dirname, '../../config/runbook.yaml'), 'utf8');
  let runbook: () => Runbook;
  let api: TestApi;
  beforeAll(async () => {
    fs.writeFileSync(file, shipped);
    runbook = runbookInForce(file);
    // No routing of its own: the API routes by the runbook file's, as it is at each alert.
    api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue, {
      runbook,
      pageLinkSecret: LINK_SECRET,
    });
  });
  afterAll(() => {
    api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const alert = async (alertname: string, instance: string) => {
    const res = await fetch(`${api.url}/alertmanager`, {
      method: 'POST',
      body: JSON.stringify(alertGroup([firingAlert({ alertname, instance, tier: 'oltp' })])),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` },
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { results: { workflowId: string }[] };
    return suite.env.client.workflow.getHandle(body.results[0].workflowId) as Handle;
  };
  const eventsOf = async (handle: Handle) => readIncidentEvents(suite.harness.db.pool, (await handle.query(incidentStateQuery)).incidentId);
  type Event = { kind: string; data: Record<string, unknown> };
  const eventsUntil = (handle: Handle, what: string, done: (events: Event[]) => boolean) =>
    eventually(what, async () => (await eventsOf(handle)) as unknown as Event[], done);

  it('a replication-lag alert opens its incident, runs its probe (evidence in the audit), pages, and records the file version', async () => {
    const version = runbook().version;
    const handle = await alert('PostgresReplicationLag', 'oltp-primary:9187');
    expect(handle.workflowId).toBe('incident/replication-lag/oltp/PostgresReplicationLag:oltp-primary:9187');
    const events = await eventsUntil(
      handle,
      'the probe and the first page',
      (es) => es.some((e) => e.kind === 'step-succeeded') && es.some((e) => e.kind === 'paged'),
    );
    expect(events.find((e) => e.kind === 'opened')!.data).toMatchObject({ runbookVersion: version });
    // The embedded server has no replicas: the probe passes, and says so from its own row.
    expect(events.find((e) => e.kind === 'step-succeeded')!.data).toMatchObject({
      stepId: 'replication-status',
      outcome: 'pass',
      summary: '0 replicas streaming; worst replay lag 0 s (0 bytes behind)',
    });
    expect(events.find((e) => e.kind === 'paged')!.data).toMatchObject({ level: 1 });
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar', note: 'looking' }] });
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'replica caught up' }] });
    await maybeRecordHistory(handle, 'runbook-probe-replication-lag');
  });

  it('disk and backup alerts run their probes on the database: its size, its WAL directory, its archiver', async () => {
    const disk = await alert('DiskFilling', 'oltp-primary:9100');
    const backup = await alert('BackupFailed', 'oltp-primary:9100');
    expect([disk.workflowId, backup.workflowId]).toEqual([
      'incident/disk-filling/oltp/DiskFilling:oltp-primary:9100',
      'incident/backup-failed/oltp/BackupFailed:oltp-primary:9100',
    ]);
    const diskEvents = await eventsUntil(disk, 'both disk probes', (es) => es.filter((e) => e.kind === 'step-succeeded').length === 2);
    const lines = diskEvents.filter((e) => e.kind === 'step-succeeded').map((e) => e.data.summary);
    expect(lines[0]).toMatch(/^database \d+ (kB|MB) \(\d+ bytes\)$/);
    expect(lines[1]).toMatch(/^pg_wal holds \d+ files, \d+ (kB|MB|GB)$/);
    const backupEvents = await eventsUntil(backup, 'the archiver probe', (es) => es.some((e) => e.kind === 'step-succeeded'));
    // The cluster is the run's: other suites may have archived WAL on it (a count, not a constant).
    const archiver = backupEvents.find((e) => e.kind === 'step-succeeded')!.data as { stepId: string; outcome: string; summary: string };
    expect(archiver.stepId).toBe('wal-archiving');
    const [, failed] = /^WAL archiving: \d+ archived, (\d+) failed \(last failed: .+\)$/.exec(archiver.summary) ?? [];
    expect(failed, archiver.summary).toBeDefined();
    // Fails only while the last failure is newer than the last success; with no failure at all it passes.
    expect(archiver.outcome).toBe(failed === '0' ? 'pass' : archiver.outcome);
    expect(['pass', 'fail']).toContain(archiver.outcome);
  });

  it('a file change mid-incident leaves the running incident on its plan; the next incident takes the new version', async () => {
    const before = await alert('ReplicaLagHigh', 'oltp-replica-1:9187');
    const oldVersion = runbook().version;
    fs.writeFileSync(
      file,
      shipped.replace('title: "Check the lagging replica\'s load, long queries and network"', 'title: Page the network team'),
    );
    const newVersion = runbook().version;
    expect(newVersion).not.toBe(oldVersion);
    const after = await alert('ReplicaLagHigh', 'oltp-replica-2:9187');
    const [old, renewed] = await Promise.all([before.query(incidentStateQuery), after.query(incidentStateQuery)]);
    expect(old.steps[1].title).toBe("Check the lagging replica's load, long queries and network");
    expect(renewed.steps[1].title).toBe('Page the network team');
    const opened = (h: Handle) => eventsUntil(h, 'its opened event', (es) => es.some((e) => e.kind === 'opened'));
    expect((await opened(before)).find((e) => e.kind === 'opened')!.data).toMatchObject({ runbookVersion: oldVersion });
    expect((await opened(after)).find((e) => e.kind === 'opened')!.data).toMatchObject({ runbookVersion: newVersion });
  });

  it('runbook check points at line and column; runbook diff names what changes for new incidents', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      bad,
      shipped
        .replace('FROM pg_stat_archiver', 'FROM pg_stat_archiver WHERE')
        .replace('    name: Database Outage\n', '    name: Database Outage\n    review: { lastReviewed: 2026-11-20, by: nobody }\n'),
    );
    const check = await dbops(['runbook', 'check', bad], { DBOPS_ROSTER: path.resolve(__dirname, '../../config/roster.example.json') });
    expect(check.code).toBe(7);
    expect(check.stderr).toMatch(
      /bad\.yaml:\d+:14: incidentTypes\.backup-failed\.steps\[0\]\.sql: the SQL does not parse: syntax error at end of input/,
    );
    // A review names a person of the roster.
    const reviewLine = fs.readFileSync(bad, 'utf8').split('\n').indexOf('    review: { lastReviewed: 2026-11-20, by: nobody }') + 1;
    expect(check.stderr).toContain(
      `bad.yaml:${reviewLine}:45: incidentTypes.database-outage.review.by: 'nobody' is not on the roster; accepted: dana, oscar,`,
    );
    const diff = await dbops(['runbook', 'diff', path.resolve(__dirname, '../../config/runbook.yaml'), file], {});
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('replication-lag (Replication Lag): changed');
    expect(diff.stdout).toContain('~ step 2 check-replica-load "Page the network team" changed: title');
    const json = JSON.parse(
      (await dbops(['runbook', 'diff', path.resolve(__dirname, '../../config/runbook.yaml'), file, '--output', 'json'], {})).stdout,
    );
    expect(json.types).toEqual([expect.objectContaining({ type: 'replication-lag', change: 'changed' })]);
  });

  it("a page link's summary and a handoff read the incident's own plan: the type's name it opened with, its ladder's roles", async () => {
    const handle = await alert('PostgresReplicationLag', 'oltp-primary:9188');
    await eventsUntil(handle, 'its opened event', (es) => es.some((e) => e.kind === 'opened'));
    const { incidentId } = await handle.query(incidentStateQuery);
    // The file renames the type after the incident opened: the incident keeps the name it opened with.
    fs.writeFileSync(file, shipped.replace('    name: Replication Lag\n', '    name: Replica Lag\n'));
    expect(runbook().incidentTypes['replication-lag'].name).toBe('Replica Lag');
    const links = pageLinksFor(
      { secret: LINK_SECRET, publicUrl: api.url, ttlMs: 3_600_000 },
      {
        notificationId: 'n-summary',
        subjectId: incidentId,
        workflowId: handle.workflowId,
        kind: 'page',
        occurredAt: new Date().toISOString(),
      },
      'oscar',
    )!;
    const summary = await fetch(links.open);
    expect(summary.status).toBe(200);
    expect(await summary.text()).toContain('<tr><th>Type</th><td><bdi>Replication Lag</bdi></td></tr>');
    // A handoff of a role lists the incidents whose ladder pages it: the database lead's, not legal's.
    const handedTo = async (role: string) =>
      (await openIncidentsFor(suite.harness.db.pool, pagesRole(role, runbook()))).map((i) => i.incidentId);
    expect(await handedTo('database-lead')).toContain(incidentId);
    expect(await handedTo('legal')).not.toContain(incidentId);
    await handle.terminate('test over');
  });

  it('routing follows the file: a rule added while the API runs routes the next alert, without a restart', async () => {
    const before = await alert('WalSenderStuck', 'oltp-primary:9190');
    expect(before.workflowId).toMatch(/^incident\/unclassified\//);
    fs.writeFileSync(
      file,
      shipped.replace(
        '  rules:\n',
        "  rules:\n    - name: wal-sender\n      match:\n        labels:\n          alertname: { regex: WalSender.* }\n      type: replication-lag\n      fingerprint: '{{alertname}}:{{instance}}'\n",
      ),
    );
    const after = await alert('WalSenderStuck', 'oltp-primary:9191');
    expect(after.workflowId).toBe('incident/replication-lag/oltp/WalSenderStuck:oltp-primary:9191');
    await Promise.all([before, after].map((h) => h.terminate('test over')));
  });
});
