import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Fields every log line written inside a unit of work carries (the incident id and workflow id of the activity that
 * logs), so one incident's lines can be found across processes without each call site passing them.
 */
export const logContext = new AsyncLocalStorage<Record<string, string>>();
