import type { Hono } from 'hono';
import { openAPIRouteHandler } from 'hono-openapi';
import type { ApiEnv } from './authenticate';

/**
 * GET /openapi.json: the API's OpenAPI 3.1 document, made from the routes' own descriptions (http/describe.ts) and
 * the zod schemas that check their bodies and queries, when it is first asked for.
 */
export function openApiRoute(app: Hono<ApiEnv>): void {
  app.get(
    '/openapi.json',
    openAPIRouteHandler(app, {
      documentation: {
        info: {
          title: 'dbops API',
          version: '1',
          description:
            'Incident response and daily checklists. People act with a personal token (dbops token create); alert sources with an ' +
            'integration key or a signature. A refusal is one line in { "error" }; "not found" is always 404 "not found: <what>".',
        },
        components: {
          securitySchemes: {
            personalToken: { type: 'http', scheme: 'bearer', description: 'a personal token: dbops token create --person <id>' },
            integrationKey: { type: 'http', scheme: 'bearer', description: 'an integration key: dbops integration create <name>' },
            signature: {
              type: 'apiKey',
              in: 'header',
              name: 'x-dbops-signature',
              description:
                'HMAC-SHA256 keyed with sha256hex(key) over "<unix seconds>.<body>", with x-dbops-integration and x-dbops-timestamp',
            },
          },
        },
      },
    }),
  );
}
