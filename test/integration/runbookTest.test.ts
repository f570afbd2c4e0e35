import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openIncident } from '../../client/incidents/openIncident';
import { readIncidentEvents } from '../../db/audit/readEvents';
import type { DryRunTimeline } from '../../dev/runbookTest/dryRunTimeline';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { incidentStateQuery } from '../../workflows/incident/messages';
import { dbopsCommand, type CliResult } from '../support/cli';
import { eventually } from '../support/eventually';
import { calendar, roster, timeSkippingSuite } from '../support/harness';

const ROOT = path.resolve(__dirname, '../..');

/** The real CLI with a data folder of its own whose cache is the run's (the test server's launcher is there). */
function runbookTest(args: string[]): Promise<CliResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-runbook-test-cli-'));
  fs.symlinkSync(path.join(ROOT, '.dbops/cache'), path.join(dataDir, 'cache'));
  const command = dbopsCommand(['runbook', 'test', ...args], {});
  const env = {
    ...command.env,
    DBOPS_DATA_DIR: dataDir,
    // The scratch database goes on the run's PostgreSQL, and the run's workflow bundle saves a webpack build.
    DATABASE_URL: inject('databaseUrl'),
    DBOPS_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `dbops runbook test` (issue 26 item 4) against a real incident: the dry run's printed page times, levels and people
 * are those of an incident of the same type opened by the normal path (openIncident, the suite's worker) on the
 * time-skipping server, nobody acknowledging, as its audit trail records them.
 */
describe('runbook test: a dry run prints the page times of a real incident', () => {
  const taskQueue = 'ts-runbook-test';
  const suite = timeSkippingSuite(taskQueue);
  const nameOf = (id: string) => roster.people.find((p) => p.id === id)?.name ?? id;
  const cleanups: (() => void)[] = [];
  afterAll(() => cleanups.forEach((c) => c()));

  it('connection-pool-exhaustion at its default severity: the same pages at the same times, to the same people', async () => {
    const cli = runbookTest(['connection-pool-exhaustion', '--output', 'json']);

    const { handle } = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      { type: 'connection-pool-exhaustion', tier: 'oltp', fingerprint: 'real' },
    );
    const h = handle as WorkflowHandle<typeof incidentResponse>;
    const opened = await eventually(
      'the real incident paged',
      () => h.query(incidentStateQuery),
      (s) => s.escalation.pages > 0,
    );
    // Nobody acknowledges: through the whole ladder and level 1 again (at 1:40).
    await suite.env.sleep('110 minutes');
    const events = await eventually(
      'the real incident’s pages in its audit',
      () => readIncidentEvents(suite.harness.db.pool, opened.incidentId),
      (e) => e.filter((x) => x.kind === 'paged' || x.kind === 'escalated').length >= 5,
    );
    const openedAt = Date.parse(opened.openedAt);
    const real = events
      .filter((e) => e.kind === 'paged' || e.kind === 'escalated')
      .map((e) => {
        const d = e.data as { label: string; decidedAt: string; paged: string[] };
        return { label: d.label, seconds: Math.round((Date.parse(d.decidedAt) - openedAt) / 1000), people: d.paged.map(nameOf) };
      });

    const result = await cli;
    expect(result.stderr).not.toMatch(/^dbops:/m);
    expect(result.code).toBe(0);
    const timeline = JSON.parse(result.stdout) as DryRunTimeline;
    const dry = timeline.pages.map((p) => ({ label: p.label, seconds: Math.round(p.atMs / 1000), people: p.people }));

    // The same pages in the same order, to the same people, at the same minute; to the second, each run's pages trail
    // the minute by the time its first workflow task took (Temporal starts a timer when the task that set it
    // completes): a second or two, on this machine, in both.
    const minute = (rows: typeof real) => rows.map((p) => ({ ...p, seconds: Math.round(p.seconds / 60) * 60 }));
    expect(minute(dry)).toEqual(minute(real));
    dry.forEach((p, i) => expect(Math.abs(p.seconds - real[i].seconds)).toBeLessThanOrEqual(5));
    // And the arithmetic a person checks: the seed's high severity answers in 10 minutes, then every 30.
    expect(minute(dry).map((p) => [p.label, p.seconds])).toEqual([
      ['level 1', 0],
      ['level 2', 600],
      ['level 3', 2400],
      ['level 4', 4200],
      ['level 1, repeat 1', 6000],
    ]);
    expect(timeline.responseDueMs).toBe(10 * 60_000);
    expect(timeline.steps.map((s) => [s.id, s.status])).toEqual([
      ['monitor-pools', 'succeeded'],
      ['adjust-configurations', 'completed'],
      ['restart-services', 'completed'],
    ]);
  }, 240_000); // the CLI's dry run may take up to its own 3-minute limit on a cold, loaded machine (it took over 60 s once)
});
