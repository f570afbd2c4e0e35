import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../../lib/logger';

/** One start of a kept process: the process, how to stop it, and the tail of its output when it is kept. */
export interface Launched {
  process: ChildProcess;
  stop(): Promise<void>;
  output?(): string;
}

export interface KeptRunning {
  /** The current process' pid (a new one after each restart). */
  pid(): number;
  restarts(): number;
  /** Sends a signal to the current process (SIGKILL: a crash); it is started again. */
  kill(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/**
 * A child process started by `launch` (or already started: `first`) and started again a second after it dies, until
 * stopped: compose's `restart: unless-stopped`. Each death is logged with how the process ended.
 */
export function keepRunning(
  name: string,
  launch: () => Launched,
  o: { log: Logger; first?: Launched; logFields?: Record<string, unknown> },
): KeptRunning {
  const { log } = o;
  let current = o.first ?? launch();
  let stopping = false;
  let restarts = 0;
  const restartWhenItDies = (launched: Launched) => {
    launched.process.once('exit', (code, signal) => {
      if (stopping) return;
      restarts++;
      const output = launched.output?.().trim().slice(-800);
      log.warn({ process: name, code, signal, ...o.logFields, ...(output && { output }) }, `${name} exited; restarting it`);
      setTimeout(() => {
        if (stopping) return;
        current = launch();
        restartWhenItDies(current);
      }, 1000).unref();
    });
  };
  restartWhenItDies(current);
  return {
    pid: () => current.process.pid!,
    restarts: () => restarts,
    kill: (signal) => current.process.kill(signal),
    async stop() {
      stopping = true;
      await current.stop();
    },
  };
}
