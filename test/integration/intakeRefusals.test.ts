import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../runbooks/limits';
import { incidentWorkflowId } from '../../workflows/incident/messages';
import { startTestApi, type TestApi } from '../support/api';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The intake refuses what the audit store cannot hold, or cannot read, with a status that says why, and starts
 * nothing for it: an alert accepted with a NUL in its title would open an incident whose every audit write fails.
 */
describe('the alert intake refuses bodies it cannot store, starting nothing', () => {
  const taskQueue = `intake-refusals-${Date.now()}`;
  let connection: Connection;
  let client: Client;
  let db: TestDatabase;
  let api: TestApi;
  let url: string;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('devServerAddress') });
    client = new Client({ connection });
    db = await createTestDatabase('intake');
    api = await startTestApi(client, db.pool, taskQueue);
    url = `${api.url}/alerts`;
  });
  afterAll(async () => {
    api?.close();
    await connection?.close();
    await db?.drop();
  });

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(url, { method: 'POST', body, headers: { authorization: `Bearer ${api.integrationKey}`, ...headers } });
  const alert = (fingerprint: string, fields: Record<string, unknown> = {}) =>
    JSON.stringify({ type: 'security-breach', tier: 'oltp', fingerprint, ...fields });

  /** No incident was started on the key (Temporal answers "not found" for its workflow id). */
  async function expectNothingStarted(fingerprint: string) {
    const describe = client.workflow.getHandle(incidentWorkflowId('security-breach', 'oltp', fingerprint)).describe();
    await expect(describe).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }

  it.each([
    ['a NUL in the title', { title: 'a\u0000b' }, /title contains a NUL character/],
    ['a NUL in the summary', { summary: 'pool\u0000' }, /summary contains a NUL character/],
    ['an unpaired surrogate in the summary', { summary: 'x\ud800y' }, /summary contains an unpaired UTF-16 surrogate/],
    [
      'a sender named in the body (the key names it)',
      { by: 'dana' },
      /by is not accepted: the sender is the integration the key names \('monitoring'\)/,
    ],
    ['an over-long title', { title: 't'.repeat(301) }, /title is 301 characters long; at most 300 are accepted/],
    ['an over-long summary', { summary: 's'.repeat(2001) }, /summary is 2001 characters long; at most 2000/],
    ['a source timestamp that is not a date-time', { firedAt: 'yesterday' }, /firedAt: an ISO 8601 date-time with a zone/],
  ])('400 for %s, naming the field and what is accepted', async (_case, fields, message) => {
    const fingerprint = `refused-${Math.random().toString(36).slice(2)}`;
    const res = await post(alert(fingerprint, fields));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(message);
    await expectNothingStarted(fingerprint);
  });

  it('400 for a fingerprint with a NUL or of the wrong shape', async () => {
    const res = await post(alert('fp\u0000'));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/fingerprint: letters, digits/);
  });

  it('413 for a body over the limit, with or without a content-length, and 415 for a body that is not JSON', async () => {
    const fingerprint = `big-${Date.now()}`;
    const big = alert(fingerprint, { padding: 'x'.repeat(MAX_BODY_BYTES) });
    const sized = await post(big);
    expect(sized.status).toBe(413);
    expect(((await sized.json()) as { error: string }).error).toMatch(`${MAX_BODY_BYTES} bytes`);
    // A chunked body has no content-length: the limit still holds while it is read.
    const stream = new Blob([big]).stream();
    const chunked = await fetch(url, {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` },
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    await expectNothingStarted(fingerprint);

    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }]) {
      const res = await post(alert(fingerprint), headers);
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: string }).error).toMatch(/only application\/json is accepted/);
    }
    await expectNothingStarted(fingerprint);
  });

  it('400 for a body that is not valid JSON or not an object', async () => {
    for (const body of ['{"type": "security-breach", ', '[1,2]', '"text"', 'null']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/JSON/);
    }
  });

  it('accepts a well-formed alert with a JSON content type and a charset (control)', async () => {
    const fingerprint = `accepted-${Date.now()}`;
    const res = await post(alert(fingerprint, { title: 'Superuser session from 10.1.2.3', summary: 'ünïcode ✓ 🙂' }), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    expect(workflowId).toBe(incidentWorkflowId('security-breach', 'oltp', fingerprint));
    await client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('stamps its own receive time on the alert; a receivedAt in the body is not taken, a firedAt is kept beside it', async () => {
    const fingerprint = `stamped-${Date.now()}`;
    const before = Date.now();
    const res = await post(alert(fingerprint, { receivedAt: '2000-01-01T00:00:00Z', firedAt: '2026-11-25T15:59:00Z' }));
    const after = Date.now();
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const handle = client.workflow.getHandle(workflowId);
    const started = (await handle.fetchHistory()).events![0].workflowExecutionStartedEventAttributes!;
    const input = JSON.parse(Buffer.from(started.input!.payloads![0].data!).toString()) as {
      trigger: { receivedAt: string; firedAt: string };
    };
    expect(Date.parse(input.trigger.receivedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(input.trigger.receivedAt)).toBeLessThanOrEqual(after);
    expect(input.trigger.firedAt).toBe('2026-11-25T15:59:00Z');
    await handle.terminate('test over');
  });
});
