import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The admin panel's /status on loopback, able to hold requests: the incident's first automated step
 * (checkServiceStatus) is then in flight for as long as a test needs to kill or stop the worker running it.
 * `hold`: 0 answers at once, a number answers 200 after that many ms, 'forever' never answers.
 */
export async function startStatusGate() {
  const gate = {
    hold: 0 as number | 'forever',
    requests: 0,
    answered: 0,
    url: '',
    /** Settles when the next request arrives. */
    nextRequest: () => new Promise<void>((resolve) => arrivals.push(resolve)),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const arrivals: (() => void)[] = [];
  const server = http.createServer((_req, res) => {
    gate.requests++;
    arrivals.splice(0).forEach((resolve) => resolve());
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}', () => gate.answered++);
    if (gate.hold === 0) answer();
    else if (gate.hold !== 'forever') setTimeout(answer, gate.hold);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`;
  return gate;
}
