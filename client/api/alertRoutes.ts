import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { Logger } from '../../lib/logger';
import { parseWebhookAlerts } from '../alerts/alertmanagerPayload';
import { InvalidEventError, parsePagerDutyEvent } from '../alerts/pagerdutyEvent';
import { InvalidRequestError } from '../incidents/openIncident';
import { acknowledgeAlert, resolveAlert, triggerAlert, type AlertContext } from '../alerts/receiveAlert';
import { integrationAuth, callingIntegration, stampReceivedAt, type ApiEnv, type AuthDeps } from './authenticate';
import { BodyNotJsonError, limitBody, readJson } from './intake';

/** The body as JSON, or InvalidEventError saying why not (every format answers a bad body with 400 and its errors). */
async function jsonOf(c: Context): Promise<unknown> {
  try {
    return await readJson(c);
  } catch (err) {
    if (!(err instanceof BodyNotJsonError)) throw err;
    throw new InvalidEventError([err.status === 415 ? err.message : '(body): must be valid JSON']);
  }
}

/**
 * Monitoring tools' own formats: PagerDuty's Events API v2 (POST /v2/enqueue), Alertmanager's webhook (POST
 * /alertmanager) and Grafana's (POST /grafana). Each is authenticated by an integration key like POST /alerts; a
 * bad payload is refused whole (400 naming each field) before anything is started.
 */
export function alertRoutes(app: Hono<ApiEnv>, ctx: AlertContext, deps: AuthDeps, log: Logger): void {
  // A value the incident itself refuses (checked again by openIncident) is a bad request, not a server failure.
  const refused = (c: Context, err: unknown) => {
    if (err instanceof InvalidRequestError) return c.json({ status: 'invalid event', message: err.message, errors: [err.message] }, 400);
    throw err;
  };
  app.post('/v2/enqueue', stampReceivedAt, limitBody, integrationAuth(deps, { keyInBody: 'routing_key' }), async (c) => {
    const integration = callingIntegration(c);
    let event;
    try {
      event = parsePagerDutyEvent(await jsonOf(c));
    } catch (err) {
      if (err instanceof InvalidEventError)
        return c.json({ status: 'invalid event', message: 'Event object is invalid', errors: err.errors }, 400);
      throw err;
    }
    if (event.action === 'trigger') {
      // PagerDuty gives a trigger without a dedup_key one of its own, returned so the sender can resolve it later.
      const dedupKey = event.dedupKey ?? randomUUID().replace(/-/g, '');
      let opened;
      try {
        opened = await triggerAlert(
          ctx,
          {
            integration,
            dedupKey,
            alert: event.alert,
            defaultKey: dedupKey,
            summary: event.summary,
            detail: event.detail,
            firedAt: event.firedAt,
          },
          c.get('receivedAt'),
        );
      } catch (err) {
        return refused(c, err);
      }
      const { workflowId, route } = opened;
      log.info({ workflowId, integration, rule: route.rule ?? 'triage' }, 'PagerDuty event accepted');
      return c.json({ status: 'success', message: 'Event processed', dedup_key: dedupKey, workflowId }, 202);
    }
    const outcome =
      event.action === 'acknowledge'
        ? await acknowledgeAlert(ctx, integration, event.dedupKey)
        : await resolveAlert(ctx, integration, event.dedupKey);
    log.info({ integration, action: event.action, done: outcome.done, workflowId: outcome.workflowId }, outcome.message);
    const message = outcome.done ? `Event processed: ${outcome.message}` : `Event processed; dropped: ${outcome.message}`;
    return c.json(
      { status: 'success', message, dedup_key: event.dedupKey, ...(outcome.workflowId && { workflowId: outcome.workflowId }) },
      202,
    );
  });

  for (const intake of ['alertmanager', 'grafana'] as const) {
    app.post(`/${intake}`, stampReceivedAt, limitBody, integrationAuth(deps), async (c) => {
      const integration = callingIntegration(c);
      let alerts;
      try {
        alerts = parseWebhookAlerts(intake, await jsonOf(c));
      } catch (err) {
        if (err instanceof InvalidEventError)
          return c.json({ error: `invalid ${intake} payload: ${err.message}`, errors: err.errors }, 400);
        throw err;
      }
      // Each alert on its own: a firing one opens (or repeats) its incident, a resolved one applies the type's policy.
      const results = [];
      try {
        for (const a of alerts) {
          if (a.action === 'trigger') {
            const { workflowId, route } = await triggerAlert(ctx, { integration, ...a }, c.get('receivedAt'));
            results.push({ dedupKey: a.dedupKey, action: 'trigger', workflowId, rule: route.rule ?? 'triage' });
          } else {
            const outcome = await resolveAlert(ctx, integration, a.dedupKey, { summary: a.summary, endedAt: a.endedAt });
            results.push({
              dedupKey: a.dedupKey,
              action: 'resolve',
              workflowId: outcome.workflowId,
              done: outcome.done,
              message: outcome.message,
            });
          }
        }
      } catch (err) {
        return refused(c, err);
      }
      log.info({ integration, intake, alerts: results.length }, 'monitoring alerts accepted');
      return c.json({ status: 'success', results }, 202);
    });
  }
}
