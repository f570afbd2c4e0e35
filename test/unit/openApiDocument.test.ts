import { describe, expect, it } from 'vitest';
import { createApiApp } from '../../client/api/app';
import { calendar, quietLogger, roster } from '../support/harness';

/** The API app as it serves, over a client and pool that this test never reaches (the document needs neither). */
const app = createApiApp(
  {
    client: {} as never,
    pool: {} as never,
    taskQueue: 'unused',
    calendar,
    roster: () => ({ roster, version: 'test' }) as never,
    rateLimitPerMinute: 10,
  },
  quietLogger,
);

// Hono's ':param' as OpenAPI's '{param}'.
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)/g, '{$1}');

describe('the OpenAPI document served at /openapi.json', () => {
  it('has every route the app serves, each with its method, and the zod schemas of the bodies and queries', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc.openapi).toMatch(/^3\./);
    // Every handler the app routes (middleware registered with app.use is method ALL, and not a route of its own).
    const served = [...new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiPath(r.path)}`))];
    expect(served.length).toBeGreaterThan(25);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    // The document does not list itself.
    // The console's HTML pages (client/console/, at / and /console/…) are for browsers, not API clients.
    const isConsolePage = (route: string) => route === 'GET /' || route.split(' ')[1].startsWith('/console/');
    expect(served.filter((route) => route !== 'GET /openapi.json' && !isConsolePage(route) && !documented.includes(route))).toEqual([]);

    // Bodies are the schemas that check them: POST /incidents names its fields and their choices.
    const open = doc.paths['/incidents'].post as {
      requestBody: { content: Record<string, { schema: { properties: object; required: string[] } }> };
    };
    const body = open.requestBody.content['application/json'].schema;
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['type', 'tier', 'severity', 'fingerprint', 'title']));
    expect(body.required).toEqual(expect.arrayContaining(['type', 'tier']));
    expect(Object.keys(body.properties)).not.toContain('by');
    // Queries too: the report's days, bounded as the route checks it.
    const report = doc.paths['/reports/sla'].get as { parameters: { name: string; schema: { minimum?: number; maximum?: number } }[] };
    expect(report.parameters.find((p) => p.name === 'days')?.schema).toMatchObject({ minimum: 1, maximum: 366 });
  });
});
