import { describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { handoffNotices } from '../../db/oncall/handoffs';
import { createOverrides } from '../../db/oncall/overrides';
import { openIncident } from '../../client/incidents/openIncident';
import { ensureHandoffWorkflow, handoffWorkflowId } from '../../client/oncall/handoffWatch';
import { ROSTER_ONLY, type SchedulesInForce } from '../../lib/schedules';
import { acknowledgeUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { handoffWatchStateQuery } from '../../workflows/oncall/onCallHandoffs';
import { eventually } from '../support/eventually';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { startTestApi } from '../support/api';
import { dbops } from '../support/cli';
import { maybeRecordHistory } from '../support/histories';

const HOUR = 3_600_000;

/**
 * Handoffs told on the time-skipping server: an override's start and end, and a schedule edited while the handoff
 * workflow runs, each send one notice to the person handing over and one to the person taking over, listing the open
 * incidents the role answers for by INC id, title, severity and phase; each is audited once.
 */
describe('on-call handoff notices', () => {
  const taskQueue = 'ts-oncall-handoff';
  let schedules: SchedulesInForce = ROSTER_ONLY;
  const suite = timeSkippingSuite(taskQueue, () => ({
    currentRoster: () => ({ roster, version: 'roster-test' }),
    currentSchedules: () => schedules,
  }));
  const handoffsSent = () => suite.harness.channel.sent.filter((n) => n.kind === 'handoff');
  const noticeTo = (person: string, atIso: string) => handoffsSent().filter((n) => n.recipients[0].id === person && n.occurredAt === atIso);

  it('at an override’s start and end, tells both people the open incidents changing hands, once each', async () => {
    const ctx = { client: suite.env.client, taskQueue, roster, calendar };
    const t0 = await suite.env.currentTimeMs();
    // Opened one after the other: a notice lists them oldest first.
    const open = async (request: Parameters<typeof openIncident>[1]) => {
      const { handle } = await openIncident(ctx, request);
      return { handle, incidentId: (await handle.query(incidentStateQuery)).incidentId };
    };
    const outage = await open({ type: 'database-outage', tier: 'oltp', severity: 'critical', fingerprint: 'h1', title: 'Primary down' });
    const slow = await open({
      type: 'performance-degradation',
      tier: 'olap',
      severity: 'medium',
      fingerprint: 'h2',
      title: 'Slow reports',
    });
    const closed = await open({ type: 'performance-degradation', tier: 'oltp', severity: 'low', fingerprint: 'h3', title: 'Over already' });
    await slow.handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    await closed.handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'oscar' }] });
    await closed.handle.executeUpdate(resolveUpdate, { args: [{ actor: 'oscar', summary: 'done' }] });
    // The audit store's incident rows (what a handoff reads) are written by the incidents' own activities.
    await eventually(
      'the incidents in the audit store',
      async () => (await suite.harness.db.pool.query("SELECT phase FROM incidents WHERE phase <> 'triggered'")).rows.map((r) => r.phase),
      (phases) => phases.includes('acknowledged') && phases.includes('resolved'),
    );

    // Bea takes the on-call role (held by oscar on the roster) for an hour, starting in an hour.
    const start = t0 + HOUR;
    const end = t0 + 2 * HOUR;
    await createOverrides(
      suite.harness.db.pool,
      'on-call-engineer',
      { id: 'dana', rosterVersion: 't', scheduleVersion: 't' },
      'cover',
      () => [{ role: 'on-call-engineer', person: 'bea', start, end, replaces: ['oscar'] }],
    );
    // Every worker start asks for it; there is one.
    const first = await ensureHandoffWorkflow(suite.env.client, taskQueue);
    expect(await ensureHandoffWorkflow(suite.env.client, taskQueue)).toEqual(first);

    await suite.env.sleep(2 * HOUR + 60_000);
    const startIso = new Date(start).toISOString();
    const endIso = new Date(end).toISOString();
    await eventually('four handoff notices', handoffsSent, (sent) => sent.length >= 4);

    const [toOscar] = noticeTo('oscar', startIso);
    const [toBea] = noticeTo('bea', startIso);
    expect(toOscar.message).toContain('you hand on-call-engineer over to Bea Novak');
    expect(toBea.message).toContain('you take on-call-engineer over from Oscar Kim');
    for (const notice of [toOscar, toBea] as NotificationRequest[]) {
      expect(notice.message).toContain(`${outage.incidentId} "Primary down" (critical, triggered)`);
      expect(notice.message).toContain(`${slow.incidentId} "Slow reports" (medium, acknowledged)`);
      expect(notice.message).not.toContain(closed.incidentId);
      expect(notice.message).toContain('Open incidents changing hands (2)');
    }
    // The override's end hands the role back.
    expect(noticeTo('bea', endIso)[0].message).toContain('you hand on-call-engineer over to Oscar Kim');
    expect(noticeTo('oscar', endIso)[0].message).toContain('you take on-call-engineer over from Bea Novak');
    // Once each: by id, and at the channel.
    expect(handoffsSent()).toHaveLength(4);
    expect(new Set(handoffsSent().map((n) => n.notificationId)).size).toBe(4);

    const audit = await handoffNotices(suite.harness.db.pool);
    expect(audit.map((a) => [a.handoffAt, a.person, a.direction])).toEqual([
      [startIso, 'oscar', 'outgoing'],
      [startIso, 'bea', 'incoming'],
      [endIso, 'bea', 'outgoing'],
      [endIso, 'oscar', 'incoming'],
    ]);
    expect(audit[0].incidents.map((i) => i.incidentId)).toEqual([outage.incidentId, slow.incidentId]);
    expect(audit[0]).toMatchObject({ role: 'on-call-engineer', rosterVersion: 'roster-test', scheduleVersion: 'none' });
    // What an auditor reads: the notices by name, with the incidents that changed hands.
    // Through the API, as any person on the roster (no DATABASE_URL: the CLI reads no store).
    const api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue);
    const printed = await dbops(['oncall', 'handoffs'], {
      DBOPS_API_URL: api.url,
      DBOPS_TOKEN: await api.tokenOf('sam'),
      DBOPS_TIMEZONE: 'UTC',
    });
    api.close();
    expect(printed.code, printed.stderr).toBe(0);
    const lines = printed.stdout.split('\n');
    expect(lines[0]).toMatch(/^handoff\s+role\s+told\s+as\s+open incidents/);
    expect(lines[1]).toMatch(
      /on-call-engineer\s+Oscar Kim\s+handing over\s+INC-\S+ Primary down \(critical, triggered\); INC-\S+ Slow reports/,
    );
    expect(lines[2]).toMatch(/on-call-engineer\s+Bea Novak\s+taking over/);
    await Promise.all([outage.handle.terminate('test over'), slow.handle.terminate('test over')]);
  });

  it('a schedule edited while it runs moves the next handoff: the new rotation’s handoffs are told', async () => {
    const handle = suite.env.client.workflow.getHandle(handoffWorkflowId(taskQueue));
    const now = await suite.env.currentTimeMs();
    // Handoffs after the last telling are told at its next wake, even one the edit puts a moment in the past.
    const toldUpTo = Date.parse((await handle.query(handoffWatchStateQuery)).toldUpTo);
    const day = new Date(now).toISOString().slice(0, 10);
    // From now on: oscar and bea hand the role over every hour on the hour (UTC), oscar first from today 00:00.
    schedules = {
      version: 'hourly',
      schedules: {
        schedules: [
          {
            role: 'on-call-engineer',
            layers: [
              {
                participants: ['oscar', 'bea'],
                rotation: { every: 1, unit: 'hours' },
                handoff: { time: '00:00' },
                timeZone: 'UTC',
                start: day,
              },
            ],
          },
        ],
      },
    };
    const before = handoffsSent().length;
    await suite.env.sleep(HOUR);
    const hours: string[] = [];
    for (let h = Math.floor(toldUpTo / HOUR + 1) * HOUR; h <= now + HOUR; h += HOUR) hours.push(new Date(h).toISOString());
    const newOnes = () => handoffsSent().slice(before);
    await eventually('the hourly handoffs told', newOnes, (sent) => sent.length >= 2 * hours.length);
    expect(
      newOnes()
        .map((n) => `${n.occurredAt} ${n.recipients[0].id}`)
        .sort(),
    ).toEqual(hours.flatMap((h) => [`${h} bea`, `${h} oscar`]));
    const audit = await handoffNotices(suite.harness.db.pool, { from: Date.parse(hours[0]) });
    expect(new Set(audit.map((a) => a.scheduleVersion))).toEqual(new Set(['hourly']));

    expect(Date.parse((await handle.query(handoffWatchStateQuery)).toldUpTo)).toBeGreaterThanOrEqual(Date.parse(hours.at(-1)!));
    await maybeRecordHistory(handle, 'oncall-handoffs');
    await handle.terminate('test over');
  });
});
