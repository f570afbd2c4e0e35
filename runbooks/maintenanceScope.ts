/** Which alerts a maintenance window holds (the intake asks for each alert). Pure. */
import { matches } from './alertRouting';
import type { WindowScope } from './maintenance';
import type { IncidentTypeId, Tier } from './types';

/** What a window looks at in an alert: after routing, its type and tier, and the labels the source sent. */
export interface ScopedAlert {
  type: IncidentTypeId;
  tier: Tier;
  labels: Record<string, string>;
}

/**
 * Whether a window holds this alert. A security breach is held only by a window that names the type: planned work on
 * a tier is no reason to sleep through an intrusion.
 */
export function windowHolds(scope: WindowScope, a: ScopedAlert): boolean {
  if (scope.tiers && !scope.tiers.includes(a.tier)) return false;
  if (scope.types ? !scope.types.includes(a.type) : a.type === 'security-breach') return false;
  return Object.entries(scope.labels ?? {}).every(([name, m]) => matches(m, a.labels[name]));
}
