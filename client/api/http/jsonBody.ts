import type { Context } from 'hono';

// application/json, with or without parameters (charset), or a structured +json type.
const JSON_CONTENT_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** A body that is not JSON: 415 for another content type, 400 for text that does not parse. */
export class BodyNotJsonError extends Error {
  constructor(
    readonly status: 400 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The body parsed as JSON (any value), or BodyNotJsonError saying why not. */
export async function readJson(c: Context): Promise<unknown> {
  const contentType = c.req.header('content-type') ?? '';
  if (!JSON_CONTENT_TYPE.test(contentType))
    throw new BodyNotJsonError(415, `content-type is '${contentType || '(none)'}'; only application/json is accepted`);
  try {
    return JSON.parse(await c.req.text());
  } catch {
    throw new BodyNotJsonError(400, 'body must be valid JSON');
  }
}

/** The body of a request as a JSON object, or the response that refuses it (415, 400), naming the expected shape. */
export async function jsonBody(c: Context, shape: string): Promise<Record<string, unknown> | Response> {
  let body: unknown;
  try {
    body = await readJson(c);
  } catch (err) {
    if (err instanceof BodyNotJsonError) return c.json({ error: `${err.message}: ${shape}` }, err.status);
    throw err;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return c.json({ error: `body must be a JSON object: ${shape}` }, 400);
  return body as Record<string, unknown>;
}
