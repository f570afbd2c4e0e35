import { describe, expect, it } from 'vitest';
import { RoutingConfigSchema, routeAlert, routingProblems } from '../../runbooks/alertRouting';

/** A routing rule's flap settings (docs/alert-lifecycle.md): read, bounded, and handed to the incident it opens. */
describe('flap settings in routing rules', () => {
  const rules = (rule: Record<string, unknown>) => ({
    default: { tier: 'oltp' },
    rules: [{ match: { labels: { alertname: 'PgbouncerPoolFull' } }, type: 'connection-pool-exhaustion', ...rule }],
  });
  const pool = { intake: 'alertmanager' as const, integration: 'prometheus', labels: { alertname: 'PgbouncerPoolFull' } };

  it("routes a rule's hold and reopen window with its alerts; a rule without them leaves the type's", () => {
    const route = routeAlert(RoutingConfigSchema.parse(rules({ holdForSeconds: 60, reopenWithinMinutes: 30 })), pool);
    expect(route.flap).toEqual({ holdForSeconds: 60, reopenWithinMinutes: 30 });
    expect(routeAlert(RoutingConfigSchema.parse(rules({})), pool).flap).toEqual({});
  });

  it('refuses a hold over an hour or a reopen window over a day, naming the field', () => {
    expect(routingProblems(rules({ holdForSeconds: 7_200 })).join()).toMatch(/rules\[0\]\.holdForSeconds/);
    expect(routingProblems(rules({ reopenWithinMinutes: -1 })).join()).toMatch(/rules\[0\]\.reopenWithinMinutes/);
  });
});
