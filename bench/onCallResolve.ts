import { segmentsBetween, type Override } from '../runbooks/onCall';
import type { Layer, Schedules } from '../runbooks/onCallSchedule';
import type { Roster } from '../runbooks/roster';
import type { Role } from '../runbooks/types';
import type { BenchResult } from './report';
import { ms, percentile } from './stats';

const ROLES = 50;
const RUNS = 15;
const DAY = 86_400_000;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata'];

/**
 * A year of 50 roles' shifts, as `oncall schedule` and the gap check resolve them (runbooks/onCall.ts,
 * segmentsBetween): each role a weekly rotation of four people in one of four zones (DST in three of them), with a
 * dozen overrides over the year; a second figure adds a business-hours layer to every role (restrictions are the
 * costly part: a window's edges each weekday). Pure computation, no servers: the median of RUNS runs.
 */
export async function onCallResolve(): Promise<BenchResult> {
  const people = Array.from({ length: 8 }, (_, i) => `p${i}`);
  // Roles beyond the runbook's are the same to the resolver: it looks them up by name.
  const roles = Array.from({ length: ROLES }, (_, i) => `role-${i}` as Role);
  const roster: Roster = { people: people.map((id) => ({ id, name: `Person ${id}`, roles: roles.slice(0, 1), channels: {} })) };
  const weekly = (i: number): Layer => ({
    participants: people.slice(i % 4, (i % 4) + 4),
    rotation: { every: 1, unit: 'weeks' },
    handoff: { time: '09:00', weekday: 'mon' },
    timeZone: ZONES[i % ZONES.length],
    start: '2025-01-06',
  });
  const businessHours = (i: number): Layer => ({
    ...weekly(i + 1),
    rotation: { every: 1, unit: 'days' },
    handoff: { time: '09:00' },
    restrictions: [{ weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
  });
  const from = Date.parse('2026-01-01T00:00:00Z');
  const to = from + 365 * DAY;
  const overrides: Override[] = roles.flatMap((role, r) =>
    Array.from({ length: 12 }, (_, k) => {
      const start = from + k * 30 * DAY + r * 3_600_000;
      return { id: `${r}-${k}`, role, person: people[(r + k) % people.length], start, end: start + 8 * 3_600_000 };
    }),
  );
  const resolveAll = (schedules: Schedules) => {
    let segments = 0;
    for (const role of roles) segments += segmentsBetween(schedules, overrides, roster, role, from, to).length;
    return segments;
  };
  // CPU time is the figure: the resolver is synchronous, and on a machine shared with other work the wall clock
  // measures the scheduler as much as the code (both are printed).
  const median = (schedules: Schedules) => {
    const cpu: number[] = [];
    const wall: number[] = [];
    let segments = 0;
    for (let i = 0; i < RUNS; i++) {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      segments = resolveAll(schedules);
      const c = process.cpuUsage(c0);
      wall.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    return { ms: percentile(cpu, 50), wallMs: percentile(wall, 50), segments };
  };
  const rotations = median({ schedules: roles.map((role, i) => ({ role, layers: [weekly(i)] })) });
  const restricted = median({ schedules: roles.map((role, i) => ({ role, layers: [weekly(i), businessHours(i)] })) });
  return {
    name: 'on-call resolve',
    setting: `in process, ${ROLES} roles × 365 days, 12 overrides each, CPU time (wall), median of ${RUNS}`,
    figures: [
      ['weekly rotations (goal < 50 ms)', `${ms(rotations.ms)} (${ms(rotations.wallMs)}), ${rotations.segments} shifts`],
      ['+ a business-hours layer each', `${ms(restricted.ms)} (${ms(restricted.wallMs)}), ${restricted.segments} shifts`],
    ],
    metrics: {
      oncall_resolve_50_roles_year_ms: rotations.ms,
      oncall_resolve_50_roles_year_wall_ms: rotations.wallMs,
      oncall_resolve_50_roles_year_restricted_ms: restricted.ms,
    },
  };
}
