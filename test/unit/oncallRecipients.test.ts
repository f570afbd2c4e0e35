import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { recipientsInForce } from '../../activities/notify/recipientsInForce';
import { loadRoster } from '../../lib/roster';
import type { Override } from '../../runbooks/onCall';
import type { Layer } from '../../runbooks/onCallSchedule';
import type { Role } from '../../runbooks/types';

const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));
const AT = '2026-12-09T12:00:00.000Z'; // a Wednesday
const weekly = (participants: string[], start = '2026-01-05'): Layer => ({
  participants,
  rotation: { every: 1, unit: 'weeks' },
  handoff: { time: '09:00', weekday: 'mon' },
  timeZone: 'Europe/Berlin',
  start,
});
const page = (roles: Role[], o: Partial<NotificationRequest> = {}): NotificationRequest => ({
  notificationId: 'INC-1:page:L1P0',
  subjectId: 'INC-1',
  kind: 'page',
  message: 'm',
  // Frozen at opening: the roster's people of each role.
  recipients: roles.flatMap((role) =>
    roster.people.filter((p) => p.roles.includes(role)).map((p) => ({ id: p.id, name: p.name, role, channels: p.channels })),
  ),
  occurredAt: AT,
  roles,
  ...o,
});
const resolve = (n: NotificationRequest, layers: Partial<Record<Role, Layer[]>>, overrides: Override[] = []) =>
  recipientsInForce(n, {
    roster: { roster, version: 'r1' },
    schedules: { schedules: { schedules: Object.entries(layers).map(([role, l]) => ({ role: role as Role, layers: l! })) }, version: 's1' },
    overrides,
  });
const ids = (n: NotificationRequest) => n.recipients.map((r) => `${r.id}:${r.role}`);
const LADDER_ABOVE = [
  { level: 2, roles: ['engineering-manager' as Role] },
  { level: 3, roles: ['cto' as Role] },
];

describe('who a page reaches when it is sent', () => {
  it('the schedule’s holder at the page’s time, the roster for a role without one, and both versions', () => {
    // 2026-12-07 starts week 48 of a rotation begun 2026-01-05: an even week, the first participant's.
    const out = resolve(page(['on-call-engineer', 'database-lead']), { 'on-call-engineer': [weekly(['bea', 'lee'])] });
    expect(ids(out)).toEqual(['bea:on-call-engineer', 'dana:database-lead']);
    expect(out).toMatchObject({ rosterVersion: 'r1', scheduleVersion: 's1' });
    expect(out.gaps).toBeUndefined();
  });

  it('an override wins inside its window only', () => {
    const override: Override = { id: '7', role: 'database-lead', person: 'erin', start: Date.parse(AT) - 1, end: Date.parse(AT) + 1 };
    expect(ids(resolve(page(['database-lead']), {}, [override]))).toEqual(['erin:database-lead']);
    expect(ids(resolve(page(['database-lead']), {}, [{ ...override, end: Date.parse(AT) }]))).toEqual(['dana:database-lead']);
  });

  it('a gap goes to the first rung above with somebody on it, and says until when', () => {
    // Nobody on call until the rotation starts, Monday 2026-12-14 09:00 in Berlin; nobody is engineering manager either.
    const out = resolve(page(['on-call-engineer', 'database-lead'], { fallback: LADDER_ABOVE }), {
      'on-call-engineer': [weekly(['bea'], '2026-12-14')],
      'engineering-manager': [weekly(['erin'], '2027-06-07')],
    });
    expect(ids(out)).toEqual(['chris:cto', 'dana:database-lead']);
    expect(out.gaps).toEqual([{ role: 'on-call-engineer', until: '2026-12-14T08:00:00.000Z', pagedInstead: { level: 3, roles: ['cto'] } }]);
  });

  it('without a rung above (the top, or an incident opened before oncall-pages), the contacts frozen at opening', () => {
    const gap = { 'on-call-engineer': [weekly(['bea'], '2027-06-07')] };
    for (const n of [page(['on-call-engineer']), page(['on-call-engineer'], { fallback: [] })]) {
      const out = resolve(n, gap);
      expect(ids(out)).toEqual(['oscar:on-call-engineer']);
      expect(out.gaps).toEqual([{ role: 'on-call-engineer' }]);
    }
  });

  it('a notification without roles goes to the recipients it names', () => {
    const n = { ...page([]), roles: undefined };
    expect(resolve(n, {})).toBe(n);
  });
});
