import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { Logger } from '../../lib/logger';
import { parseWebhookAlerts, type ParsedWebhookAlert } from '../alerts/alertmanagerPayload';
import { InvalidEventError, parsePagerDutyEvent } from '../alerts/pagerdutyEvent';
import { InvalidRequestError } from '../incidents/incidentRequest';
import { acknowledgeAlert, resolveAlert, triggerAlert, type AlertContext } from '../alerts/receiveAlert';
import { integrationAuth, callingIntegration, signatureBackOnFailure, stampReceivedAt, type ApiEnv, type AuthDeps } from './authenticate';
import { MAX_BATCH_BODY_BYTES, MAX_PAGERDUTY_EVENT_BYTES } from '../../runbooks/limits';
import { deadlineFor, requestDeadline, withinDeadline, type Deadlines } from './deadline';
import { limitBodyTo } from './http/bodyLimit';
import { BodyNotJsonError, readJson } from './http/jsonBody';
import { describe } from './http/describe';
import { PagerDutyEventSchema } from '../alerts/pagerdutyEvent';

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
 * bad payload is refused whole (400 naming each field) before anything is started; in a group (Alertmanager, Grafana),
 * an alert that cannot be read is refused alone. A PagerDuty event has one deadline (`deadlines`); a group's
 * authentication has one, and then each of its alerts its own: a group of thousands takes longer than one.
 */
export function alertRoutes(app: Hono<ApiEnv>, ctx: AlertContext, deps: AuthDeps, deadlines: Deadlines, log: Logger): void {
  // A value the incident itself refuses (checked again by openIncident) is a bad request, not a server failure.
  const refused = (c: Context, err: unknown) => {
    if (err instanceof InvalidRequestError) return c.json({ status: 'invalid event', message: err.message, errors: [err.message] }, 400);
    throw err;
  };
  app.post(
    '/v2/enqueue',
    describe('a PagerDuty Events API v2 event (the key may come as routing_key)', {
      tag: 'alerts',
      auth: 'integration',
      body: PagerDutyEventSchema,
    }),
    stampReceivedAt(deps),
    limitBodyTo(MAX_PAGERDUTY_EVENT_BYTES),
    signatureBackOnFailure(deps),
    requestDeadline(deadlines),
    integrationAuth(deps, { keyInBody: 'routing_key' }),
    async (c) => {
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
        const { workflowId, route, heldBy, groupedInto } = opened;
        log.info(
          { workflowId, integration, rule: route.rule ?? 'triage', heldBy: heldBy?.window, grouped: !!groupedInto },
          'PagerDuty event accepted',
        );
        const message = heldBy
          ? `Event processed; held by maintenance window ${heldBy.window} until ${heldBy.until}`
          : groupedInto
            ? `Event processed; grouped into ${groupedInto.incidentId}: ${groupedInto.why}`
            : 'Event processed';
        return c.json(
          { status: 'success', message, dedup_key: dedupKey, workflowId, ...(heldBy && { heldBy }), ...(groupedInto && { groupedInto }) },
          202,
        );
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
    },
  );

  /** One alert of a group: a firing one opens (or repeats) its incident, a resolved one applies the type's policy. */
  const applyAlert = async (integration: string, a: ParsedWebhookAlert, receivedAt: Date) => {
    if (a.action === 'trigger') {
      const { workflowId, route, heldBy, groupedInto } = await triggerAlert(ctx, { integration, ...a }, receivedAt);
      return {
        dedupKey: a.dedupKey,
        action: 'trigger',
        workflowId,
        rule: route.rule ?? 'triage',
        ...(heldBy && { heldBy }),
        ...(groupedInto && { groupedInto }),
      };
    }
    const outcome = await resolveAlert(ctx, integration, a.dedupKey, { summary: a.summary, endedAt: a.endedAt });
    return { dedupKey: a.dedupKey, action: 'resolve', workflowId: outcome.workflowId, done: outcome.done, message: outcome.message };
  };
  const giveBackSignature = signatureBackOnFailure(deps);
  const groupAuth = deadlineFor(deadlines, integrationAuth(deps));

  for (const intake of ['alertmanager', 'grafana'] as const) {
    app.post(
      `/${intake}`,
      describe(`a ${intake === 'grafana' ? 'Grafana' : 'Alertmanager'} webhook: each alert opens, repeats or resolves its incident`, {
        tag: 'alerts',
        auth: 'integration',
      }),
      stampReceivedAt(deps),
      limitBodyTo(MAX_BATCH_BODY_BYTES),
      giveBackSignature,
      groupAuth,
      async (c) => {
        const integration = callingIntegration(c);
        let parsed;
        try {
          parsed = parseWebhookAlerts(intake, await jsonOf(c));
        } catch (err) {
          if (err instanceof InvalidEventError)
            return c.json({ error: `invalid ${intake} payload: ${err.message}`, errors: err.errors }, 400);
          throw err;
        }
        const refusals = [...parsed.refused];
        // Each alert on its own, a few at a time (a group of thousands should not take minutes), the alerts of one key
        // in order, each within a deadline of its own: the first that fails ends the group (503: the tool sends it again).
        const results = await eachByKey(
          parsed.alerts,
          (a) => a.dedupKey,
          ALERTS_IN_FLIGHT,
          async (a) => {
            try {
              return await withinDeadline(deadlines, () => applyAlert(integration, a, c.get('receivedAt')));
            } catch (err) {
              // A value the incident refuses loses this alert only; anything else fails the request, which the tool retries.
              if (!(err instanceof InvalidRequestError)) throw err;
              refusals.push(`${a.dedupKey}: ${err.message}`);
              return { dedupKey: a.dedupKey, action: a.action, refused: err.message };
            }
          },
        );
        if (refusals.length)
          log.error({ integration, intake, refused: refusals.slice(0, 20), count: refusals.length }, 'monitoring alerts refused');
        log.info({ integration, intake, alerts: results.length }, 'monitoring alerts accepted');
        return c.json({ status: 'success', results, ...(refusals.length && { refused: refusals }) }, 202);
      },
    );
  }
}

/**
 * Alerts of one request handled at once: a real Alertmanager's group of 2,000 critical alerts on oltp was all paged
 * by 104 s at 8, by 84 s at 20 (`npm run bench -- --alertmanager-group`); the intake then took the group in 21-25 s,
 * and the worker, not the intake, is what the last pages wait for.
 */
const ALERTS_IN_FLIGHT = 20;

/**
 * `work` on every item, `concurrency` at a time, the items of one key one after another in their order; results in
 * the items' order. After a failure no item is started; those under way are waited for before the first failure is
 * thrown, so nothing runs on unseen (with Temporal not answering, a group of thousands fails in one deadline).
 */
async function eachByKey<T, R>(items: T[], keyOf: (t: T) => string, concurrency: number, work: (t: T, index: number) => Promise<R>) {
  const byKey = new Map<string, number[]>();
  items.forEach((t, i) => {
    const key = keyOf(t);
    const queue = byKey.get(key);
    if (queue) queue.push(i);
    else byKey.set(key, [i]);
  });
  const queues = [...byKey.values()];
  const results: R[] = new Array(items.length);
  const failures: unknown[] = [];
  const worker = async () => {
    for (let q = queues.shift(); q && !failures.length; q = queues.shift()) {
      for (const i of q) {
        if (failures.length) return;
        try {
          results[i] = await work(items[i], i);
        } catch (err) {
          failures.push(err);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
  if (failures.length) throw failures[0];
  return results;
}
