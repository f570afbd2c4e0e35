import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../../dev/scratchDatabase';
import { alertGroup, firingAlert } from '../support/alertPayloads';
import { signedAlertHeaders, startTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { ownDevServer } from './support/devServerProcess';
import { FAULT_RUNS } from './support/waitFor';

/** Short, so the runs stay quick; the default (5 s) is the same code. */
const DEADLINE_MS = 3000;
/** Time to answer once the deadline passed (a loaded 2-core machine). */
const SLACK_MS = 1500;
const GROUP_SIZE = 60;

/** What the intakes answer: a workflow id (POST /alerts), each alert's (a group), or an error. */
type Answer = { workflowId?: string; results?: { workflowId: string }[]; error?: string };

/**
 * A Temporal server that stops answering (SIGSTOP: its port open, nothing read) held POST /alerts past 30 s, so the
 * sender timed out and sent again while the first request was still on its way. Every alert request must be
 * answered 503 with Retry-After within its deadline (a group within one deadline too, not one per alert), and the
 * very same requests sent again once the server goes on (SIGCONT) must open each incident exactly once.
 */
describe('fault: the Temporal server stops answering while alerts arrive', () => {
  const server = ownDevServer('deadline');
  let db: ScratchDatabase;
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    db = await createScratchDatabase(inject('databaseUrl'), 'fault_deadline');
    connection = await Connection.connect({ address: server.current.address });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await db?.drop();
  });

  for (let n = 1; n <= FAULT_RUNS; n++) {
    it(`run ${n}: alerts and a group are answered 503 within the deadline; the same requests sent again open each incident once`, async () => {
      const taskQueue = `fault-deadline-${n}-${Date.now()}`;
      const api: TestApi = await startTestApi(client, db.pool, taskQueue, { deadlineMs: DEADLINE_MS });
      try {
        const alert = (what: string) =>
          JSON.stringify({ type: 'connection-pool-exhaustion', tier: 'queue', fingerprint: `${taskQueue}-${what}` });
        const bearer = { authorization: `Bearer ${api.integrationKey}` };
        const bodies = [alert('bearer'), alert('signed')];
        const group = JSON.stringify(
          alertGroup(
            Array.from({ length: GROUP_SIZE }, (_, i) => firingAlert({ alertname: 'PoolSaturated', instance: `${taskQueue}-${i}` })),
          ),
        );
        // Each request exactly as the sender will send it again: a signed one keeps its signature.
        const requests = [
          { path: '/alerts', body: bodies[0], headers: bearer },
          { path: '/alerts', body: bodies[1], headers: signedAlertHeaders(api.integrationKey, bodies[1]) },
          { path: '/alertmanager', body: group, headers: bearer },
        ];
        const send = async (r: (typeof requests)[number]) => {
          const started = Date.now();
          const res = await fetch(`${api.url}${r.path}`, {
            method: 'POST',
            body: r.body,
            headers: { 'content-type': 'application/json', ...r.headers },
            // Far past the deadline: without one, the request would hang until the server goes on.
            signal: AbortSignal.timeout(DEADLINE_MS + 15_000),
          });
          return {
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            ms: Date.now() - started,
            json: (await res.json()) as Answer,
          };
        };

        server.current.pause();
        let answers;
        try {
          answers = await Promise.all(requests.map(send));
        } finally {
          server.current.resume();
        }
        for (const [i, a] of answers.entries()) {
          expect(a.status, `${requests[i].path} #${i}: ${JSON.stringify(a.json)}`).toBe(503);
          expect(Number(a.retryAfter), 'Retry-After').toBeGreaterThanOrEqual(1);
          expect(a.ms, 'answered within the deadline').toBeLessThan(DEADLINE_MS + SLACK_MS);
          expect(a.json.error).toMatch(/send it again/);
        }

        // The sender sends the same requests again after Retry-After, until they are taken (the server, just woken,
        // may take a moment to answer).
        const sendUntilTaken = async (r: (typeof requests)[number]) => {
          for (let attempt = 1; ; attempt++) {
            const a = await send(r);
            if (a.status !== 503 || attempt === 5) return a;
            await new Promise((resolve) => setTimeout(resolve, Number(a.retryAfter) * 1000));
          }
        };
        const again = await Promise.all(requests.map(sendUntilTaken));
        expect(again.map((a) => a.status)).toEqual([202, 202, 202]);
        const workflowIds = new Set([
          again[0].json.workflowId,
          again[1].json.workflowId,
          ...again[2].json.results!.map((r) => r.workflowId),
        ]);
        expect(workflowIds.size).toBe(2 + GROUP_SIZE);
        // One execution per incident, whatever the abandoned first requests did once the server went on.
        const query = `TaskQueue = "${taskQueue}"`;
        await eventually(
          'the incidents in visibility',
          () => client.workflow.count(query),
          (c) => c.count >= workflowIds.size,
        );
        await new Promise((r) => setTimeout(r, 1000));
        expect((await client.workflow.count(query)).count).toBe(workflowIds.size);
        for await (const w of client.workflow.list({ query })) expect(workflowIds.has(w.workflowId)).toBe(true);
      } finally {
        api.close();
      }
    });
  }
});
