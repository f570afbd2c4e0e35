import { beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyChain } from '../../db/audit/chain';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import { addNoteUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { dbops } from '../support/cli';
import { startTestApi } from '../support/api';
import { calendar, devServerSuite, roster } from '../support/harness';
import { randomBytes } from 'node:crypto';
import { parseSecretKeys } from '../../lib/secretKeys';

describe('incidents end to end on the Temporal dev server', () => {
  const taskQueue = `dev-incidents-${Date.now()}`;
  // The worker signs each audit chain's head and the API verifies it with the same DBOPS_SECRET_KEY, as in production.
  const secretKeys = parseSecretKeys(`test-1:${randomBytes(32).toString('base64')}`, 'the test');
  const suite = devServerSuite(taskQueue, () => ({ secretKeys }));
  let cliEnv: Record<string, string>;
  beforeAll(() => {
    cliEnv = {
      TEMPORAL_ADDRESS: inject('devServerAddress'),
      DATABASE_URL: suite.harness.db.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
      LOG_LEVEL: 'silent',
    };
  });

  it('an alert posted to the intake opens an incident that a person acknowledges, resolves and audits with the CLI', async () => {
    const api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { secretKeys });
    try {
      const json = { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` };
      const bad = await fetch(`${api.url}/alerts`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ type: 'disk-on-fire', tier: 'oltp' }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/type: .*database-outage/);

      const alert = { type: 'connection-pool-exhaustion', tier: 'queue', fingerprint: `e2e-${Date.now()}`, summary: 'pool at 97%' };
      const first = await fetch(`${api.url}/alerts`, { method: 'POST', headers: json, body: JSON.stringify(alert) });
      expect(first.status).toBe(202);
      const { workflowId } = (await first.json()) as { workflowId: string };
      const again = await fetch(`${api.url}/alerts`, { method: 'POST', headers: json, body: JSON.stringify(alert) });
      expect(((await again.json()) as { workflowId: string }).workflowId).toBe(workflowId);

      const handle = suite.client.workflow.getHandle<typeof incidentResponse>(workflowId);
      let state = await handle.query(incidentStateQuery);
      for (let i = 0; i < 150 && (state.triggerCount < 2 || state.steps[0].status !== 'succeeded'); i++) {
        await new Promise((r) => setTimeout(r, 200));
        state = await handle.query(incidentStateQuery);
      }
      expect(state.triggerCount).toBe(2);
      expect(state.steps[0]).toMatchObject({ id: 'monitor-pools', status: 'succeeded' });

      // A token of someone the roster does not know is refused; the CLI acts as the person its token names.
      const refused = await dbops(['incident', 'ack', workflowId], {
        ...cliEnv,
        DBOPS_API_URL: api.url,
        DBOPS_TOKEN: await api.tokenOf('mallory'),
      });
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/refused \(403\): 'mallory' is not on the roster in force/);

      const oscar = { ...cliEnv, DBOPS_API_URL: api.url, DBOPS_TOKEN: await api.tokenOf('oscar') };
      const ack = await dbops(['incident', 'ack', workflowId], oscar);
      expect(ack.stdout).toMatch(/phase=acknowledged/);
      expect(ack.stdout).toMatch(/acknowledged by Oscar Kim/);

      // Open incidents are listable by their search attributes (visibility is eventually consistent: retry).
      let listed = '';
      for (let i = 0; i < 10 && !/acknowledged/.test(listed); i++) {
        listed =
          (await dbops(['incident', 'list', '--type', 'connection-pool-exhaustion', '--phase', 'acknowledged'], oscar)).stdout
            .split('\n')
            .find((l) => l.startsWith(state.incidentId)) ?? '';
      }
      // By INC id and title, with its level and who acknowledged it: people by name.
      expect(listed).toMatch(/connection-pool-exhaustion\s+queue\s+high\s+acknowledged\s+level 1/);

      const resolved = await dbops(['incident', 'resolve', state.incidentId, '--summary', 'raised pool max to 60'], oscar);
      expect(resolved.stdout).toMatch(/phase=resolved/);
      const result = await handle.result();
      expect(result.resolution).toBe('raised pool max to 60');

      const verify = await dbops(['audit', 'verify', result.incidentId], oscar);
      expect(verify.stdout).toMatch(
        /events, intact \(checked: its hash chain, the report columns of its incidents row, the anchor on its incidents row, the anchor's signature \(DBOPS_SECRET_KEY\), the workflow's history in Temporal\)/,
      );
      const storeOnly = await dbops(['audit', 'verify', result.incidentId, '--no-temporal'], oscar);
      expect(storeOnly.stdout).toMatch(
        /events, intact \(checked: its hash chain, the report columns of its incidents row, the anchor on its incidents row, the anchor's signature \(DBOPS_SECRET_KEY\)\)/,
      );
      // An auditor may name the incident by its workflow id: the audit store maps it.
      const csv = await dbops(['audit', 'show', workflowId, '--format', 'csv'], oscar);
      const kinds = csv.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[2]);
      expect(kinds[0]).toBe('opened');
      expect(kinds).toContain('retriggered');
      expect(kinds).toContain('acknowledged');
      expect(kinds.at(-1)).toBe('resolved');
    } finally {
      api.close();
    }
  }, 150_000); // nine CLI runs, each a process of its own: on a loaded 2-core machine that alone can pass a minute

  it('continues as new under a long incident without losing its state, clocks or audit chain', async () => {
    const { workflowId } = await openIncident(
      { client: suite.client, taskQueue, roster, calendar, continueAsNewAfterEvents: 40 },
      { type: 'data-integrity', tier: 'content', fingerprint: `long-${Date.now()}`, severity: 'medium' },
    );
    const handle = suite.client.workflow.getHandle<typeof incidentResponse>(workflowId);
    const before = await handle.query(incidentStateQuery);
    // Each note is an Update plus an audit write: the history grows past the budget several times.
    for (let i = 0; i < 30; i++) await handle.executeUpdate(addNoteUpdate, { args: [{ actor: 'dana', text: `note ${i}` }] });
    let after = await handle.query(incidentStateQuery);
    for (let i = 0; i < 50 && after.runs < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await handle.query(incidentStateQuery);
    }
    expect(after.runs).toBeGreaterThan(1);
    expect(after.notes.map((n) => n.text)).toEqual(Array.from({ length: 30 }, (_, i) => `note ${i}`));
    expect(after.escalation.responseDueAt).toBe(before.escalation.responseDueAt);
    expect(after.escalation.nextEscalationAt).toBe(before.escalation.nextEscalationAt);
    expect(after.incidentId).toBe(before.incidentId);

    await handle.executeUpdate(addNoteUpdate, { args: [{ actor: 'dana', text: 'closing' }] });
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'checked' }] });
    // An Update answers once its change is made; the run ends only when its audit trail has landed.
    const { incidentId } = await handle.result();
    const events = await readIncidentEvents(suite.harness.db.pool, incidentId);
    expect(verifyChain(events)).toEqual([]);
    expect(events.filter((e) => e.kind === 'note')).toHaveLength(31);
  });
});
