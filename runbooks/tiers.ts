import type { Tier, TierDefinition } from './types';

/** Seed: "Check connection pools" (First Response Procedures) — the pool limits per tier. */
export const TIER_DEFINITIONS: Record<Tier, TierDefinition> = {
  oltp: { id: 'oltp', name: 'OLTP (Primary)', database: 'penguinmails_oltp', pool: { min: 5, max: 50 } },
  content: { id: 'content', name: 'Content', database: 'penguinmails_content', pool: { min: 3, max: 25 } },
  queue: { id: 'queue', name: 'Queue', database: 'penguinmails_queue', pool: { min: 5, max: 40 } },
  olap: { id: 'olap', name: 'OLAP (Analytics)', database: 'penguinmails_olap', pool: { min: 3, max: 15 } },
};
