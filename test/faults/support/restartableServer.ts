import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../../dev/provision/processes';

/**
 * A server of one fault file's own (the run's shared ones must stay up for every other file), kept in a folder and on
 * a port that survive its restarts: started before the file's tests, stopped and its folder removed after them. The
 * test stops it (`stop`, or however the fault does it) and brings it back on the same state with `start`.
 */
export function restartableServer<S>(
  label: string,
  o: { start: (dir: string, port: number) => Promise<S>; stop: (server: S) => Promise<void> },
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dbops-fault-${label}-`));
  let port = 0;
  let server: S | undefined;
  const handle = {
    dir,
    /** The server as last started. */
    get current(): S {
      if (!server) throw new Error(`the ${label} server has not started`);
      return server;
    },
    async start() {
      server = await o.start(dir, port);
      return server;
    },
  };
  beforeAll(async () => {
    fs.chmodSync(dir, 0o755); // as root, a server may run as another user that must reach its data
    port = await freePort();
    await handle.start();
  });
  afterAll(async () => {
    if (server) await o.stop(server);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return handle;
}
