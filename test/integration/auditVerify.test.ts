import { describe, expect, it } from 'vitest';
import { openIncident } from '../../client/incidents/openIncident';
import { verifyIncidentAudit } from '../../client/incidents/verifyAudit';
import { eventHash, GENESIS_HASH } from '../../db/audit/chain';
import { parseSecretKeys } from '../../lib/secretKeys';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { acknowledgeUpdate, addNoteUpdate, resolveUpdate } from '../../workflows/incident/messages';
import { calendar, devServerSuite, roster } from '../support/harness';

/** An auditor's check of a trail that someone with write access to the store has tampered with. */
describe('audit verify on the Temporal dev server', () => {
  const taskQueue = `dev-audit-verify-${Date.now()}`;
  // The key the worker signs chain heads with; the store never holds it (an auditor's CLI has it: DBOPS_SECRET_KEY).
  const keys = parseSecretKeys(`audit-1:${'ab'.repeat(32)}`, 'test key');
  const suite = devServerSuite(taskQueue, () => ({ secretKeys: keys }));

  /** A resolved incident with a handful of events, all written. */
  async function resolvedIncident(fingerprint: string): Promise<string> {
    const { handle } = await openIncident(
      { client: suite.client, taskQueue, roster, calendar },
      { type: 'data-integrity', tier: 'olap', fingerprint },
    );
    await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
    await handle.executeUpdate(addNoteUpdate, { args: [{ actor: 'dana', text: 'scope: one table' }] });
    const final = await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'restored from backup' }] });
    await handle.result();
    return final.incidentId;
  }

  it('finds an untouched trail intact against its chain, its anchor and the history', async () => {
    const incidentId = await resolvedIncident(`intact-${Date.now()}`);
    const verdict = await verifyIncidentAudit(suite.harness.db.pool, incidentId, suite.client, keys);
    expect(verdict.problems).toEqual([]);
    expect(verdict.checkedAgainst).toEqual([
      'the report columns of its incidents row',
      'the anchor on its incidents row',
      "the anchor's signature (DBOPS_SECRET_KEY)",
      "the workflow's history in Temporal",
    ]);
  });

  it('names the event when the last one is deleted (the chain alone would look intact)', async () => {
    const incidentId = await resolvedIncident(`cut-tail-${Date.now()}`);
    const pool = suite.harness.db.pool;
    const before = await readIncidentEvents(pool, incidentId);
    await pool.query('DELETE FROM incident_events WHERE incident_id = $1 AND seq = $2', [incidentId, before.length]);
    const verdict = await verifyIncidentAudit(pool, incidentId, suite.client);
    expect(verdict.problems).toEqual([
      // The row still says resolved; its events no longer do.
      expect.stringMatching(/^incidents\.resolved_at is .*, but its events say empty/),
      'incidents.phase is resolved, but its events say open (the row or its events were edited)',
      `#${before.length}..#${before.length}: missing at the tail (the incidents row counts ${before.length} events)`,
      expect.stringMatching(new RegExp(`^#${before.length}: 'resolved' at .* is in Temporal's history but missing from the audit store$`)),
    ]);
  });

  it("names the event when a row is deleted and the chain and anchor recomputed with the project's own hash", async () => {
    const incidentId = await resolvedIncident(`rewritten-${Date.now()}`);
    const pool = suite.harness.db.pool;
    const events = await readIncidentEvents(pool, incidentId);
    const note = events.find((e) => e.kind === 'note')!;
    // The forger removes the note, renumbers what follows and recomputes every hash, and the anchor too.
    await pool.query('DELETE FROM incident_events WHERE incident_id = $1', [incidentId]);
    let prev = GENESIS_HASH;
    let seq = 0;
    for (const e of events.filter((x) => x !== note)) {
      seq++;
      const eventId = `${incidentId}#${seq}`;
      const hash = eventHash(prev, { ...e, eventId, seq });
      await pool.query(
        `INSERT INTO incident_events (event_id, incident_id, seq, kind, actor, occurred_at, data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
        [eventId, incidentId, seq, e.kind, e.actor, e.occurredAt, JSON.stringify(e.data), prev, hash],
      );
      prev = hash;
    }
    await pool.query('UPDATE incidents SET event_count = $2, last_hash = $3 WHERE incident_id = $1', [incidentId, seq, prev]);

    expect((await verifyIncidentAudit(pool, incidentId)).problems).toEqual([]); // the store alone is fooled
    // … but not with the key the store does not hold: the forger could not sign the new head.
    expect((await verifyIncidentAudit(pool, incidentId, undefined, keys)).problems).toEqual([
      'the anchor on its incidents row does not carry its signature: the chain head was rewritten',
    ]);
    const verdict = await verifyIncidentAudit(pool, incidentId, suite.client);
    expect(verdict.problems).toContain(`#${note.seq}: the store says '${events[note.seq].kind}', Temporal's history 'note'`);
    expect(verdict.problems.at(-1)).toMatch(
      new RegExp(`^#${events.length}: 'resolved' at .* is in Temporal's history but missing from the audit store$`),
    );
  });

  /** The forger's tool: rewrites the trail as `edit` says, recomputing every hash and the anchor with the project's own code. */
  async function forge(incidentId: string, edit: (e: Awaited<ReturnType<typeof readIncidentEvents>>[number]) => void) {
    const pool = suite.harness.db.pool;
    const events = await readIncidentEvents(pool, incidentId);
    await pool.query('DELETE FROM incident_events WHERE incident_id = $1', [incidentId]);
    let prev = GENESIS_HASH;
    for (const e of events) {
      edit(e);
      const hash = eventHash(prev, e);
      await pool.query(
        `INSERT INTO incident_events (event_id, incident_id, seq, kind, actor, occurred_at, data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
        [e.eventId, incidentId, e.seq, e.kind, e.actor, e.occurredAt, JSON.stringify(e.data), prev, hash],
      );
      prev = hash;
    }
    await pool.query('UPDATE incidents SET last_hash = $2 WHERE incident_id = $1', [incidentId, prev]);
  }

  it('names a same-kind rewrite of content (who acknowledged, a note’s text) with the chain and anchor recomputed', async () => {
    const incidentId = await resolvedIncident(`content-${Date.now()}`);
    const pool = suite.harness.db.pool;
    await forge(incidentId, (e) => {
      if (e.kind === 'acknowledged') e.actor = 'erin';
      if (e.kind === 'note') e.data = { ...(e.data as object), text: 'scope: nothing lost' };
    });
    await pool.query("UPDATE incidents SET acknowledged_by = 'erin' WHERE incident_id = $1", [incidentId]);
    expect((await verifyIncidentAudit(pool, incidentId)).problems).toEqual([]); // chain, anchor and row agree: the store alone is fooled
    const verdict = await verifyIncidentAudit(pool, incidentId, suite.client);
    expect(verdict.problems).toEqual([
      expect.stringMatching(/^#\d+ 'acknowledged': the store's actor 'erin' \(history: 'dana'\) differ from what the workflow wrote$/),
      expect.stringMatching(/^#\d+ 'note': the store's data text differ from what the workflow wrote$/),
    ]);
  });

  it('names report columns edited on the incidents row (MTTA and MTTR read them), with or without Temporal', async () => {
    const incidentId = await resolvedIncident(`columns-${Date.now()}`);
    const pool = suite.harness.db.pool;
    await pool.query(
      "UPDATE incidents SET acknowledged_at = acknowledged_at + interval '30 minutes', resolved_at = NULL WHERE incident_id = $1",
      [incidentId],
    );
    for (const client of [undefined, suite.client]) {
      const { problems } = await verifyIncidentAudit(pool, incidentId, client);
      expect(problems).toEqual([
        expect.stringMatching(/^incidents\.acknowledged_at is .*, but its events say .* \(the row or its events were edited\)$/),
        expect.stringMatching(/^incidents\.resolved_at is empty, but its events say .* \(the row or its events were edited\)$/),
      ]);
    }
  });
});
