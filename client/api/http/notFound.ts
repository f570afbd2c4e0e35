import type { Context } from 'hono';

/**
 * "Not found", said one way by every route: 404 and one line naming what was looked for, so the CLI (and any
 * client) can tell "there is no such thing" from a refusal or a failure.
 */
export const notFound = (c: Context, what: string) => c.json({ error: `not found: ${what}` }, 404);
