import type { Tier } from './types';

/** One database of a tier: its node name as alerts name it, and where its connection string is read from. */
export interface TierDatabase {
  /** The node's name (label `instance` without a port, or `node`), e.g. oltp-primary. */
  name: string;
  role: 'primary' | 'replica';
  /** The PostgreSQL database probes connect to. */
  database?: string;
  /** The environment variable holding its connection string (never the string itself: it holds a password). */
  connectionEnv?: string;
}

export interface RunbookTier {
  name: string;
  pool: { min: number; max: number };
  databases: TierDatabase[];
  /** Tiers this tier's service needs. */
  dependsOn: Tier[];
}
