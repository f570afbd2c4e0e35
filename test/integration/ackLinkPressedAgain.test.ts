import { describe, expect, it } from 'vitest';
import { openIncident } from '../../client/incidents/openIncident';
import { signPageLink } from '../../lib/pageLinks';
import { incidentStateQuery } from '../../workflows/incident/messages';
import { startTestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { devServerSuiteWithoutWorker } from '../support/harness';

const LINK_SECRET = 'pressed-again-link-secret-'.padEnd(48, 'q');

/**
 * A person presses an ack link's button while the worker is slow (a loaded machine, a worker restarting): the API
 * answers 503 at its deadline and says to open the link again, but the acknowledgement was only late, not lost, and
 * goes through once a worker runs it. Pressed again, the link must say "Acknowledged" as that person, not refuse it as
 * "already acknowledged". Played with the worker stopped during the first press (dev server, real PostgreSQL).
 */
describe('an ack link pressed again after a 503 whose acknowledgement went through late (dev server)', () => {
  const taskQueue = `dev-ack-again-${Date.now()}`;
  const suite = devServerSuiteWithoutWorker(taskQueue);

  it('answers Acknowledged as the link’s person, and the link is then spent', { timeout: 120_000 }, async () => {
    let worker = await suite.runWorker();
    const api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { pageLinkSecret: LINK_SECRET, deadlineMs: 2_000 });
    try {
      const opened = await openIncident(suite.incidents, {
        type: 'performance-degradation',
        tier: 'content',
        severity: 'medium',
        fingerprint: `pressed-again-${Date.now()}`,
      });
      const handle = suite.client.workflow.getHandle(opened.workflowId);
      const paged = await eventually(
        'the first page',
        () => handle.query(incidentStateQuery),
        (s) => (s.paged?.length ?? 0) > 0,
      );
      await worker.stop();

      const person = paged.paged![0];
      const token = signPageLink(LINK_SECRET, {
        purpose: 'ack',
        incidentId: paged.incidentId,
        person,
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
        linkId: `pressed-again-${Date.now()}`,
        workflowId: opened.workflowId,
      });
      const link = `${api.url}/links/ack/${token}`;

      const first = await fetch(link, { method: 'POST' });
      const firstPage = await first.text();
      expect(first.status, firstPage).toBe(503);
      expect(firstPage).toContain('This link still works');
      expect((await suite.harness.db.pool.query('SELECT 1 FROM used_page_links WHERE incident_id = $1', [paged.incidentId])).rowCount).toBe(
        0,
      );

      // A worker comes back and runs the waiting acknowledgement: it was late, not lost.
      worker = await suite.runWorker();
      await eventually(
        'the late acknowledgement',
        () => handle.query(incidentStateQuery),
        (s) => s.acknowledgedBy === person,
      );

      const again = await fetch(link, { method: 'POST' });
      const againPage = await again.text();
      expect(again.status, againPage).toBe(200);
      expect(againPage).toMatch(/Acknowledged INC-.*Acknowledged as <strong>/s);
      const third = await fetch(link, { method: 'POST' });
      expect(third.status).toBe(409);
      expect(await third.text()).toContain('Link already used');
      await handle.terminate('test over');
    } finally {
      api.close();
      await worker.stop();
    }
  });
});
