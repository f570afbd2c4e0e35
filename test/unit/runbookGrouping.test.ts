import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseRunbookText } from '../../lib/runbookFile';
import { BUILT_IN_RUNBOOK, type RunbookTier } from '../../runbooks/runbook';
import { groupingCauses, isPrimaryOutage, isReplicaSymptom, TOPOLOGY, topologyOf, type GroupableAlert } from '../../runbooks/topology';

const SHIPPED = fs.readFileSync(path.resolve(__dirname, '../../config/runbook.yaml'), 'utf8');

/** The shipped runbook file with a third OLTP replica and a search tier (its primary and replica) fed from OLTP. */
function grownRunbook() {
  const data = parse(SHIPPED) as { tiers: Record<string, RunbookTier> };
  data.tiers.oltp.databases.push({ name: 'oltp-replica-3', role: 'replica' });
  data.tiers.search = {
    name: 'Search',
    pool: { min: 1, max: 10 },
    databases: [
      { name: 'search-main', role: 'primary', database: 'search', connectionEnv: 'DBOPS_TIER_SEARCH_URL' },
      { name: 'search-ro-1', role: 'replica' },
    ],
    dependsOn: ['oltp'],
  };
  const r = parseRunbookText(stringify(data), 'grown.yaml');
  if (!r.runbook) throw new Error(JSON.stringify(r.problems));
  return r.runbook;
}

const lag = (tier: string, instance: string): GroupableAlert => ({
  type: 'data-integrity',
  tier,
  labels: { alertname: 'PostgresReplicationLag', instance: `${instance}:9187` },
});

describe('runbook grouping: the topology is the runbook file’s tiers', () => {
  const topology = topologyOf(grownRunbook());

  it('the built-in runbook’s tiers give the shipped topology', () => {
    expect(topologyOf(BUILT_IN_RUNBOOK)).toEqual(TOPOLOGY);
  });

  it('a replica the file adds groups its lag under its primary’s outage; without it in the file it does not', () => {
    expect(isReplicaSymptom(lag('oltp', 'oltp-replica-3'), topology)).toBe(true);
    expect(groupingCauses(lag('oltp', 'oltp-replica-3'), topology)).toEqual([
      { tier: 'oltp', node: 'oltp-replica-3', kind: 'topology', why: 'oltp-replica-3 is a replica of oltp-primary, whose outage is open' },
    ]);
    expect(isReplicaSymptom(lag('oltp', 'oltp-replica-3'), topologyOf(BUILT_IN_RUNBOOK))).toBe(false);
  });

  it('a tier the file adds: its primary’s outage, its replica’s symptoms, and the tier it depends on', () => {
    expect(isPrimaryOutage({ type: 'database-outage', tier: 'search', labels: { instance: 'search-main:5432' } }, topology)).toBe(true);
    expect(isPrimaryOutage({ type: 'database-outage', tier: 'search', labels: { instance: 'search-ro-1:5432' } }, topology)).toBe(false);
    expect(groupingCauses(lag('search', 'search-ro-1'), topology).map((c) => [c.tier, c.kind, c.why])).toEqual([
      ['search', 'topology', 'search-ro-1 is a replica of search-main, whose outage is open'],
      ['oltp', 'grouping-window', "search depends on oltp: a symptom within 120 s of oltp-primary's outage"],
    ]);
    // A tier no runbook names groups nothing (and does not throw).
    expect(groupingCauses(lag('search', 'search-ro-1'), topologyOf(BUILT_IN_RUNBOOK))).toEqual([]);
    expect(isPrimaryOutage({ type: 'database-outage', tier: 'search', labels: {} }, topologyOf(BUILT_IN_RUNBOOK))).toBe(false);
  });
});
