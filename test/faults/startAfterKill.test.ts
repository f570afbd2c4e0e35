import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { processesOf, startService, watchdogOf } from '../support/npmStart';
import { startFastIncident } from './support/fastIncident';
import { incidentIdOf } from './support/incidentRun';
import { sleep, waitFor } from './support/waitFor';

/** The escalation clock of the test's incident: its first rung falls due this long after its first page. */
const CADENCE_SECONDS = 10;

/** The kinds of the mails the demo mailbox kept for this incident (its X-Dbops-Kind header), with when they came. */
function mailsOf(dataDir: string, incidentId: string): { kind: string; at: number }[] {
  const dir = path.join(dataDir, 'mailbox');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => ({ text: fs.readFileSync(path.join(dir, name), 'utf8'), at: fs.statSync(path.join(dir, name)).mtimeMs }))
    .filter((m) => m.text.includes(`X-Dbops-Subject: ${incidentId}`))
    .map((m) => ({ kind: /X-Dbops-Kind: (\S+)/.exec(m.text)?.[1] ?? '?', at: m.at }));
}

/**
 * `npm start` killed as the OOM killer kills (SIGKILL: no handler runs) while an incident is waiting for its
 * deadline, and started again once the deadline has passed: nothing it started lingers or blocks the new start, which
 * is up in seconds, and the escalation that fell due while it was down goes out.
 */
describe('fault: npm start SIGKILLed, then started again', () => {
  const killAndStartAgain = async (o: { watchdogKilledToo: boolean }) => {
    const first = await startService();
    let second: Awaited<ReturnType<typeof startService>> | undefined;
    let connection: Connection | undefined;
    try {
      await first.running();
      connection = await Connection.connect({ address: `127.0.0.1:${first.port}` });
      const client = new Client({ connection });
      const handle = await startFastIncident(client, 'dbops', {
        type: 'database-outage',
        fingerprint: `start-after-kill-${o.watchdogKilledToo}`,
        cadenceSeconds: CADENCE_SECONDS,
      });
      const incidentId = await incidentIdOf(handle);
      await waitFor(() => mailsOf(first.dataDir, incidentId).some((m) => m.kind === 'page'), {
        timeoutMs: 30_000,
        message: () => `the first page of ${incidentId} never reached the demo mailbox:\n${first.output}`,
      });
      await connection.close();
      connection = undefined;

      const watchdog = watchdogOf(first.child.pid!);
      if (o.watchdogKilledToo && watchdog) process.kill(watchdog, 'SIGKILL');
      process.kill(first.child.pid!, 'SIGKILL');
      const killedAt = Date.now();
      await first.exited;
      if (o.watchdogKilledToo) {
        // Both gone as one: the servers are orphans the next start must find.
        expect(processesOf(first.dataDir).length, 'PostgreSQL and the dev server left running').toBe(2);
      } else {
        await waitFor(() => processesOf(first.dataDir).length === 0, {
          timeoutMs: 15_000,
          message: () => `servers outlived the killed npm start: ${JSON.stringify(processesOf(first.dataDir))}`,
        });
        await waitFor(() => watchdogOf(first.child.pid!) === undefined, {
          timeoutMs: 30_000,
          message: () => 'the watchdog outlived its work',
        });
      }
      // Down until the escalation is overdue.
      await sleep(Math.max(0, CADENCE_SECONDS * 1000 + 2000 - (Date.now() - killedAt)));

      second = await startService({ again: first });
      // Up again (the time is printed: the 15 s is a figure to watch, not a timed assertion on a loaded machine).
      const upMs = await second.running();
      if (o.watchdogKilledToo) {
        expect(second.output).toMatch(/found PostgreSQL \(pid \d+\) left running on \S+ by an earlier start that is gone; stopped it/);
        expect(second.output).toMatch(
          /found the Temporal dev server \(pid \d+\) left running on \S+ by an earlier start that is gone; stopped it/,
        );
      }
      const restartedAt = Date.now() - upMs;
      await waitFor(() => mailsOf(first.dataDir, incidentId).some((m) => m.kind === 'escalation' && m.at >= restartedAt), {
        timeoutMs: 60_000,
        message: () => `the overdue escalation of ${incidentId} never went out after the restart:\n${second!.output}`,
      });
      console.log(`restart after SIGKILL${o.watchdogKilledToo ? ' (watchdog too)' : ''}: up in ${upMs} ms`);
    } finally {
      await connection?.close();
      second?.cleanUp();
      first.cleanUp();
    }
  };

  it('its watchdog stops its servers at once; the next start comes up and sends the overdue page', { timeout: 180_000 }, () =>
    killAndStartAgain({ watchdogKilledToo: false }),
  );

  it(
    'killed with its watchdog: the next start names the servers left running, stops them, comes up and sends the overdue page',
    { timeout: 180_000 },
    () => killAndStartAgain({ watchdogKilledToo: true }),
  );
});
