import { Pool } from 'pg';
import { createActivities, type DbopsActivities } from '../activities';
import { logChannel, webhookChannel, type NotificationChannel, type PageLinker } from '../activities/notify/channels';
import { emailChannel } from '../activities/notify/emailChannel';
import { signedWebhookChannel } from '../activities/notify/signedWebhookChannel';
import { createOutbox } from '../activities/notify/outbox';
import { checklistIncidentOpener, type OpenIncidentContext } from '../client/incidents/openIncident';
import { heldIncidentReleaser } from '../client/alerts/releaseHeldAlerts';
import { scheduledDrillOpener } from '../client/incidents/openDrill';
import { deliveryFailureReporter } from '../client/incidents/reportDeliveryFailure';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { pageLinksFor } from '../lib/pageLinks';
import { rosterInForce } from '../lib/rosterInForce';
import { schedulesInForce } from '../lib/schedules';
import { runbookNow } from '../runbooks/runbook';
import { overridesInForce } from '../activities/notify/overridesInForce';
import { logOnCallGaps } from './onCallGapLog';
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
  const tierPools = createTierPools(config.tierUrls, databaseUrl, {
    tiers: () => runbookNow(incidents.runbook).tiers,
    env: process.env,
    onIdleError: (err) => logger.warn({ err: err.message }, 'tier connection lost'),
  });
  for (const { tier, variable } of tierPools.unconnected())
    logger.warn({ tier, variable }, `tier '${tier}' has no database: its checks and probes fail until ${variable} is set`);
  const channels = notificationChannels(config, logger);
  const outbox = createOutbox({
    pool: auditPool,
    channels,
    logger: logger.child({ component: 'outbox' }),
    policy: {
      maxAttempts: config.notifyMaxAttempts,
      leaseMs: config.outboxLeaseMs,
      onDead: deliveryFailureReporter(auditPool, () => incidents),
    },
  });
  const currentRoster = rosterInForce(config.rosterPath, logger, () => runbookNow(incidents.runbook).roles);
  const currentSchedules = schedulesInForce(config.schedulesPath, currentRoster, logger, () => runbookNow(incidents.runbook).roles);
  const gapLog = logOnCallGaps({
    pool: auditPool,
    roster: currentRoster,
    schedules: currentSchedules,
    log: logger.child({ component: 'oncall' }),
  });
  if (!config.signedWebhook && currentRoster().roster.people.some((p) => p.channels.webhook))
    logger.warn('the roster names people’s webhooks but DBOPS_SIGNED_WEBHOOK_SECRET is not set: they are not paged there');
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
    releaseHeldIncident: heldIncidentReleaser(() => incidents, auditPool),
    openDrill: scheduledDrillOpener(() => incidents),
    backupCheckCommand: config.backupCheckCommand,
    currentRoster,
    currentSchedules,
    overridesAt: overridesInForce(auditPool, logger.child({ component: 'oncall' })),
    secretKeys: config.secretKeys,
    runbook: () => runbookNow(incidents.runbook),
  });
  // Notifications a channel could not take, or whose worker died sending them, stay pending in the outbox; retry the
  // due ones every DBOPS_OUTBOX_FLUSH_SECONDS (10 s: one indexed claim query). Rows are claimed, so the flushers of
  // several workers and the notify activity never deliver one twice.
  let flushing: Promise<unknown> = Promise.resolve();
  const flusher = setInterval(() => {
    flushing = outbox.flush().catch((err) => logger.warn({ error: (err as Error).message }, 'outbox flush failed'));
  }, config.outboxFlushMs);
  flusher.unref();
  return {
    activities: withActivityLogContext(activities),
    auditPool,
    channels,
    async close() {
      clearInterval(flusher);
      gapLog.stop();
      await gapLog.looked;
      await flushing;
      await closeTierPools(tierPools);
      await auditPool.end();
    },
  };
}

/**
 * The log always; the team's Slack-compatible webhook, e-mail to each person and signed webhooks (the team's, and
 * each person's own) when configured. Pages carry each person's signed ack and open links when DBOPS_LINK_SECRET is set.
 */
export function notificationChannels(config: Config, logger: Logger): NotificationChannel[] {
  const linkConfig = config.pageLinks;
  const links: PageLinker | undefined = linkConfig && ((n, person) => pageLinksFor(linkConfig, n, person));
  const channels = [logChannel(logger.child({ component: 'notifier' }))];
  if (config.webhookUrl) channels.push(webhookChannel(config.webhookUrl, 5000, links));
  if (config.smtp) channels.push(emailChannel(config.smtp, links));
  if (config.signedWebhook?.url)
    channels.push(
      signedWebhookChannel({ name: 'signed-webhook', url: config.signedWebhook.url, secret: config.signedWebhook.secret, links }),
    );
  if (config.signedWebhook) channels.push(signedWebhookChannel({ name: 'person-webhook', secret: config.signedWebhook.secret, links }));
  return channels;
}
