import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoster } from '../../lib/roster';
import { readSchedulesFile, schedulesInForce } from '../../lib/schedules';
import { parseSchedules } from '../../runbooks/onCallSchedule';

/** A schedules file is configuration a person edits: every mistake names its field and what is accepted. */
const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));
const EXAMPLE = path.resolve(__dirname, '../../config/schedules.example.json');

const layer = (change: Record<string, unknown> = {}) => ({
  participants: ['oscar', 'bea'],
  rotation: { every: 1, unit: 'weeks' },
  handoff: { time: '09:00', weekday: 'mon' },
  timeZone: 'Europe/Berlin',
  start: '2026-01-05',
  ...change,
});
const file = (...layers: unknown[]) => ({ schedules: [{ role: 'on-call-engineer', layers }] });
const problem = (data: unknown) => {
  try {
    parseSchedules(data, 'schedules file s.json', roster);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('a schedules file', () => {
  it('is accepted as the example has it', () => {
    expect(readSchedulesFile(EXAMPLE, roster).schedules.schedules[0].layers).toHaveLength(2);
  });

  it.each([
    ['a zone that does not exist', layer({ timeZone: 'Europe/Berlim' }), 'schedules.0.layers.0.timeZone: an IANA time zone'],
    ['a handoff at 24:00', layer({ handoff: { time: '24:00' } }), "schedules.0.layers.0.handoff.time: a wall-clock time 'HH:MM'"],
    [
      'a weekday on a daily rotation',
      layer({ rotation: { every: 1, unit: 'days' } }),
      'schedules.0.layers.0.handoff.weekday: only for a rotation in weeks',
    ],
    ['a unit of months', layer({ rotation: { every: 1, unit: 'months' } }), 'schedules.0.layers.0.rotation.unit'],
    ['no participants', layer({ participants: [] }), 'schedules.0.layers.0.participants'],
    [
      'a person not on the roster',
      layer({ participants: ['oscar', 'zed'] }),
      "schedules.0.layers.0.participants.1: 'zed' is not on the roster",
    ],
    ['a start that is no date', layer({ start: '2026-02-30' }), 'schedules.0.layers.0.start: a date that exists'],
    [
      'a restriction on no day',
      layer({ restrictions: [{ weekdays: [], from: '09:00', to: '17:00' }] }),
      'schedules.0.layers.0.restrictions.0.weekdays',
    ],
    [
      'a restriction on a day misspelt',
      layer({ restrictions: [{ weekdays: ['monday'], from: '09:00', to: '17:00' }] }),
      'restrictions.0.weekdays.0',
    ],
  ])('names the field of %s', (_what, bad, message) => {
    const text = problem(file(layer(), bad));
    expect(text).toMatch(/^schedules file s\.json is invalid: /);
    expect(text).toContain(message.replace('layers.0', 'layers.1'));
  });

  it('names a role that is not one, and a second schedule for a role', () => {
    expect(problem({ schedules: [{ role: 'oncall', layers: [layer()] }] })).toContain('schedules.0.role');
    expect(problem({ schedules: [...file(layer()).schedules, ...file(layer()).schedules] })).toContain(
      "schedules.1.role: a second schedule for 'on-call-engineer'",
    );
  });

  it('is reloaded when it changes, with its version, and a broken edit keeps the schedules in force', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-schedules-'));
    const schedulesFile = path.join(dir, 'schedules.json');
    const write = (text: string, secondsLater: number) => {
      fs.writeFileSync(schedulesFile, text);
      const later = new Date(Date.now() + secondsLater * 1000);
      fs.utimesSync(schedulesFile, later, later);
    };
    try {
      write(JSON.stringify(file(layer())), 0);
      const inForce = schedulesInForce(schedulesFile, () => ({ roster, version: 'r1' }));
      const first = inForce();
      expect(first.version).toMatch(/^[0-9a-f]{16}$/);
      write(JSON.stringify(file(layer({ participants: ['bea'] }))), 2);
      const second = inForce();
      expect(second.version).not.toBe(first.version);
      expect(second.schedules.schedules[0].layers[0].participants).toEqual(['bea']);
      write('{ "schedules": [', 4);
      expect(inForce()).toBe(second);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(schedulesInForce(undefined, () => ({ roster, version: 'r1' }))().version).toBe('none');
  });
});
