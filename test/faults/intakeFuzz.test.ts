import { describe, expect, it } from 'vitest';
import { createApiApp } from '../../client/api/app';
import { startIntake } from '../../client/api/listen';
import { createCredential } from '../../db/credentials/credentials';
import { openIncident } from '../../client/incidents/openIncident';
import { freePort } from '../../dev/provision/processes';
import { createLogger } from '../../lib/logger';
import { calendar, roster } from './support/fastIncident';
import { faultSuite, type FaultRun } from './support/faultSuite';
import { fuzzCase, prng } from './support/fuzzCases';
import { incidentIdOf } from './support/incidentRun';
import { waitFor } from './support/waitFor';
import type { Client } from '@temporalio/client';
import { incidentStateQuery } from '../../workflows/incident/messages';

const SEED = 20261125;
const CASES = 5000;
const HTTP_SAMPLE = 200;

/**
 * Every incident started on the run's task queue, as Temporal's visibility lists them once they settle (the worker's
 * own on-call handoff workflow, which every worker start keeps running, is not one the intake started).
 */
async function workflowsOnQueue(client: Client, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  const query = `TaskQueue = '${taskQueue}' AND WorkflowType = 'incidentResponse'`;
  for await (const w of client.workflow.list({ query })) ids.push(w.workflowId);
  return ids.sort();
}

/** What the workflow's retrying activities last failed with. */
async function pendingFailures(client: Client, workflowId: string): Promise<string> {
  const pending = (await client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
  return pending.map((a) => `${a.activityType?.name}: ${a.lastFailure?.message ?? 'no failure yet'}`).join('; ') || 'no activity pending';
}

/**
 * Each accepted incident has its own id and its own first page at the webhook, and its audit is not stuck: every
 * event the workflow recorded is in the store (an unstorable text blocks the chain, and every page behind it).
 */
async function expectFirstPages(f: { client: Client }, run: FaultRun, workflowIds: string[]) {
  const incidentIds = new Map<string, string>();
  for (const id of workflowIds) incidentIds.set(id, await incidentIdOf(f.client.workflow.getHandle(id)));
  expect(new Set(incidentIds.values()).size, `distinct incident ids of ${[...incidentIds].map(([w, i]) => `${w} → ${i}`).join(', ')}`).toBe(
    workflowIds.length,
  );
  const paged = () => [...incidentIds].filter(([, incident]) => run.receiver.of(incident).some((d) => d.kind === 'page'));
  await waitFor(() => paged().length === workflowIds.length, { timeoutMs: 20_000, message: () => '' }).catch(() => undefined);
  const unpaged: string[] = [];
  for (const [w, i] of incidentIds) if (!paged().some(([p]) => p === w)) unpaged.push(`${w} (${i}): ${await pendingFailures(f.client, w)}`);
  expect.soft(unpaged, 'accepted incidents without their first page after 20 s').toEqual([]);
  // The audit catches up behind the pages (paging never waits for it): give it time, then name what is stuck.
  const behind = async () => {
    const lagging: string[] = [];
    for (const [workflowId, incidentId] of incidentIds) {
      const { auditSeq } = await f.client.workflow.getHandle(workflowId).query(incidentStateQuery);
      const { rows } = await run.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1`, [
        incidentId,
      ]);
      if (rows[0].n !== auditSeq) lagging.push(`${workflowId}: ${rows[0].n} of ${auditSeq} events stored`);
    }
    return lagging;
  };
  let lagging: string[] = [];
  await waitFor(async () => (lagging = await behind()).length === 0, { timeoutMs: 20_000, message: () => '' }).catch(() => undefined);
  const stuck: string[] = [];
  for (const line of lagging) stuck.push(`${line}; ${await pendingFailures(f.client, line.split(':')[0])}`);
  expect.soft(stuck, 'accepted incidents whose audit is stuck').toEqual([]);
}

describe('fault: a bounded fuzz of the alert intake', () => {
  const f = faultSuite('fuzz');
  const log = createLogger({ level: 'silent' });

  it(`${CASES} seeded bodies (seed ${SEED}) and ${HTTP_SAMPLE} over HTTP: no 5xx, nothing started by a rejected body, every accepted incident paged`, async () => {
    const run = await f.startRun(1);
    try {
      const worker = run.startWorker();
      const app = createApiApp(
        {
          client: f.client,
          taskQueue: run.taskQueue,
          roster: () => ({ roster, version: 'fuzz' }),
          calendar,
          pool: run.db.pool,
          rateLimitPerMinute: 1_000_000,
        },
        log,
      );
      // Every case carries a valid integration key: the fuzz is of what an authenticated source may send.
      const { secret: key } = await createCredential(run.db.pool, 'integration', 'fuzz');
      const authorization = `Bearer ${key}`;
      const r = prng(SEED);
      const accepted = new Set<string>();
      const serverErrors: string[] = [];
      const unexpected: string[] = [];
      const record = async (i: number, res: Response) => {
        if (res.status >= 500) serverErrors.push(`case ${i}: ${res.status} ${await res.text()}`);
        else if (res.status === 202) accepted.add(((await res.json()) as { workflowId: string }).workflowId);
        // Refusals: 400 a bad body, 413 too large, 415 not JSON.
        else if (![400, 413, 415].includes(res.status)) unexpected.push(`case ${i}: ${res.status}`);
        else await res.text();
      };
      await worker.ready;
      for (let i = 0; i < CASES; i++) {
        const c = fuzzCase(r);
        const headers: Record<string, string> =
          c.contentType === undefined ? { authorization } : { authorization, 'content-type': c.contentType };
        await record(i, await app.request('/alerts', { method: 'POST', body: c.body, headers }));
      }
      // The same kind of bodies through a real HTTP server and socket.
      const port = await freePort();
      const server = await startIntake(app, port);
      try {
        for (let i = CASES; i < CASES + HTTP_SAMPLE; i++) {
          const c = fuzzCase(r);
          const headers: Record<string, string> =
            c.contentType === undefined ? { authorization } : { authorization, 'content-type': c.contentType };
          await record(i, await fetch(`http://127.0.0.1:${port}/alerts`, { method: 'POST', body: c.body, headers }));
        }
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 'the intake still answers').toBe(200);
      } finally {
        server.close();
      }
      expect(serverErrors, 'answers 5xx').toEqual([]);
      expect(unexpected, 'answers other than 202 and the refusals 400, 413, 415').toEqual([]);
      expect(accepted.size, 'incidents accepted by the fuzz (it must reach the valid path)').toBeGreaterThan(0);

      // Nothing started that the intake did not answer 202 for (visibility settles within a few seconds).
      const expected = [...accepted].sort();
      let started: string[] = [];
      await waitFor(async () => (started = await workflowsOnQueue(f.client, run.taskQueue)).length >= expected.length, {
        timeoutMs: 10_000,
        message: () => '',
      }).catch(() => undefined);
      expect(started, 'workflows on the task queue = incidents answered 202').toEqual(expected);
      expect(worker.exitedEarly(), `the worker crashed:\n${worker.output()}`).toBe(false);
      await expectFirstPages(f, run, expected);
      await Promise.all(
        expected.map((id) =>
          f.client.workflow
            .getHandle(id)
            .terminate('fuzz over')
            .catch(() => undefined),
        ),
      );
    } finally {
      await run.close();
    }
  });

  it('two alerts with different keys in the same minute open two incidents, each with its own id and first page', async () => {
    const run = await f.startRun(2);
    try {
      const worker = run.startWorker();
      await worker.ready;
      const ctx = { client: f.client, taskQueue: run.taskQueue, roster, calendar };
      const opened = [
        await openIncident(ctx, { type: 'data-integrity', tier: 'content', fingerprint: 'same-minute-a' }),
        await openIncident(ctx, { type: 'data-integrity', tier: 'content', fingerprint: 'same-minute-b' }),
      ];
      await expectFirstPages(
        f,
        run,
        opened.map((o) => o.workflowId),
      );
      await Promise.all(opened.map((o) => o.handle.terminate('test over')));
    } finally {
      await run.close();
    }
  });
});
