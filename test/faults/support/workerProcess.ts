import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface WorkerProcess {
  pid: number;
  /** Settles when the worker logged 'worker running' (it polls its task queue). */
  ready: Promise<void>;
  /** Settles with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited without being told to. */
  exitedEarly(): boolean;
  /** The last lines the process wrote, for failure messages. */
  output(): string;
  /** SIGKILL to the whole process group: the worker and anything it started. */
  kill9(): Promise<void>;
  /**
   * SIGTERM to the worker process (what `docker stop` does); waits for the worker to drain and exit. Resolves with
   * how it exited and how long it took.
   */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/**
 * Starts the production worker (`workers/main.ts`) as its own process, as an operator would, with the given
 * environment on top of a quiet default. The SDK's own logs stay at ERROR; dbops logs JSON on stdout.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  // `node --import tsx`, as `npm run worker` and the image run it: the tsx launcher's signal relay SIGKILLs its child
  // when the child does not confirm within 30 ms, which a loaded worker misses (seen: exit 143 instead of a drain).
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so kill9 reaches anything the worker started too.
    detached: true,
  });
  let tail = '';
  let onLine: (line: string) => void = () => undefined;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-6000);
    for (const line of text.split('\n')) onLine(line);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    onLine = (line) => {
      if (line.includes('"worker running"')) resolve();
    };
    void exited.then(({ code, signal }) => reject(new Error(`worker exited (${code ?? signal}) before it ran:\n${tail}`)));
  });
  ready.catch(() => undefined); // observed by whoever awaits it
  let stopping = false;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* the group is gone already */
    }
  };
  // No worker outlives the test process, whatever happens to it.
  process.once('exit', killGroup);
  void exited.then(() => process.removeListener('exit', killGroup));
  return {
    pid: child.pid!,
    ready,
    exited,
    exitedEarly: () => gone() && !stopping,
    output: () => tail,
    async kill9() {
      stopping = true;
      killGroup();
      await exited;
    },
    async terminate() {
      stopping = true;
      const started = Date.now();
      if (!gone()) child.kill('SIGTERM');
      const result = await exited;
      killGroup(); // anything the launcher left behind
      return { ...result, ms: Date.now() - started };
    },
  };
}
