import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server on loopback standing in for the admin panel's /status, with a switchable answer. */
export async function startStatusServer(): Promise<{ url: string; status: number; close(): Promise<void> }> {
  const state = { status: 200 };
  const server = http.createServer((_req, res) => {
    res.writeHead(state.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: state.status < 400 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/status`,
    get status() {
      return state.status;
    },
    set status(v: number) {
      state.status = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
