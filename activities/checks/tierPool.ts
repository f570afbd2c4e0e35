import { ApplicationFailure } from '@temporalio/activity';
import type { Pool } from 'pg';
import { TierNotConnected, type TierPools } from '../../lib/tierPools';
import type { Tier } from '../../runbooks/types';

/** A tier's pool for a check; a tier with no database fails the check at once, naming the variable (a retry cannot set it). */
export function tierPoolOf(pools: TierPools, tier: Tier): Pool {
  try {
    return pools.of(tier);
  } catch (err) {
    if (err instanceof TierNotConnected) throw ApplicationFailure.nonRetryable(err.message, 'TierNotConnected');
    throw err;
  }
}
