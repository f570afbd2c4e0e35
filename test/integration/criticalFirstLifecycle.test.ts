import { afterAll, describe, expect, it } from 'vitest';
import { openIncident } from '../../client/incidents/openIncident';
import { eventually } from '../support/eventually';
import { devServerSuiteWithoutWorker } from '../support/harness';

const LOW = 300;

/**
 * A critical incident's opening page must not wait behind lower-severity work. Hundreds of low incidents are opened
 * while no worker runs, so their first tasks are queued; then a critical one; then the worker starts, as after a
 * restart in a storm. On one task queue the critical incident's first task is the last in line and its page comes
 * after (nearly) every low one's; it must come before most of them.
 */
describe('critical first: lifecycle of a critical incident opened behind a queue of low ones (dev server)', () => {
  const suite = devServerSuiteWithoutWorker(`dev-critical-first-${Date.now()}`);
  const opened: string[] = [];

  // Terminated before the worker stops, so it has no work of theirs left to drain.
  const terminateOpened = () =>
    Promise.allSettled(opened.splice(0).map((id) => suite.client.workflow.getHandle(id).terminate('test over')));
  afterAll(async () => {
    if (suite.client) await terminateOpened();
  });

  it('pages the critical incident before the queued low incidents are drained', { timeout: 240_000 }, async () => {
    const run = Date.now().toString(36);
    for (let i = 0; i < LOW; i += 25) {
      const batch = Array.from({ length: Math.min(25, LOW - i) }, (_, j) => `low-${run}-${i + j}`);
      const lows = await Promise.all(
        batch.map((fingerprint) =>
          openIncident(suite.incidents, { type: 'performance-degradation', tier: 'olap', severity: 'low', fingerprint }),
        ),
      );
      opened.push(...lows.map((l) => l.workflowId));
    }
    const critical = await openIncident(suite.incidents, {
      type: 'database-outage',
      tier: 'oltp',
      severity: 'critical',
      fingerprint: `critical-${run}`,
    });
    opened.push(critical.workflowId);

    const worker = await suite.runWorker();
    try {
      // The opening pages in the order the channel received them, one per incident.
      const firstPages = () => [...new Set(suite.harness.channel.sent.filter((n) => n.kind === 'page').map((n) => n.workflowId!))];
      const order = await eventually('the critical incident paged', firstPages, (ids) => ids.includes(critical.workflowId), 180_000);
      const lowsPagedBefore = order.indexOf(critical.workflowId);
      // Behind them on one queue it would be about LOW; a few in flight when the worker started may come first.
      expect(lowsPagedBefore).toBeLessThan(LOW / 2);
      // And the low incidents are not starved: every one of them is paged too.
      await eventually('every low incident paged', firstPages, (ids) => ids.length === LOW + 1, 180_000);
    } finally {
      await terminateOpened();
      await worker.stop();
    }
  });
});
