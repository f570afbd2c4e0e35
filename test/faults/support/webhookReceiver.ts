import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One page as the receiver took it: the notifier's id, kind and subject, and when it was answered 200. */
export interface Delivery {
  id: string;
  kind: string;
  subject: string;
  at: number;
}

export type ChannelMode = { kind: 'up' } | { kind: 'down' } | { kind: 'slow'; delayMs: number };

/**
 * A real Slack-style incoming webhook on loopback. It counts a page as delivered when it answered 200 for it; while
 * 'down' it answers 503, while 'slow' it answers 200 after a delay. Requests it could not answer (the sender died)
 * are counted apart, as `aborted`.
 */
export async function startWebhookReceiver() {
  let mode: ChannelMode = { kind: 'up' };
  const deliveries: Delivery[] = [];
  const aborted: Delivery[] = [];
  /** Every request as it arrived, answered or not. */
  const received: Delivery[] = [];
  let refused = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const dbops = (JSON.parse(body) as { dbops: { id: string; kind: string; subject: string } }).dbops;
      received.push({ ...dbops, at: Date.now() });
      const answer = () => {
        if (res.destroyed) return aborted.push({ ...dbops, at: Date.now() });
        res.writeHead(200).end('ok', () => deliveries.push({ ...dbops, at: Date.now() }));
      };
      if (mode.kind === 'down') {
        refused++;
        res.writeHead(503).end();
      } else if (mode.kind === 'slow') setTimeout(answer, mode.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    deliveries,
    aborted,
    received,
    get refused() {
      return refused;
    },
    setMode(next: ChannelMode) {
      mode = next;
    },
    /** Deliveries about one incident (its `dbops.subject`). */
    of(subject: string): Delivery[] {
      return deliveries.filter((d) => d.subject === subject);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
