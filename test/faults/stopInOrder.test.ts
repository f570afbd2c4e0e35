import { describe, expect, it } from 'vitest';
import { processesOf, startService } from '../support/npmStart';
import { sleep, waitFor } from './support/waitFor';

const SENDERS = 12;
/** Alerts accepted before the Ctrl-C: the worker then has their incidents' audit and checks to catch up on. */
const ACCEPTED_BEFORE_INTERRUPT = 150;

/**
 * Ctrl-C in the terminal of `npm start` (SIGINT to its whole process group: npm, the shell, node) in the middle of a
 * burst of alerts. The stop goes in order: the intake stops taking requests, the worker drains, then Temporal, and
 * PostgreSQL last (no server gets the terminal's SIGINT itself). So no request is answered 5xx from a closed pool
 * or a stopped Temporal, nothing of its data folder runs afterwards, it says "dbops stopped.", and starts again.
 */
describe('fault: Ctrl-C of npm start during a burst of alerts', () => {
  it('stops in order, leaves nothing running, and starts again', { timeout: 180_000 }, async () => {
    const service = await startService({ viaNpm: true, env: { DBOPS_RATE_LIMIT_PER_MINUTE: '1000000' } });
    let again: Awaited<ReturnType<typeof startService>> | undefined;
    try {
      await service.running();
      const key = service.intakeKey();
      const statuses: number[] = [];
      const refusals: string[] = [];
      let next = 0;
      const send = async () => {
        for (;;) {
          const i = next++;
          try {
            const res = await fetch(`http://127.0.0.1:${service.intakePort}/alerts`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
              body: JSON.stringify({ type: 'performance-degradation', tier: 'olap', severity: 'critical', fingerprint: `burst-${i}` }),
            });
            statuses.push(res.status);
            if (res.status >= 500) refusals.push(`${res.status} ${await res.text()}`);
            else await res.arrayBuffer();
          } catch {
            return; // the intake no longer takes connections: what a stopping service must do
          }
        }
      };
      const burst = Array.from({ length: SENDERS }, send);
      await waitFor(() => statuses.length >= ACCEPTED_BEFORE_INTERRUPT, {
        timeoutMs: 60_000,
        message: () => `only ${statuses.length} alerts answered:\n${service.output}`,
      });
      process.kill(-service.child.pid!, 'SIGINT');
      await Promise.all(burst);

      // npm ends itself with the SIGINT it was sent once its script has exited: no exit code to check.
      await Promise.race([service.exited, sleep(90_000)]);
      expect(service.child.signalCode ?? service.child.exitCode, service.output).toBe('SIGINT');
      expect(service.output).toContain('dbops stopped.');
      expect(refusals, 'answers 5xx during the stop').toEqual([]);
      expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(ACCEPTED_BEFORE_INTERRUPT);
      expect(processesOf(service.dataDir), 'servers of its data folder still running').toEqual([]);

      again = await startService({ again: service });
      console.log(`start after Ctrl-C: up in ${await again.running()} ms`);
    } finally {
      again?.cleanUp();
      service.cleanUp();
    }
  });
});
