import { Pool } from 'pg';
import { createActivities, type DbopsActivities } from '../activities';
import { logChannel, webhookChannel, type NotificationChannel } from '../activities/notify/channels';
import { createOutbox } from '../activities/notify/outbox';
import { checklistIncidentOpener, type OpenIncidentContext } from '../client/incidents/openIncident';
import { deliveryFailureReporter } from '../client/incidents/reportDeliveryFailure';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { rosterInForce } from '../lib/rosterInForce';
import { closeTierPools, createTierPools } from '../lib/tierPools';
import { withActivityLogContext } from './activityLogContext';

/** Wires the activities to the real audit store, tier databases and notification channels from configuration. */
export function buildActivities(
  config: Config,
  databaseUrl: string,
  logger: Logger,
  incidents: OpenIncidentContext,
): { activities: DbopsActivities; auditPool: Pool; channels: NotificationChannel[]; close(): Promise<void> } {
  // A store that does not answer is noticed in seconds, so a page can go out without it (activities/notify/outbox.ts).
  const auditPool = new Pool({ connectionString: databaseUrl, max: 10, application_name: 'dbops-audit', connectionTimeoutMillis: 5000 });
  auditPool.on('error', (err) => logger.warn({ err: err.message }, 'audit store connection lost; reconnecting on next use'));
  const tierPools = createTierPools(config.tierUrls, databaseUrl, (err) => logger.warn({ err: err.message }, 'tier connection lost'));
  const channels = [logChannel(logger.child({ component: 'notifier' }))];
  if (config.webhookUrl) channels.push(webhookChannel(config.webhookUrl));
  const outbox = createOutbox({
    pool: auditPool,
    channels,
    logger: logger.child({ component: 'outbox' }),
    policy: { maxAttempts: config.notifyMaxAttempts, onDead: deliveryFailureReporter(auditPool, () => incidents) },
  });
  const activities = createActivities({
    auditPool,
    tierPools,
    channels,
    outbox,
    logger,
    adminStatusUrl: config.adminStatusUrl,
    failover: config.failover,
    thresholds: config.thresholds,
    allowedCidrs: config.allowedCidrs,
    allowedSuperusers: config.allowedSuperusers,
    openIncident: checklistIncidentOpener(() => incidents),
    backupCheckCommand: config.backupCheckCommand,
    currentRoster: rosterInForce(config.rosterPath, logger),
  });
  // Notifications a channel could not take stay pending in the outbox; retry the due ones every 30 s. Rows are
  // claimed, so the flushers of several workers and the notify activity never deliver one twice.
  let flushing: Promise<unknown> = Promise.resolve();
  const flusher = setInterval(() => {
    flushing = outbox.flush().catch((err) => logger.warn({ error: (err as Error).message }, 'outbox flush failed'));
  }, 30_000);
  flusher.unref();
  return {
    activities: withActivityLogContext(activities),
    auditPool,
    channels,
    async close() {
      clearInterval(flusher);
      await flushing;
      await closeTierPools(tierPools);
      await auditPool.end();
    },
  };
}
