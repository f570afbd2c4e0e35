import { describe, expect, it } from 'vitest';
import { validateCatalog } from '../../runbooks/catalogSchema';
import { CHECKLISTS } from '../../runbooks/checklists';
import { INCIDENT_TYPES } from '../../runbooks/incidentTypes';
import { buildIncidentPlan, escalationRoles } from '../../runbooks/plan';
import { parseRoster } from '../../runbooks/roster';
import { nextBusinessDayStart } from '../../runbooks/calendar';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog } from '../../lib/catalog';
import { loadRoster } from '../../lib/roster';

const roster = loadRoster(path.resolve(__dirname, '../../config/roster.example.json'));

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('runbook catalog', () => {
  it('the shipped catalog is valid', () => {
    expect(() => validateCatalog({ incidentTypes: INCIDENT_TYPES, checklists: CHECKLISTS })).not.toThrow();
  });

  it('names the bad field of an invalid catalog and what is accepted', () => {
    const types = clone(INCIDENT_TYPES) as Record<string, { steps: { action?: string; timeoutSeconds?: number }[] }>;
    types['database-outage'].steps[0].action = 'rebootEverything';
    expect(() => validateCatalog({ incidentTypes: types, checklists: CHECKLISTS })).toThrow(
      /incidentTypes\.database-outage\.steps\.0\.action: .*checkServiceStatus/,
    );

    const lists = clone(CHECKLISTS) as unknown as Record<string, { time: string }>;
    lists.midday.time = '1pm';
    expect(() => validateCatalog({ incidentTypes: INCIDENT_TYPES, checklists: lists })).toThrow(/checklists\.midday\.time: HH:MM/);

    const dup = clone(INCIDENT_TYPES) as Record<string, { steps: { id: string }[] }>;
    dup['data-integrity'].steps[1].id = dup['data-integrity'].steps[0].id;
    expect(() => validateCatalog({ incidentTypes: dup, checklists: CHECKLISTS })).toThrow(
      /data-integrity\.steps\.1\.id: duplicate step id/,
    );

    // Only a hook heartbeats: a heartbeat timeout on a check would fail it; one as long as the step's timeout is no use.
    const beat = clone(INCIDENT_TYPES) as Record<string, { steps: { heartbeatSeconds?: number }[] }>;
    beat['database-outage'].steps[0].heartbeatSeconds = 5;
    expect(() => validateCatalog({ incidentTypes: beat, checklists: CHECKLISTS })).toThrow(
      /database-outage\.steps\.0\.heartbeatSeconds: only for actions that run a hook \(executeFailover\)/,
    );
    const slow = clone(INCIDENT_TYPES) as Record<string, { steps: { heartbeatSeconds?: number }[] }>;
    slow['database-outage'].steps[4].heartbeatSeconds = 120;
    expect(() => validateCatalog({ incidentTypes: slow, checklists: CHECKLISTS })).toThrow(
      /database-outage\.steps\.4\.heartbeatSeconds: must be less than timeoutSeconds \(120\)/,
    );
  });

  it('encodes the seed: response times, first actions and escalation paths', () => {
    expect(Object.fromEntries(Object.values(INCIDENT_TYPES).map((t) => [t.id, t.responseMinutes]))).toEqual({
      'database-outage': 5,
      'connection-pool-exhaustion': 10,
      'data-integrity': 15,
      'performance-degradation': 30,
      'security-breach': 5,
      unclassified: 15,
    });
    expect(INCIDENT_TYPES['database-outage'].steps.map((s) => s.id)).toEqual([
      'check-service-status',
      'check-monitoring-alerts',
      'check-connectivity',
      'check-connection-pools',
      'execute-failover',
    ]);
    expect(escalationRoles(INCIDENT_TYPES['security-breach'])[1]).toEqual(['legal']);
    expect(escalationRoles(INCIDENT_TYPES['data-integrity'])[1]).toEqual(['product-owner']);
  });

  it('freezes the roster into a plan: every rung has people to page', () => {
    for (const type of Object.keys(INCIDENT_TYPES) as (keyof typeof INCIDENT_TYPES)[]) {
      const plan = buildIncidentPlan(type, roster, { timeZone: 'UTC', workdays: [1, 2, 3, 4, 5], dayStartHour: 9 });
      for (const rung of plan.ladder) expect(rung.contacts.length, `${type} ${rung.roles}`).toBeGreaterThan(0);
    }
  });

  it('rejects a roster with an unknown role, naming the field', () => {
    expect(() => parseRoster({ people: [{ id: 'x', name: 'X', roles: ['wizard'] }] })).toThrow(/people\.0\.roles\.0/);
  });

  it('finds the next business-day start across a weekend and a DST change', () => {
    const cal = { timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], dayStartHour: 9 };
    // Friday 2026-03-27 22:00 Berlin (CET) → Monday 2026-03-30 09:00 Berlin (CEST, after the change on Sunday).
    expect(new Date(nextBusinessDayStart(Date.parse('2026-03-27T21:00:00Z'), cal)).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    // Tuesday 08:00 Berlin → the same day at 09:00.
    expect(new Date(nextBusinessDayStart(Date.parse('2026-11-24T07:00:00Z'), cal)).toISOString()).toBe('2026-11-24T08:00:00.000Z');
  });

  it('lets a team change checklist items and times by configuration, validated', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-catalog-')), 'checklists.json');
    const midday = { ...CHECKLISTS.midday, items: CHECKLISTS.midday.items.filter((i) => i.id !== 'security-events') };
    fs.writeFileSync(file, JSON.stringify({ midday }));
    const catalog = loadCatalog({ checklistsFile: file, checklistTimes: { morning: '08:15' } });
    expect(catalog.checklists.midday.items.map((i) => i.id)).not.toContain('security-events');
    expect(catalog.checklists.morning.time).toBe('08:15');
    expect(catalog.checklists['end-of-day']).toEqual(CHECKLISTS['end-of-day']);

    fs.writeFileSync(file, JSON.stringify({ midday: { ...midday, items: [{ id: 'x', title: 'X', kind: 'automated', check: 'vibes' }] } }));
    expect(() => loadCatalog({ checklistsFile: file })).toThrow(/checklists\.midday\.items\.0\.check/);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
