import type { Hono } from 'hono';
import type { Logger } from '../../lib/logger';
import { InvalidRequestError, parseIncidentRequest } from '../incidents/incidentRequest';
import type { ApiContext } from './apiContext';
import { callingIntegration, integrationAuth, signatureBackOnFailure, stampReceivedAt, type ApiEnv, type AuthDeps } from './authenticate';
import { requestDeadline, type Deadlines } from './deadline';
import { limitBody } from './http/bodyLimit';
import { jsonBody } from './http/jsonBody';
import { parseAlertLabels } from '../alerts/alertLabels';
import { admitAlert } from '../alerts/admitAlert';
import { incidentWorkflowId } from '../../workflows/incident/messages';
import { describe } from './http/describe';
import { IncidentBodySchema as AlertBody } from '../incidents/incidentRequest';

export const ALERT_BODY_SHAPE = '{ "type", "tier", "severity"?, "fingerprint"?, "title"?, "summary"?, "firedAt"?, "labels"? }';

/**
 * POST /alerts: dbops' own alert format, from an integration (its key, or a signature). Credentials are checked
 * before the body is parsed; the body limit first, as a signature covers the body.
 */
export function dbopsAlertRoute(app: Hono<ApiEnv>, ctx: ApiContext, deps: AuthDeps, deadlines: Deadlines, log: Logger): void {
  app.post(
    '/alerts',
    describe('an alert in dbops’ own format: opens or repeats its incident', { tag: 'alerts', auth: 'integration', body: AlertBody }),
    stampReceivedAt(deps),
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
        const { labels: rawLabels, ...fields } = body;
        const labels = parseAlertLabels(rawLabels);
        const request = parseIncidentRequest({ ...fields, by: `integration:${integration}`, source: 'webhook' }, ctx.runbook?.());
        // An alert in dbops' own format has no key at its source but its incident's: a window holds it under that.
        const dedupKey = incidentWorkflowId(request.type, request.tier, request.fingerprint);
        const admitted = await admitAlert(
          { ...ctx, roster: ctx.roster().roster },
          { integration, dedupKey, labels, request },
          c.get('receivedAt'),
        );
        const { workflowId } = admitted;
        if (admitted.outcome === 'held') {
          log.info({ workflowId, integration, window: admitted.heldBy.window }, 'alert held by a maintenance window');
          return c.json({ workflowId, heldBy: admitted.heldBy }, 202);
        }
        if (admitted.outcome === 'grouped') {
          log.info({ workflowId, integration, cause: admitted.groupedInto.cause }, 'alert grouped into its cause’s incident');
          return c.json({ workflowId, groupedInto: admitted.groupedInto }, 202);
        }
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
