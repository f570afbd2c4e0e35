import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/** Where `npm start` tells the CLI in another terminal how to reach what it started. */
export const runtimeFile = (config: Config) => path.join(config.dataDir, 'runtime.json');

/** For the CLI: the addresses from the environment, else from a running `npm start`. */
export function resolveRuntime(config: Config): { temporalAddress?: string; databaseUrl?: string; schedulesPath?: string } {
  let started: { temporalAddress?: string; databaseUrl?: string; schedulesPath?: string } = {};
  try {
    started = JSON.parse(fs.readFileSync(runtimeFile(config), 'utf8'));
  } catch {
    /* nothing started locally */
  }
  return {
    temporalAddress: config.temporal.address ?? started.temporalAddress,
    databaseUrl: config.databaseUrl ?? started.databaseUrl,
    // npm start's demo schedule, so `dbops oncall` in another terminal agrees with the pages.
    schedulesPath: config.schedulesPath ?? started.schedulesPath,
  };
}
