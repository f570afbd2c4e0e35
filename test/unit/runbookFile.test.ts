import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoster } from '../../lib/roster';
import { DEFAULT_RUNBOOK_FILE, formatProblem, parseRunbookText, readRunbookFile } from '../../lib/runbookFile';
import { INCIDENT_TYPES } from '../../runbooks/incidentTypes';
import { buildIncidentPlan } from '../../runbooks/plan';
import { BUILT_IN_RUNBOOK } from '../../runbooks/runbook';
import { runbookJsonSchema } from '../../runbooks/runbookFileSchema';
import { CHECKLISTS } from '../../runbooks/checklists';
import { loadRouting } from '../../lib/routingRules';

const root = path.resolve(__dirname, '../..');
const defaultFile = path.join(root, DEFAULT_RUNBOOK_FILE);
const roster = loadRoster(path.join(root, 'config/roster.example.json'));
const calendar = { timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], dayStartHour: 9 };
const text = fs.readFileSync(defaultFile, 'utf8');

/** The file with one line replaced (the first that equals `from` after trimming its indent). */
function edited(from: string, to: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.trim() === from);
  if (i < 0) throw new Error(`no line '${from}'`);
  lines[i] = lines[i].replace(from, to);
  return lines.join('\n');
}

const problemsOf = (t: string) => parseRunbookText(t, 'runbook.yaml').problems.map(formatProblem);

describe('runbook file', () => {
  const runbook = readRunbookFile(defaultFile);

  it('the default file builds the same plan as the shipped runbook for every incident type', () => {
    for (const type of Object.keys(INCIDENT_TYPES)) {
      const fromFile = buildIncidentPlan(type, roster, calendar, { holdForSeconds: 30 }, runbook);
      const today = buildIncidentPlan(type, roster, calendar, { holdForSeconds: 30 });
      // An unclassified incident may also be classified as one of the runbooks the file adds.
      const shippedChoices =
        fromFile.classifyInto && Object.fromEntries(Object.entries(fromFile.classifyInto).filter(([id]) => id in INCIDENT_TYPES));
      expect({ ...fromFile, classifyInto: shippedChoices, runbookVersion: undefined }, type).toEqual({
        ...today,
        runbookVersion: undefined,
      });
    }
    const added = Object.keys(buildIncidentPlan('unclassified', roster, calendar, {}, runbook).classifyInto!).filter(
      (id) => !(id in INCIDENT_TYPES),
    );
    expect(added).toEqual(['replication-lag', 'disk-filling', 'backup-failed']);
  });

  it('the default file holds the shipped checklists, and routes for the shipped types as config/routing.example.json does', () => {
    expect(runbook.checklists).toEqual(CHECKLISTS);
    const example = loadRouting(path.join(root, 'config/routing.example.json'));
    const shipped = runbook.routing.rules.filter((r) => r.type in INCIDENT_TYPES);
    expect(shipped).toEqual(example.rules);
    expect(runbook.routing.default).toEqual(example.default);
  });

  it("an incident's plan records the file's content hash as its runbook version, which any edit changes", () => {
    expect(runbook.version).toMatch(/^[0-9a-f]{16}$/);
    expect(buildIncidentPlan('database-outage', roster, calendar, {}, runbook).runbookVersion).toBe(runbook.version);
    const renamed = parseRunbookText(edited('name: Database Outage', 'name: Database Down'), 'x').runbook!;
    expect(renamed.version).not.toBe(runbook.version);
    expect(renamed.incidentTypes['database-outage'].name).toBe('Database Down');
    expect(BUILT_IN_RUNBOOK.version).not.toBe(runbook.version);
  });

  it('points every problem at its line and column, names the field and says what is accepted', () => {
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    // An unknown role in a ladder, an action that does not exist and an SLA the ladder cannot keep, at once.
    const bad = edited('escalationPath: [database-lead, cto]', 'escalationPath: [database-lead, chief]')
      .replace('action: checkConnectivity', 'action: rebootEverything')
      .replace('responseMinutes: 30', 'responseMinutes: 90');
    const problems = problemsOf(bad);
    expect(problems).toContain(
      `runbook.yaml:${at('escalationPath: [database-lead, cto]')}:37: incidentTypes.database-outage.escalationPath[1]: unknown role 'chief'; accepted: database-lead, on-call-engineer, backup-engineer, engineering-manager, senior-engineer, cto, ceo, security-team, legal, product-owner`,
    );
    expect(problems.find((p) => p.includes('steps[2].action'))).toMatch(
      new RegExp(
        `^runbook\\.yaml:${at('action: checkConnectivity')}:17: incidentTypes\\.database-outage\\.steps\\[2\\]\\.action: .*checkServiceStatus`,
      ),
    );
    expect(problems.find((p) => p.includes('performance-degradation.responseMinutes'))).toMatch(
      /:22: incidentTypes\.performance-degradation\.responseMinutes: 90 min cannot fit the ladder: at its default severity medium the next level is paged after 60 min; accepted: 1 to 60$/,
    );
    expect(problems).toHaveLength(3);
  });

  it('names an unknown field at its key, a routing rule to a type the file lacks, and YAML that does not parse', () => {
    const key = problemsOf(edited('defaultSeverity: critical', 'defaultSeverty: critical'));
    expect(key.join('\n')).toMatch(/runbook\.yaml:\d+:5: incidentTypes\.database-outage\.defaultSeverty: Unrecognized key/);
    const route = problemsOf(edited('type: connection-pool-exhaustion', 'type: pool-exhausted'));
    expect(route.join('\n')).toMatch(/routing\.rules\[2\]\.type: unknown incident type 'pool-exhausted'; accepted: database-outage, /);
    const yaml = problemsOf(edited('roles:', 'roles: [a'));
    expect(yaml[0]).toMatch(/^runbook\.yaml:\d+:\d+: /);
  });

  it('publishes a JSON Schema for editors that matches the file format', () => {
    const published = JSON.parse(fs.readFileSync(path.join(root, 'runbooks/runbook.schema.json'), 'utf8'));
    // Out of date: run `npx tsx dev/writeRunbookSchema.ts`.
    expect(published).toEqual(JSON.parse(JSON.stringify(runbookJsonSchema())));
  });
});
