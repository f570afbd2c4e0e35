import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { rosterInForce } from '../../lib/rosterInForce';
import { parseRunbookText } from '../../lib/runbookFile';
import { parseSchedules } from '../../runbooks/onCallSchedule';
import { parseRoster } from '../../runbooks/roster';
import { ROLES } from '../../runbooks/types';

const SHIPPED = fs.readFileSync(path.resolve(__dirname, '../../config/runbook.yaml'), 'utf8');
const exampleRoster = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../config/roster.example.json'), 'utf8'));

/** The shipped runbook file with a role of the team's own. */
function runbookWithRole(role: string) {
  const data = parse(SHIPPED) as { roles: string[] };
  data.roles.push(role);
  const r = parseRunbookText(stringify(data), 'runbook.yaml');
  if (!r.runbook) throw new Error(JSON.stringify(r.problems));
  return r.runbook;
}

const rita = { id: 'rita', name: 'Rita Gomez', roles: ['replication-engineer'], channels: {} };
const withRita = { people: [...exampleRoster.people, rita] };

describe('runbook roles: the roster names people with the runbook in force’s roles', () => {
  const runbook = runbookWithRole('replication-engineer');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-runbook-roles-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a role the file defines is accepted; one it does not is refused, naming the accepted roles', () => {
    expect(parseRoster(withRita, 'roster', runbook.roles).people.at(-1)).toMatchObject({ id: 'rita', roles: ['replication-engineer'] });
    expect(() => parseRoster(withRita, 'roster file r.json', ROLES)).toThrow(
      `roster file r.json is invalid: people.9.roles.0: 'replication-engineer' is not a role of the runbook in force; accepted: ${ROLES.join(', ')}`,
    );
  });

  it('the roster in force follows the runbook’s roles: a roster that fits them is read; a runbook dropping a held role keeps the roster in force', () => {
    const file = path.join(dir, 'roster.json');
    fs.writeFileSync(file, JSON.stringify(withRita));
    let roles: readonly string[] = runbook.roles;
    const roster = rosterInForce(file, undefined, () => roles);
    expect(roster().roster.people.map((p) => p.id)).toContain('rita');
    // The runbook changes and no longer has her role: the roster in force stays (a typo must not lock everyone out).
    roles = ROLES;
    expect(roster().roster.people.map((p) => p.id)).toContain('rita');
    expect(() => rosterInForce(file, undefined, () => ROLES)).toThrow(/'replication-engineer' is not a role of the runbook in force/);
  });

  it('an on-call schedule may be for a role the file defines, and not for one it does not', () => {
    const roster = parseRoster(withRita, 'roster', runbook.roles);
    const layer = {
      participants: ['rita'],
      rotation: { every: 1, unit: 'weeks' },
      handoff: { time: '09:00', weekday: 'mon' },
      timeZone: 'Europe/Berlin',
      start: '2026-01-05',
    };
    const schedules = { schedules: [{ role: 'replication-engineer', layers: [layer] }] };
    expect(parseSchedules(schedules, 'schedules', roster, runbook.roles).schedules[0].role).toBe('replication-engineer');
    expect(() => parseSchedules(schedules, 'schedules file s.json', roster)).toThrow(
      `schedules file s.json is invalid: schedules.0.role: 'replication-engineer' is not a role of the runbook in force; one of ${ROLES.join(', ')}`,
    );
  });
});
