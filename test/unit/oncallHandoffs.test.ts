import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoster } from '../../lib/roster';
import { localParts } from '../../runbooks/calendar';
import type { Override } from '../../runbooks/onCall';
import { handoffAudience, handoffNoticeId, handoffRoles, handoffsBetween } from '../../runbooks/onCallHandoffs';
import type { Schedules } from '../../runbooks/onCallSchedule';
import { weeklyRotation } from '../support/onCallLayers';

/** Which instants are handoffs, and who is told at each: the handoff workflow's pure part. */
const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));
const weekly: Schedules = { schedules: [{ role: 'on-call-engineer', layers: [weeklyRotation('Europe/Berlin')] }] };
const at = (iso: string) => Date.parse(iso);
const override = (person: string, from: string, to: string): Override => ({
  id: person,
  role: 'on-call-engineer',
  person,
  start: at(from),
  end: at(to),
});

describe('on-call handoffs', () => {
  it('hands the weekly rotation over at 09:00 Berlin time every Monday, across both DST changes', () => {
    const handoffs = handoffsBetween(weekly, [], roster, ['on-call-engineer'], at('2026-03-01T00:00:00Z'), at('2026-11-01T00:00:00Z'));
    expect(handoffs.length).toBe(35);
    for (const h of handoffs) {
      const local = localParts(h.at, 'Europe/Berlin');
      expect([local.weekday, local.hour, local.minute]).toEqual([1, 9, 0]);
      expect(h.outgoing.map((p) => p.id)).not.toEqual(h.incoming.map((p) => p.id));
    }
    expect(handoffs[0]).toMatchObject({ outgoing: [{ id: 'bea', name: 'Bea Novak' }], incoming: [{ id: 'oscar', name: 'Oscar Kim' }] });
  });

  it('makes an override’s start and end handoffs, inside (from, to] only, and none where the holder stays', () => {
    const overrides = [
      override('sam', '2026-03-04T10:00:00Z', '2026-03-04T12:00:00Z'),
      override('oscar', '2026-03-05T10:00:00Z', '2026-03-05T12:00:00Z'),
    ];
    // oscar holds the week of 2 March: his own override changes nothing.
    const handoffs = handoffsBetween(
      weekly,
      overrides,
      roster,
      handoffRoles(weekly, overrides),
      at('2026-03-04T10:00:00Z'),
      at('2026-03-06T00:00:00Z'),
    );
    expect(handoffs.map((h) => [new Date(h.at).toISOString(), h.outgoing[0].id, h.incoming[0].id])).toEqual([
      ['2026-03-04T12:00:00.000Z', 'sam', 'oscar'],
    ]);
    const withStart = handoffsBetween(
      weekly,
      overrides,
      roster,
      ['on-call-engineer'],
      at('2026-03-04T09:59:59Z'),
      at('2026-03-04T10:00:00Z'),
    );
    expect(withStart.map((h) => h.incoming[0].id)).toEqual(['sam']);
  });

  it('tells whoever hands over and whoever takes over, once each, under an id fixed by role, instant and person', () => {
    const [h] = handoffsBetween(weekly, [], roster, ['on-call-engineer'], at('2026-03-01T00:00:00Z'), at('2026-03-03T00:00:00Z'));
    expect(handoffAudience(h).map((a) => [a.person.id, a.direction])).toEqual([
      ['bea', 'outgoing'],
      ['oscar', 'incoming'],
    ]);
    expect(handoffNoticeId('on-call-engineer', h.at, 'bea')).toBe('handoff:on-call-engineer:2026-03-02T08:00:00.000Z:bea');
    // A roster role of two people, one of whom takes an override: only the one leaving and the one coming are told.
    const keeps = { ...h, outgoing: [h.outgoing[0], h.incoming[0]], incoming: [h.incoming[0]] };
    expect(handoffAudience(keeps).map((a) => a.person.id)).toEqual(['bea']);
  });
});
