import { RoutingConfigSchema } from '../../runbooks/alertRouting';

/**
 * The alert tests' routing: PostgresDown alerts to a database outage on OLTP, one per alert name and instance,
 * anything else unclassified on OLAP; `more` rules come after.
 */
export function testRouting(more: unknown[] = []) {
  return RoutingConfigSchema.parse({
    default: { tier: 'olap' },
    rules: [
      {
        name: 'pg-down',
        match: { labels: { alertname: 'PostgresDown' } },
        type: 'database-outage',
        tier: 'oltp',
        fingerprint: '{{alertname}}:{{instance}}',
      },
      ...more,
    ],
  });
}
