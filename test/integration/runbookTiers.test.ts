import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createChecklistActivities } from '../../activities/checks/checklistChecks';
import { DEFAULT_THRESHOLDS } from '../../activities/checks/databaseChecks';
import { createStepActivities } from '../../activities/checks/incidentSteps';
import { createOutbox } from '../../activities/notify/outbox';
import { loadRoster } from '../../lib/roster';
import { parseRunbookText } from '../../lib/runbookFile';
import { createTierPools, type TierPools } from '../../lib/tierPools';
import { buildChecklistPlan } from '../../runbooks/checklistPlan';
import { CHECKLISTS } from '../../runbooks/checklists';
import { createTestDatabase, type TestDatabase } from '../support/database';

const root = path.resolve(__dirname, '../..');
const shipped = fs.readFileSync(path.join(root, 'config/runbook.yaml'), 'utf8');
/** The default file with a tier it adds, `search`, whose primary's connection string is in DBOPS_TIER_SEARCH_URL. */
const withSearchTier = (() => {
  const doc = parseDocument(shipped);
  doc.setIn(['tiers', 'search'], {
    name: 'Search',
    pool: { min: 1, max: 10 },
    databases: [{ name: 'search-primary', role: 'primary', database: 'search', connectionEnv: 'DBOPS_TIER_SEARCH_URL' }],
    dependsOn: ['oltp'],
  });
  return String(doc);
})();

/**
 * Tiers a runbook file adds (issue 26): their checks and probes run on the database the tier's primary names through
 * its connectionEnv; a tier whose variable is unset fails its check at once naming the variable, and checklists'
 * `tiers: all` items run on the file's tiers. Activities on the real PostgreSQL.
 */
describe('runbook tiers: a tier the file adds gets its database pool', () => {
  const runbook = parseRunbookText(withSearchTier, 'runbook.yaml').runbook!;
  let db: TestDatabase;
  const pools: TierPools[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('tiers');
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await db?.drop();
  });
  const poolsWith = (env: Record<string, string>) => {
    // The main database is one that does not exist: a shipped tier without its variable would be checked there.
    const p = createTierPools({}, 'postgres://nobody@127.0.0.1:1/none', { tiers: () => runbook.tiers, env });
    pools.push(p);
    return p;
  };
  const steps = (tierPools: TierPools) =>
    createStepActivities({
      tierPools,
      auditPool: db.pool,
      outbox: createOutbox({ pool: db.pool, channels: [] }),
      channels: [],
      failover: {},
      thresholds: DEFAULT_THRESHOLDS,
      allowedCidrs: ['127.0.0.0/8'],
    });
  const stepInput = {
    incidentId: 'INC-1',
    stepId: 'check-connectivity',
    tier: 'search',
    now: new Date().toISOString(),
    title: 't',
    idempotencyKey: 'k',
  };

  it("an incident's checks and a checklist's checks on the added tier run on the database its connectionEnv names", async () => {
    const tierPools = poolsWith({ DBOPS_TIER_SEARCH_URL: db.url });
    expect(tierPools.unconnected()).toEqual([]);
    const connectivity = await steps(tierPools).checkConnectivity(stepInput);
    expect(connectivity.outcome).toBe('pass');
    const checklist = createChecklistActivities({
      tierPools,
      auditPool: db.pool,
      thresholds: DEFAULT_THRESHOLDS,
      allowedCidrs: ['127.0.0.0/8'],
      openIncident: async () => ({ workflowId: 'unused' }),
    });
    const index = await checklist.runChecklistCheck({
      runId: 'r1',
      itemKey: 'index-usage@search',
      check: 'indexUsage',
      tier: 'search',
      now: stepInput.now,
    });
    expect(index.outcome).not.toBe('fail');
    expect(index.summary).not.toMatch(/no database/);
  });

  it('an added tier whose variable is unset fails its check at once, naming the variable; it is listed at start', async () => {
    const tierPools = poolsWith({});
    expect(tierPools.unconnected()).toEqual([{ tier: 'search', variable: 'DBOPS_TIER_SEARCH_URL' }]);
    await expect(steps(tierPools).checkConnectivity(stepInput)).rejects.toMatchObject({
      message: "tier 'search' has no database: set DBOPS_TIER_SEARCH_URL to its primary's connection string",
      nonRetryable: true,
    });
  });

  it("a checklist's tiers: all are the runbook's tiers, the added one too", () => {
    const roster = loadRoster(path.join(root, 'config/roster.example.json'));
    expect(buildChecklistPlan('morning', roster, CHECKLISTS.morning, runbook).tiers).toEqual([
      'oltp',
      'content',
      'queue',
      'olap',
      'search',
    ]);
    // Without a runbook's tiers (a run started by code that names none): the shipped four.
    expect(buildChecklistPlan('morning', roster).tiers).toEqual(['oltp', 'content', 'queue', 'olap']);
  });
});
