import type { Layer } from '../../runbooks/onCallSchedule';

/** The on-call tests' usual layer: oscar and bea a week each, handing over on Mondays at 09:00 in the zone. */
export const weeklyRotation = (timeZone: string, start = '2026-01-05'): Layer => ({
  participants: ['oscar', 'bea'],
  rotation: { every: 1, unit: 'weeks' },
  handoff: { time: '09:00', weekday: 'mon' },
  timeZone,
  start,
});
