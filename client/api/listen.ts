import fs from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { ApiEnv } from './authenticate';

/** Listens on `hostname` (loopback unless configured otherwise: lib/config refuses another address without TLS). */
export function startIntake(
  app: Hono<ApiEnv>,
  port: number,
  hostname = '127.0.0.1',
  tls?: { cert: string; key: string },
): Promise<ServerType> {
  const secure = tls ? { createServer, serverOptions: { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) } } : {};
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname, ...secure }, () => resolve(server));
  });
}

/**
 * Stops taking requests: no new connection is accepted, and a kept-alive one is closed once it has answered the
 * request it carries (Node would otherwise go on serving a busy client on it until the client paused). Resolves when
 * every request in flight has been answered: whatever they need (Temporal, the audit store) must stay up until then.
 */
export function closeIntake(server: ServerType): Promise<void> {
  (server as Server).on('request', (_req, res: ServerResponse) => (res.shouldKeepAlive = false));
  return new Promise((resolve) => server.close(() => resolve()));
}
