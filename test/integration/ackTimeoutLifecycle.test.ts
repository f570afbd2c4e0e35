import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { openIncident } from '../../client/incidents/openIncident';
import { SEVERITY_LIFECYCLE } from '../../runbooks/alertLifecycle';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { acknowledgeUpdate, addNoteUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { eventually } from '../support/eventually';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';

type Handle = WorkflowHandle<typeof incidentResponse>;

/**
 * The acknowledgement timeout on a real (time-skipping) Temporal server and PostgreSQL. A high incident's
 * acknowledgement holds 60 minutes without an update, then reminds the acknowledger, and 15 minutes later returns to
 * escalation. connection-pool-exhaustion: level 1 is the on-call engineer (oscar) and the database lead (dana).
 */
describe('acknowledgement timeout (time-skipping)', () => {
  const taskQueue = 'ts-ack-timeout';
  const suite = timeSkippingSuite(taskQueue);
  const { ackTimeoutMinutes, ackGraceMinutes } = SEVERITY_LIFECYCLE.high;
  const open = async (fingerprint: string) => {
    const { handle } = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      { type: 'connection-pool-exhaustion', tier: 'oltp', fingerprint, severity: 'high', title: fingerprint },
    );
    return handle as Handle;
  };
  const stateOf = (h: Handle) => h.query(incidentStateQuery);
  const sent = (incidentId: string, kind: string) =>
    suite.harness.channel.sent.filter((n) => n.subjectId === incidentId && n.kind === kind);
  const kindsOf = async (incidentId: string) => (await readIncidentEvents(suite.harness.db.pool, incidentId)).map((e) => e.kind);
  const sleepUntil = async (atMs: number) => suite.env.sleep(atMs - (await suite.env.currentTimeMs()));

  it('a note one second before the timeout starts it again: no reminder, no return to escalation', async () => {
    const h = await open('ack-then-note');
    const acked = await h.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    const remindAt = Date.parse(acked.ackTimer!.remindAt);
    expect(remindAt - Date.parse(acked.acknowledgedAt!)).toBe(ackTimeoutMinutes * 60_000);
    await sleepUntil(remindAt - 1000);
    const noted = await h.executeUpdate(addNoteUpdate, { args: [{ actor: 'oscar', text: 'pgbouncer restarted, watching' }] });
    expect(Date.parse(noted.ackTimer!.remindAt)).toBeGreaterThan(remindAt);
    // Past the first timer's reminder and return (60 + 15 minutes after the acknowledgement): nothing.
    await sleepUntil(Date.parse(acked.ackTimer!.returnAt) + 60_000);
    const after = await stateOf(h);
    expect(after).toMatchObject({ phase: 'acknowledged', acknowledgedBy: 'oscar' });
    expect(after.ackTimer!.reminded).toBe(false);
    expect(sent(after.incidentId, 'lifecycle')).toEqual([]);
    expect(sent(after.incidentId, 'escalation')).toEqual([]);
    expect(await kindsOf(after.incidentId)).not.toContain('ack-timed-out');
    // Resolving ends the timer with the incident: nothing can page months later.
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'pool resized' }] });
    expect((await h.result()).ackTimer).toBeUndefined();
  });

  it('no update: the acknowledger is reminded, then the incident returns to escalation from the level it was at', async () => {
    const h = await open('ack-lapses');
    const acked = await h.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar', note: 'looking' }] });
    const { incidentId } = acked;
    await sleepUntil(Date.parse(acked.ackTimer!.remindAt));
    const [reminder] = await eventually(
      'the reminder',
      () => sent(incidentId, 'lifecycle'),
      (r) => r.length > 0,
    );
    expect(reminder.recipients.map((r) => r.id)).toEqual(['oscar']);
    expect(reminder.message).toMatch(new RegExp(`no update for ${ackTimeoutMinutes} min: add a note or resolve it`));
    expect(sent(incidentId, 'escalation')).toEqual([]);
    expect((await stateOf(h)).phase).toBe('acknowledged');

    await sleepUntil(Date.parse(acked.ackTimer!.returnAt));
    const [again] = await eventually(
      'the page after the lapse',
      () => sent(incidentId, 'escalation'),
      (r) => r.length > 0,
    );
    expect(again.message).toMatch(/back in escalation, please acknowledge \(level 1\)/);
    expect(again.recipients.map((r) => r.id).sort()).toEqual(['dana', 'oscar']);
    const returned = await stateOf(h);
    expect(returned).toMatchObject({ phase: 'triggered', firstAcknowledged: { by: 'oscar' } });
    expect(returned.acknowledgedBy).toBeUndefined();
    const events = await readIncidentEvents(suite.harness.db.pool, incidentId);
    const timedOut = events.find((e) => e.kind === 'ack-timed-out')!;
    expect(timedOut.data).toMatchObject({
      acknowledgedBy: 'oscar',
      timeoutMinutes: ackTimeoutMinutes,
      graceMinutes: ackGraceMinutes,
      level: 1,
    });
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['ack-reminder', 'ack-timed-out']));

    // Acknowledged again: the report keeps the first acknowledgement (MTTA), the incident the new one.
    await h.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
    await h.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'pool resized' }] });
    await h.result();
    const row = await eventually(
      'the resolved row',
      async () =>
        (await suite.harness.db.pool.query('SELECT phase, acknowledged_by FROM incidents WHERE incident_id = $1', [incidentId])).rows[0],
      (r) => r?.phase === 'resolved',
    );
    expect(row.acknowledged_by).toBe('oscar');
    await maybeRecordHistory(h, 'incident-ack-timed-out');
  });
});
