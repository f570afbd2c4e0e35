import { describe, expect, it } from 'vitest';
import { openIncident } from '../../client/incidents/openIncident';
import { SEVERITY_LIFECYCLE } from '../../runbooks/alertLifecycle';
import { zonedTimeToUtc, localParts } from '../../runbooks/calendar';
import type { IncidentTypeId } from '../../runbooks/types';
import { acknowledgeUpdate, incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { calendar, roster, timeSkippingSuite } from '../support/harness';

/**
 * The seed's clocks, written out: minutes after opening at which each rung of the ladder is paged when nobody
 * acknowledges. Rungs: see runbooks/plan.ts (escalationRoles).
 */
const L1 = ['database-lead', 'on-call-engineer'];
const EXPECTED_PAGES: Record<IncidentTypeId, { minute: number; roles: string[] }[]> = {
  // critical: the whole ladder at once, then the whole ladder again every 5 minutes (repeat 1, 2 …)
  'database-outage': [0, 5, 10].flatMap((minute) => [
    { minute, roles: L1 },
    { minute, roles: ['cto'] },
    { minute, roles: ['ceo'] },
  ]),
  // high, 10-minute type: first climb at 10, then every 30; after the top, level 1 again (the on-call is woken again)
  'connection-pool-exhaustion': [
    { minute: 0, roles: L1 },
    { minute: 10, roles: ['engineering-manager'] },
    { minute: 40, roles: ['cto'] },
    { minute: 70, roles: ['ceo'] },
    { minute: 100, roles: L1 },
    { minute: 130, roles: ['engineering-manager'] },
  ],
  // high, 15-minute type
  'data-integrity': [
    { minute: 0, roles: L1 },
    { minute: 15, roles: ['product-owner'] },
    { minute: 45, roles: ['engineering-manager'] },
    { minute: 75, roles: ['cto'] },
    { minute: 105, roles: ['ceo'] },
    { minute: 135, roles: L1 },
  ],
  // medium, 30-minute type: first climb at 30, then every 4 hours
  'performance-degradation': [
    { minute: 0, roles: L1 },
    { minute: 30, roles: ['engineering-manager'] },
    { minute: 270, roles: ['cto'] },
    { minute: 510, roles: ['ceo'] },
    { minute: 750, roles: L1 },
  ],
  // critical
  'security-breach': [0, 5].flatMap((minute) =>
    [['on-call-engineer', 'security-team'], ['legal'], ['database-lead'], ['engineering-manager'], ['cto'], ['ceo']].map((roles) => ({
      minute,
      roles,
    })),
  ),
  // an alert no rule routes: high, 15-minute type, the on-call ladder
  unclassified: [
    { minute: 0, roles: L1 },
    { minute: 15, roles: ['engineering-manager'] },
    { minute: 45, roles: ['cto'] },
    { minute: 75, roles: ['ceo'] },
    { minute: 105, roles: L1 },
  ],
};

describe('escalation ladder (time-skipping)', () => {
  const taskQueue = 'ts-ladder';
  const suite = timeSkippingSuite(taskQueue);

  const pagesFor = (incidentId: string, openedAt: string) =>
    suite.harness.channel.sent
      .filter((n) => n.subjectId === incidentId && (n.kind === 'page' || n.kind === 'escalation'))
      .map((n) => ({
        minute: Math.round((Date.parse(n.occurredAt) - Date.parse(openedAt)) / 60_000),
        roles: [...new Set(n.recipients.map((r) => r.role))].sort(),
      }))
      // Rungs paged at the same minute go out together, in any order.
      .sort((a, b) => a.minute - b.minute || a.roles.join().localeCompare(b.roles.join()));

  for (const [type, expected] of Object.entries(EXPECTED_PAGES) as [IncidentTypeId, (typeof EXPECTED_PAGES)[IncidentTypeId]][]) {
    it(`${type}: pages each level at the seed's minute, starts again from level 1 after the top, and stops once acknowledged`, async () => {
      const { handle } = await openIncident(
        { client: suite.env.client, taskQueue, roster, calendar },
        { type, tier: 'oltp', fingerprint: `ladder-${type}` },
      );
      const lastMinute = expected.at(-1)!.minute;
      await suite.env.sleep((lastMinute + 1) * 60_000);
      const state = await handle.query(incidentStateQuery);
      const byMinute = (a: { minute: number; roles: string[] }, b: { minute: number; roles: string[] }) =>
        a.minute - b.minute || a.roles.join().localeCompare(b.roles.join());
      expect(pagesFor(state.incidentId, state.openedAt)).toEqual([...expected].sort(byMinute));

      await handle.executeUpdate(acknowledgeUpdate, { args: [{ actor: 'dana' }] });
      const pagesAtAck = pagesFor(state.incidentId, state.openedAt).length;
      // Silent until the acknowledgement would lapse with no update (ackTimeout.ts; ackTimeoutLifecycle.test.ts).
      const { ackTimeoutMinutes, ackGraceMinutes } = SEVERITY_LIFECYCLE[state.severity];
      await suite.env.sleep((ackTimeoutMinutes + ackGraceMinutes - 1) * 60_000);
      expect(pagesFor(state.incidentId, state.openedAt).length).toBe(pagesAtAck);
      await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'ladder test' }] });
      await handle.result();
    });
  }

  it('a low-severity incident opened Friday evening escalates Monday at the start of business in the configured zone', async () => {
    // Move the test server's clock to the coming Friday, 18:00 in Europe/Berlin.
    const now = await suite.env.currentTimeMs();
    const today = localParts(now, calendar.timeZone);
    const daysToFriday = (5 - today.weekday + 7) % 7 || 7;
    const friday = new Date(Date.UTC(today.year, today.month - 1, today.day + daysToFriday));
    const fridayEvening = zonedTimeToUtc(friday.getUTCFullYear(), friday.getUTCMonth() + 1, friday.getUTCDate(), 18, calendar.timeZone);
    await suite.env.sleep(fridayEvening - now);

    const { handle } = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      { type: 'performance-degradation', tier: 'olap', severity: 'low', fingerprint: 'friday' },
    );
    await suite.env.sleep('3 days');
    const state = await handle.query(incidentStateQuery);
    const escalations = suite.harness.channel.sent.filter((n) => n.subjectId === state.incidentId && n.kind === 'escalation');
    const monday = new Date(friday.getTime() + 3 * 86_400_000);
    const mondayMorning = zonedTimeToUtc(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 9, calendar.timeZone);
    expect(escalations.length).toBeGreaterThanOrEqual(1);
    expect(Math.round((Date.parse(escalations[0].occurredAt) - mondayMorning) / 1000)).toBe(0);
    // The response SLA itself (30 minutes for this type) was missed on Friday, and recorded then.
    expect(state.escalation.responseMissed).toBe(true);
    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'weekend test' }] });
  });
});
