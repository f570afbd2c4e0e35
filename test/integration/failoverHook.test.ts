import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import {
  approveStepUpdate,
  decideStepUpdate,
  incidentStateQuery,
  resolveUpdate,
  type IncidentState,
} from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { createHarness, devServerConnection, devServerSuite, startWorker, timeSkippingSuite, type Harness } from '../support/harness';
import { startWorkerProcess } from '../support/workerProcess';
import { openFailover } from '../support/failoverIncident';

type Handle = WorkflowHandle<typeof incidentResponse>;

const OUTCOME_UNKNOWN = 'outcome unknown: the failover hook may have run; check before retrying';
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-hook-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const scratchFile = (name: string) => path.join(scratch, `${name}-${Date.now()}`);
const linesOf = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : []);

const failoverStep = (s: IncidentState) => s.steps.find((x) => x.id === 'execute-failover')!;

/** Polls the state until `done` holds; `pause` lets the clock go on between looks (skipped, or real). */
async function waitFor(handle: Handle, done: (s: IncidentState) => boolean, pause: () => Promise<void>, tries = 200) {
  for (let i = 0; i < tries; i++) {
    const s = await handle.query(incidentStateQuery).catch(() => undefined); // a lost worker's queries time out
    if (s && done(s)) return s;
    await pause();
  }
  throw new Error(`state never reached the expected condition: ${JSON.stringify(failoverStep(await handle.query(incidentStateQuery)))}`);
}

/** True while any process of the group is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The step-failed audit events and notices, once both have landed (the audit and the notice are written apart). */
async function stepFailedRecords(harness: Harness, incidentId: string) {
  for (let i = 0; ; i++) {
    const events = await readIncidentEvents(harness.db.pool, incidentId);
    const records = {
      audit: events.filter((e) => e.kind === 'step-failed').map((e) => e.data as { error: string; outcomeUnknown?: boolean }),
      notices: harness.channel.sent.filter((n) => n.kind === 'step-failed' && n.subjectId === incidentId).map((n) => n.message),
    };
    if ((records.audit.length && records.notices.length) || i === 100) return records;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('failover hook: idempotency key (time-skipping)', () => {
  const taskQueue = 'ts-hook';
  const suite = timeSkippingSuite(taskQueue);
  // Short skips of the server's clock: a hook runs for real milliseconds, and must not look silent meanwhile.
  const skip = (env: TestWorkflowEnvironment) => () => env.sleep('1 second');

  it('Temporal retrying one attempt re-sends its key; a retry by decision is a new attempt with a new key', async () => {
    const keys = scratchFile('keys');
    // Fails on its first two calls (Temporal's two tries of the step's attempt 1), succeeds on the third.
    suite.harness.failover.command = `echo "$DBOPS_IDEMPOTENCY_KEY" >> ${keys}; test "$(wc -l < ${keys})" -ge 3 || exit 4`;
    const handle = await openFailover(suite.env.client, taskQueue, 'key', { maxAttempts: 2 });
    await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-approval', skip(suite.env));
    await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover' }] });
    const failed = await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-decision', skip(suite.env));
    const attempt1 = `${failed.incidentId}:execute-failover:1`;
    expect(linesOf(keys)).toEqual([attempt1, attempt1]);
    expect(failoverStep(failed).error).toMatch(/exited with 4/); // a hook that answered: no doubt about its outcome
    expect(failoverStep(failed).error).not.toMatch(/outcome unknown/);

    await handle.executeUpdate(decideStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover', decision: 'retry' }] });
    // The retry is a new attempt of a failover: it runs after its own approval.
    await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-approval', skip(suite.env));
    await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover' }] });
    const done = await waitFor(handle, (s) => failoverStep(s).status === 'succeeded', skip(suite.env));
    expect(failoverStep(done).attempts).toBe(2);
    expect(linesOf(keys)).toEqual([attempt1, attempt1, `${failed.incidentId}:execute-failover:2`]);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'failed over' }] });
  });

  it('a URL hook gets the key in its JSON body and as an Idempotency-Key header', async () => {
    const calls: { header: string | undefined; body: { idempotencyKey?: string; incidentId?: string } }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ header: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(body) });
        res.writeHead(200).end('promoted');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      suite.harness.failover.command = undefined;
      suite.harness.failover.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/failover`;
      const handle = await openFailover(suite.env.client, taskQueue, 'url');
      await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-approval', skip(suite.env));
      await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover' }] });
      const done = await waitFor(handle, (s) => failoverStep(s).status === 'succeeded', skip(suite.env));
      const key = `${done.incidentId}:execute-failover:1`;
      expect(calls).toEqual([{ header: key, body: expect.objectContaining({ idempotencyKey: key, incidentId: done.incidentId }) }]);
      await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'failed over' }] });
    } finally {
      suite.harness.failover.url = undefined;
      server.close();
    }
  });
});

describe('failover hook: a hung hook (dev server, real time)', () => {
  const taskQueue = 'ds-hook';
  const suite = devServerSuite(taskQueue);
  const realPause = () => new Promise<void>((r) => setTimeout(r, 250));
  const started: number[] = [];
  afterAll(() => started.forEach((pgid) => groupAlive(pgid) && process.kill(-pgid, 'SIGKILL')));

  it('a hook that outlives its step is killed with everything it started, and the step says its outcome is unknown', async () => {
    const pidFile = scratchFile('pid');
    suite.harness.failover.command = `echo $$ > ${pidFile}; sleep 300 & wait`;
    const handle = await openFailover(suite.client, taskQueue, 'hung', { timeoutSeconds: 4, heartbeatSeconds: 2 });
    await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-approval', realPause);
    await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover' }] });
    await waitFor(handle, () => linesOf(pidFile).length > 0, realPause);
    const pgid = Number(linesOf(pidFile)[0]);
    started.push(pgid);

    const failed = await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-decision', realPause, 80);
    // The step's own timeout, or (on a loaded machine, where a 2 s heartbeat can be late) its heartbeat timeout:
    // either way the hook may have run, and the step must say so.
    const timedOut = `${OUTCOME_UNKNOWN} (activity ${failoverStep(failed).error?.includes('Heartbeat') ? 'Heartbeat' : 'StartToClose'} timeout)`;
    expect(failoverStep(failed).error).toBe(timedOut);
    const { audit, notices } = await stepFailedRecords(suite.harness, failed.incidentId);
    expect(audit).toEqual([expect.objectContaining({ outcomeUnknown: true, error: failoverStep(failed).error })]);
    expect(notices).toEqual([expect.stringContaining(`${timedOut}. Decide:`)]);
    // The shell and the sleep it started are gone (cancelled with the attempt), not left running behind the step.
    await waitFor(handle, () => !groupAlive(pgid), realPause, 12);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'done by hand' }] });
  });
});

describe('failover hook: a worker lost mid-failover (dev server, real time)', () => {
  const lostQueue = 'ds-hook-lost';
  const realPause = () => new Promise<void>((r) => setTimeout(r, 250));
  // Its own database and client, and no worker yet: the first worker is a process of its own, killed mid-step.
  const suite = {} as { harness: Harness; client: Client; connection: Connection };
  beforeAll(async () => {
    suite.harness = await createHarness();
    suite.connection = await Connection.connect({ address: inject('devServerAddress') });
    suite.client = new Client({ connection: suite.connection });
  });
  afterAll(async () => {
    await suite.connection?.close();
    await suite.harness?.close();
  });
  const started: number[] = [];
  afterAll(() => started.forEach((pgid) => groupAlive(pgid) && process.kill(-pgid, 'SIGKILL')));

  it('a worker that dies mid-failover is noticed within the heartbeat timeout, not the 120 s step timeout', async () => {
    const pidFile = scratchFile('pid');
    const keys = scratchFile('keys');
    const first = await startWorkerProcess({
      address: inject('devServerAddress'),
      taskQueue: lostQueue,
      workflowBundlePath: inject('workflowBundlePath'),
      databaseUrl: suite.harness.db.url,
      failoverCommand: `echo $$ > ${pidFile}; echo "$DBOPS_IDEMPOTENCY_KEY" >> ${keys}; sleep 300 & wait`,
    });
    let replacement: Awaited<ReturnType<typeof startWorker>> | undefined;
    const native = await devServerConnection();
    try {
      // The shipped step (120 s timeout, 10 s heartbeat, one attempt).
      const handle = await openFailover(suite.client, lostQueue, 'lost');
      await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-approval', realPause);
      await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover' }] });
      await waitFor(handle, () => linesOf(pidFile).length > 0, realPause);
      started.push(Number(linesOf(pidFile)[0]));
      const { incidentId } = await handle.query(incidentStateQuery);

      first.kill('SIGKILL');
      const killedAt = Date.now();
      suite.harness.failover.command = `echo "$DBOPS_IDEMPOTENCY_KEY" >> ${keys}`;
      replacement = await startWorker(native, suite.harness, lostQueue);
      const failed = await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-decision', realPause, 240);
      const noticedAfterMs = Date.now() - killedAt;
      console.log(`lost worker noticed after ${noticedAfterMs} ms (heartbeat timeout 10 s, step timeout 120 s)`);
      expect(noticedAfterMs).toBeLessThan(40_000);
      expect(failoverStep(failed).error).toBe(`${OUTCOME_UNKNOWN} (activity Heartbeat timeout)`);
      const { audit, notices } = await stepFailedRecords(suite.harness, incidentId);
      expect(audit).toEqual([expect.objectContaining({ outcomeUnknown: true, error: failoverStep(failed).error })]);
      expect(notices).toEqual([expect.stringContaining(`${OUTCOME_UNKNOWN} (activity Heartbeat timeout). Decide: retry, skip or abort.`)]);

      // Someone checked: a retry is a new attempt, and its key tells the hook so.
      await handle.executeUpdate(decideStepUpdate, { args: [{ actor: 'dana', stepId: 'execute-failover', decision: 'retry' }] });
      await waitFor(handle, (s) => failoverStep(s).status === 'awaiting-approval', realPause);
      await handle.executeUpdate(approveStepUpdate, { args: [{ actor: 'erin', stepId: 'execute-failover' }] });
      await waitFor(handle, (s) => failoverStep(s).status === 'succeeded', realPause);
      expect(linesOf(keys)).toEqual([`${incidentId}:execute-failover:1`, `${incidentId}:execute-failover:2`]);
      await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'failed over' }] });
    } finally {
      if (first.exitCode === null && first.signalCode === null) first.kill('SIGKILL');
      await replacement?.stop();
      await native.close();
    }
  }, 120_000);
});
