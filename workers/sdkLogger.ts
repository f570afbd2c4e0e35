import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

/**
 * The Temporal SDK's own log lines (with their workflow and activity ids) through dbops' JSON log: WARN and up,
 * INFO when dbops logs at debug. The pages worker serves activities only, so the SDK's start-up warning that it
 * polls no workflow tasks is expected there and dropped.
 */
export function sdkLogger(log: Logger, dbopsLevel: string): DefaultLogger {
  const sdkLog = log.child({ component: 'temporal-sdk' });
  const level: LogLevel = dbopsLevel === 'debug' || dbopsLevel === 'trace' ? 'INFO' : 'WARN';
  return new DefaultLogger(level, (e) => {
    if (e.message.startsWith('No workflows registered, not polling for workflow tasks')) return;
    sdkLog[e.level === 'WARN' ? 'warn' : e.level === 'ERROR' ? 'error' : 'info'](e.meta ?? {}, e.message);
  });
}
