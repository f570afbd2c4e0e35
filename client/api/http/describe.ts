import { describeRoute, resolver } from 'hono-openapi';
import { z } from 'zod';

/** Who may call a route, as the OpenAPI document says it (the security schemes of openApiRoute). */
export type RouteAuth = 'person' | 'integration' | 'page-link' | 'none';

const ErrorBody = z.object({ error: z.string().describe('one line: what is wrong and what is accepted') });

const SECURITY: Record<RouteAuth, Record<string, string[]>[]> = {
  person: [{ personalToken: [] }],
  integration: [{ integrationKey: [] }, { signature: [] }],
  'page-link': [],
  none: [],
};

/** JSON Schema parameters of a query schema (z.object of strings), one a field. */
function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query' as const,
    required: json.required?.includes(name) ?? false,
    schema: property,
    ...('description' in property && { description: String(property.description) }),
  }));
}

/**
 * The OpenAPI description of one route, from the zod schemas that check its body and query: put in the route's
 * middleware chain, before its handler. A route without one is left out of /openapi.json (a test holds every route
 * to having one).
 */
export function describe(
  summary: string,
  o: { tag: string; auth: RouteAuth; body?: z.ZodType; query?: z.ZodObject; description?: string },
) {
  return describeRoute({
    summary,
    tags: [o.tag],
    ...(o.description && { description: o.description }),
    security: SECURITY[o.auth],
    ...(o.query && { parameters: queryParameters(o.query) }),
    ...(o.body && { requestBody: { required: true, content: { 'application/json': { schema: resolver(o.body) } } } }),
    responses: {
      200: { description: 'done (202: accepted, 201: created)' },
      ...(o.auth === 'person' || o.auth === 'integration' ? { 401: { description: 'no valid credential' } } : {}),
      400: { description: 'a bad request: the error names the field', content: { 'application/json': { schema: resolver(ErrorBody) } } },
      404: {
        description: 'not found: the error names what was looked for',
        content: { 'application/json': { schema: resolver(ErrorBody) } },
      },
      503: { description: 'Temporal or the audit store did not answer in time: retry after Retry-After' },
    },
  });
}
