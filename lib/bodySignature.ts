import { createHmac } from 'node:crypto';

/** Where a signed request carries its signing time and signature. */
export const BODY_SIGNATURE_HEADERS = { timestamp: 'x-dbops-timestamp', signature: 'x-dbops-signature' } as const;

/**
 * dbops' body signature, both ways (alerts signed into the API, webhooks signed out to their receivers):
 * HMAC-SHA256 keyed with the shared secret over `<timestamp>.<raw body>`, sent as `sha256=<hex>` beside the
 * timestamp (Unix seconds).
 */
export function signBody(secret: string, timestamp: number | string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}
