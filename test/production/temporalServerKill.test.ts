/**
 * The production shape's Temporal server SIGKILLed (a crash, the OOM killer) with an incident climbing its ladder:
 * the supervisor starts it again as it does a worker or an API (and again while it dies at once), /readyz says
 * `temporal` is down meanwhile, and once it is back the ladder climbs on, alerts open incidents again, and the audit
 * and the pages are whole.
 */
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ManagedProcess, ProductionShape } from '../../dev/productionShape';
import { startFastIncident } from '../faults/support/fastIncident';
import { acknowledgeAndResolve, expectLadderClimbing, expectRunIntact, incidentIdOf } from '../faults/support/incidentRun';
import { waitFor } from '../faults/support/waitFor';
import { startWebhookReceiver } from '../faults/support/webhookReceiver';
import { startShapeInScratch } from '../support/productionShapeRun';

const CADENCE_SECONDS = 5;

let shape: ProductionShape;
let run: Awaited<ReturnType<typeof startShapeInScratch>> | undefined;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let pool: Pool;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  run = await startShapeInScratch({ workers: 1, apis: 1, env: { DBOPS_WEBHOOK_URL: receiver.url, LOG_LEVEL: 'info' } });
  shape = run.shape;
  pool = new Pool({ connectionString: shape.databaseUrl, max: 2 });
}, 15 * 60_000);

afterAll(async () => {
  await pool?.end();
  await run?.close();
  await receiver?.close();
});

/** Listens on a port just freed (retrying until it is), as a stale process holding it would. */
async function holdPort(port: number): Promise<net.Server> {
  return waitFor(
    () =>
      new Promise<net.Server | undefined>((resolve) => {
        const server = net.createServer((socket) => socket.destroy());
        server.once('error', () => resolve(undefined));
        server.listen(port, '127.0.0.1', () => resolve(server));
      }),
    { timeoutMs: 5000, everyMs: 20, message: () => `port ${port} was never freed by the killed server` },
  );
}

async function readiness(p: ManagedProcess): Promise<{ status: number; temporal?: string }> {
  try {
    const res = await fetch(`${p.url}/readyz`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { checks?: { temporal?: string } };
    return { status: res.status, temporal: body.checks?.temporal };
  } catch (err) {
    return { status: 0, temporal: (err as Error).message };
  }
}

test('the Temporal server SIGKILLed is restarted until it runs; /readyz says temporal is down meanwhile; pages resume, nothing lost', async () => {
  const connection = await Connection.connect({ address: shape.temporal.address });
  try {
    const client = new Client({ connection });
    const handle = await startFastIncident(client, 'dbops', {
      type: 'database-outage',
      fingerprint: 'temporal-server-kill',
      cadenceSeconds: CADENCE_SECONDS,
    });
    const incidentId = await incidentIdOf(handle);
    await expectLadderClimbing(receiver, incidentId, 0, 1);

    const [worker, api] = [shape.workers[0]!, shape.apis[0]!];
    const killedPid = shape.temporal.pid();
    shape.temporal.kill('SIGKILL');
    // Its port is held a while (a stale listener): the restarted server dies on it and is restarted again, and the
    // outage lasts long enough for every process to be probed during it.
    const held = await holdPort(Number(shape.temporal.address.split(':')[1]));
    await Promise.all(
      [api, worker].map((p) =>
        waitFor(
          async () => {
            const r = await readiness(p);
            return r.status === 503 && r.temporal?.startsWith('down: ');
          },
          { timeoutMs: 15_000, everyMs: 100, message: () => `${p.name}'s /readyz never said temporal is down` },
        ),
      ),
    );
    await waitFor(() => shape.temporal.restarts() >= 2, {
      timeoutMs: 15_000,
      message: () => `the Temporal server was restarted ${shape.temporal.restarts()} times, not again after dying on its held port`,
    });
    await new Promise<void>((resolve) => held.close(() => resolve()));
    await Promise.all([api.ready(60_000), worker.ready(60_000)]);
    expect(shape.temporal.pid()).not.toBe(killedPid);

    // The ladder climbs on, and a new alert opens an incident that is paged.
    await expectLadderClimbing(receiver, incidentId, Date.now(), 2, 90_000);
    const res = await fetch(`${api.url}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shape.intakeKey}` },
      body: JSON.stringify({ type: 'performance-degradation', tier: 'olap', fingerprint: 'after-server-restart' }),
    });
    expect(res.status, await res.text()).toBe(202);
    const opened = await incidentIdOf(client.workflow.getHandle('incident/performance-degradation/olap/after-server-restart'));
    await waitFor(() => receiver.of(opened).some((d) => d.kind === 'page'), {
      timeoutMs: 60_000,
      message: () => `the incident opened after the restart, ${opened}, was never paged`,
    });
    expect(worker.restarts() + api.restarts(), 'dbops processes restarted').toBe(0);

    const final = await acknowledgeAndResolve(handle, pool, receiver);
    await expectRunIntact(pool, receiver, final);
  } finally {
    await connection.close();
  }
});
