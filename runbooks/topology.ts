/**
 * The database topology as data: each tier's primary and replicas, which tiers depend on which, and what counts as a
 * symptom of an outage. The intake's grouping (client/alerts/topologyGrouping.ts) reads the runbook in force's
 * (topologyOf: its tiers' databases and dependsOn): while a primary's outage is open, its replicas' symptoms join that
 * incident instead of paging. Pure.
 */
import { matches, type Matcher } from './alertRouting';
import type { RunbookTier } from './runbookTier';
import type { IncidentTypeId, Tier } from './types';

export interface TierTopology {
  /** The primary's node name, as alerts name it (label `instance`, without a port, or `node`). */
  primary: string;
  replicas: string[];
  /** Tiers this tier's service needs (its connections fail when theirs do). */
  dependsOn: Tier[];
}

/** Each tier's topology, by tier name. */
export type Topology = Record<Tier, TierTopology>;

/** Seed: "Database Tier Operations" (OLTP is the primary store the other tiers are fed from); the built-in runbook's tiers. */
export const TOPOLOGY: Topology = {
  oltp: { primary: 'oltp-primary', replicas: ['oltp-replica-1', 'oltp-replica-2'], dependsOn: [] },
  content: { primary: 'content-primary', replicas: ['content-replica-1'], dependsOn: ['oltp'] },
  queue: { primary: 'queue-primary', replicas: ['queue-replica-1'], dependsOn: ['oltp'] },
  olap: { primary: 'olap-primary', replicas: ['olap-replica-1'], dependsOn: ['oltp'] },
};

/** A runbook's topology: each tier's primary and replicas (its databases by role) and the tiers it depends on. */
export function topologyOf(runbook: { tiers: Record<Tier, RunbookTier> }): Topology {
  return Object.fromEntries(
    Object.entries(runbook.tiers).map(([tier, t]) => [
      tier,
      {
        primary: t.databases.find((d) => d.role === 'primary')?.name ?? `${tier}-primary`,
        replicas: t.databases.filter((d) => d.role === 'replica').map((d) => d.name),
        dependsOn: t.dependsOn,
      },
    ]),
  );
}

/** A symptom: an alert of this type, or whose labels match (a replica's lag is routed as whatever the routing says). */
export interface Symptom {
  type?: IncidentTypeId;
  labels?: Record<string, Matcher>;
}

export const GROUPING = {
  /**
   * Alerts of the outage's cause (symptoms on the primary itself, or on a tier that depends on it) arriving within
   * this many seconds of its opening join it; later ones page on their own, as a problem of their own. A replica's
   * symptoms join for as long as the outage is open. An incident a replica's symptom opened this long before the
   * primary's outage is linked to it.
   */
  windowSeconds: 120,
  /** A replica's lag and connection alerts. Never a security breach or a data-integrity alert that is not lag. */
  symptoms: [
    { type: 'connection-pool-exhaustion' },
    { type: 'performance-degradation' },
    { labels: { alertname: { regex: '.*(lag|replication|connection).*', ignoreCase: true } } },
  ] as Symptom[],
};

/** What an alert is about in the topology: the node it names (label instance without its port, or node). */
export function nodeOf(labels: Record<string, string>): string | undefined {
  const raw = labels.node ?? labels.instance;
  return raw ? raw.replace(/:\d+$/, '') : undefined;
}

export interface GroupableAlert {
  type: IncidentTypeId;
  tier: Tier;
  labels: Record<string, string>;
}

const isSymptom = (a: GroupableAlert) =>
  a.type !== 'security-breach' &&
  GROUPING.symptoms.some(
    (s) => (s.type === undefined || s.type === a.type) && Object.entries(s.labels ?? {}).every(([n, m]) => matches(m, a.labels[n])),
  );

/** A primary's outage: an outage alert on the tier's primary, or on the tier without naming a node. */
export function isPrimaryOutage(a: GroupableAlert, topology: Topology): boolean {
  const t = topology[a.tier];
  if (a.type !== 'database-outage' || !t) return false;
  const node = nodeOf(a.labels);
  return node === undefined || node === t.primary;
}

/** Where an alert may be grouped: the tiers whose primary's outage would be its cause, and how. */
export interface GroupingCause {
  tier: Tier;
  node?: string;
  /** topology: a replica's symptom (joins while the outage is open); grouping-window: joins within the window only. */
  kind: 'topology' | 'grouping-window';
  why: string;
}

export function groupingCauses(a: GroupableAlert, topology: Topology): GroupingCause[] {
  const t = topology[a.tier];
  if (!t || !isSymptom(a)) return [];
  const node = nodeOf(a.labels);
  const causes: GroupingCause[] = [];
  if (node && t.replicas.includes(node))
    causes.push({ tier: a.tier, node, kind: 'topology', why: `${node} is a replica of ${t.primary}, whose outage is open` });
  else if (!node || node === t.primary)
    causes.push({
      tier: a.tier,
      node,
      kind: 'grouping-window',
      why: `a symptom on ${a.tier} within ${GROUPING.windowSeconds} s of its primary's outage`,
    });
  for (const upstream of t.dependsOn.filter((u) => topology[u]))
    causes.push({
      tier: upstream,
      node,
      kind: 'grouping-window',
      why: `${a.tier} depends on ${upstream}: a symptom within ${GROUPING.windowSeconds} s of ${topology[upstream].primary}'s outage`,
    });
  return causes;
}

/** A replica's symptom that opened an incident of its own: a primary outage opening soon after links it. */
export function isReplicaSymptom(a: GroupableAlert, topology: Topology): boolean {
  const node = nodeOf(a.labels);
  return isSymptom(a) && !!node && !!topology[a.tier]?.replicas.includes(node);
}
