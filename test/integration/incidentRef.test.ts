import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openIncident } from '../../client/incidents/openIncident';
import { acknowledgeUpdate, incidentStateQuery } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { startTestApi, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { calendar, devServerSuite, roster } from '../support/harness';

/**
 * An incident id names one incident, always. The workflow id is the dedup key and is reused when the same problem
 * comes back after a resolution, so a person acting on the old incident's id must be told it is resolved, not
 * acknowledge (or resolve, or annotate) the new one by accident.
 */
describe('an incident id on the Temporal dev server', () => {
  const taskQueue = `dev-incident-ref-${Date.now()}`;
  const suite = devServerSuite(taskQueue);
  let cliEnv: Record<string, string>;
  let api: TestApi;
  /** The CLI as a person: their own token, the API in front of the dev server. */
  const as: Record<string, Record<string, string>> = {};
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue);
    cliEnv = {
      TEMPORAL_ADDRESS: inject('devServerAddress'),
      DATABASE_URL: suite.harness.db.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DBOPS_API_URL: api.url,
      LOG_LEVEL: 'silent',
    };
    for (const person of ['dana', 'oscar']) as[person] = { ...cliEnv, DBOPS_TOKEN: await api.tokenOf(person) };
  });
  afterAll(() => api?.close());

  /** Opens (or reopens) the incident on the key and waits until the audit store knows its id. */
  async function open(fingerprint: string) {
    const ctx = { client: suite.client, taskQueue, roster, calendar };
    const { workflowId, runId } = await openIncident(ctx, { type: 'data-integrity', tier: 'content', fingerprint, severity: 'medium' });
    const handle = suite.client.workflow.getHandle<typeof incidentResponse>(workflowId, runId);
    const { incidentId } = await handle.query(incidentStateQuery);
    for (let i = 0; i < 100; i++) {
      const { rowCount } = await suite.harness.db.pool.query('SELECT 1 FROM incidents WHERE incident_id = $1', [incidentId]);
      if (rowCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return { workflowId, runId, incidentId, handle };
  }

  it('acting on a resolved incident by its id says it is resolved and leaves the newer incident on its key alone', async () => {
    const first = await open(`reopened-${Date.now()}`);
    const resolved = await dbops(['incident', 'resolve', first.incidentId, '--summary', 'restored from backup'], as.dana);
    expect(resolved.stderr).toBe('');
    expect(resolved.stdout).toMatch(/phase=resolved/);
    await first.handle.result();

    // The same problem comes back: a new incident on the same key, with an id of its own.
    const second = await open(first.workflowId.split('/').at(-1)!);
    expect(second.workflowId).toBe(first.workflowId);
    expect(second.incidentId).not.toBe(first.incidentId);

    for (const args of [
      ['incident', 'ack', first.incidentId],
      ['incident', 'note', first.incidentId, '--text', 'meant for the old one'],
      ['incident', 'severity', first.incidentId, 'critical'],
      ['incident', 'show', first.incidentId],
    ]) {
      const refused = await dbops(args, as.dana);
      // Refused (409: it is resolved), not a failure: exit 4.
      expect(refused.code, args.join(' ')).toBe(4);
      expect(refused.stderr).toContain(`${first.incidentId} is resolved`);
      expect(refused.stderr).toContain('restored from backup');
      expect(refused.stderr).toContain(`A later incident on ${first.workflowId} is ${second.incidentId} (triggered)`);
    }
    // The CLI pins its Updates to the incident's own run chain, so one racing the new incident's start is refused too.
    const pinned = suite.client.workflow.getHandle<typeof incidentResponse>(first.workflowId, undefined, {
      firstExecutionRunId: first.runId,
    });
    await expect(pinned.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] })).rejects.toThrow(WorkflowNotFoundError);
    const untouched = await second.handle.query(incidentStateQuery);
    expect(untouched).toMatchObject({ incidentId: second.incidentId, phase: 'triggered', severity: 'medium', notes: [] });
    expect(untouched.acknowledgedBy).toBeUndefined();

    // The new incident's own id reaches it.
    const ack = await dbops(['incident', 'ack', second.incidentId], as.oscar);
    expect(ack.stdout).toContain(second.incidentId);
    expect(ack.stdout).toMatch(/acknowledged by Oscar Kim/);
    await second.handle.terminate('test over');
  });

  it('a resolved incident that is still the latest on its key can be shown, not acted on', async () => {
    const only = await open(`resolved-only-${Date.now()}`);
    await dbops(['incident', 'resolve', only.incidentId, '--summary', 'false alarm'], as.dana);
    await only.handle.result();
    const shown = await dbops(['incident', 'show', only.incidentId], as.dana);
    expect(shown.stdout).toMatch(new RegExp(`${only.incidentId} .* phase=resolved`));
    const refused = await dbops(['incident', 'note', only.incidentId, '--text', 'late'], as.dana);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`${only.incidentId} is resolved`);
  });
});
