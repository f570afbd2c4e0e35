/**
 * dbops' configuration and the servers it points at, read when a command runs. Kept apart from connections.ts:
 * commands that only call the dbops API import this and never load the Temporal client or pg (a quarter of a
 * second of `dbops incident list`'s start).
 */
import { loadConfig } from '../../lib/config';
import { resolveRuntime } from '../../lib/runtime';

export const config = loadConfig();
export const runtime = resolveRuntime(config);
