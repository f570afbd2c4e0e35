import type { Hono } from 'hono';
import type { Logger } from '../../lib/logger';
import { InvalidRequestError, openIncident, parseIncidentRequest } from '../incidents/openIncident';
import type { ApiContext } from './apiContext';
import { callingIntegration, integrationAuth, signatureBackOnFailure, stampReceivedAt, type ApiEnv, type AuthDeps } from './authenticate';
import { requestDeadline, type Deadlines } from './deadline';
import { limitBody } from './http/bodyLimit';
import { jsonBody } from './http/jsonBody';
import { describe } from './http/describe';
import { IncidentBodySchema as AlertBody } from '../incidents/openIncident';

export const ALERT_BODY_SHAPE = '{ "type", "tier", "severity"?, "fingerprint"?, "title"?, "summary"?, "firedAt"? }';

/**
 * POST /alerts: dbops' own alert format, from an integration (its key, or a signature). Credentials are checked
 * before the body is parsed; the body limit first, as a signature covers the body.
 */
export function dbopsAlertRoute(app: Hono<ApiEnv>, ctx: ApiContext, deps: AuthDeps, deadlines: Deadlines, log: Logger): void {
  app.post(
    '/alerts',
    describe('an alert in dbops’ own format: opens or repeats its incident', { tag: 'alerts', auth: 'integration', body: AlertBody }),
    stampReceivedAt,
    limitBody,
    signatureBackOnFailure(deps),
    requestDeadline(deadlines),
    integrationAuth(deps),
    async (c) => {
      const body = await jsonBody(c, ALERT_BODY_SHAPE);
      if (body instanceof Response) return body;
      const integration = callingIntegration(c);
      try {
        if ('by' in body)
          throw new InvalidRequestError(`by is not accepted: the sender is the integration the key names ('${integration}')`);
        const request = parseIncidentRequest({ ...body, by: `integration:${integration}`, source: 'webhook' });
        const { workflowId } = await openIncident({ ...ctx, roster: ctx.roster().roster }, request, c.get('receivedAt'));
        log.info({ workflowId, integration }, 'alert accepted');
        return c.json({ workflowId }, 202);
      } catch (err) {
        // Anything else (Temporal not answering) is the 503 of the app's onError.
        if (err instanceof InvalidRequestError) return c.json({ error: err.message }, 400);
        throw err;
      }
    },
  );
}
