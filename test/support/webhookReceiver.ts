import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  id: string;
  kind: string;
  text: string;
  at: number;
  answered: number;
  /** The delivering process (x-dbops-sender: host/pid). */
  sender?: string;
}

/**
 * A real Slack-style webhook on loopback: records every request (by dbops.id, with its arrival time) and answers
 * 200 when up, 503 when down, after `delayMs` for the request's notification.
 */
export async function startWebhookReceiver(path = '/hook') {
  const state = {
    up: true,
    delayMs: (_id: string) => 0,
    requests: [] as ReceivedRequest[],
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { text: string; dbops: { id: string; kind: string } };
      const status = state.up ? 200 : 503;
      const sender = req.headers['x-dbops-sender'] as string | undefined;
      state.requests.push({ id: parsed.dbops.id, kind: parsed.dbops.kind, text: parsed.text, at: Date.now(), answered: status, sender });
      setTimeout(() => res.writeHead(status).end(), state.delayMs(parsed.dbops.id));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    /** How many requests each notification id got. */
    countsById: () => state.requests.reduce((m, r) => m.set(r.id, (m.get(r.id) ?? 0) + 1), new Map<string, number>()),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
