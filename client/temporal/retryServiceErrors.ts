import { ServiceError } from '@temporalio/client';
import type { Logger } from '../../lib/logger';

/**
 * Runs `work`, again after a pause when Temporal answers with a service error: the server is up but not yet answering
 * everything (a dev server restarted after `npm start` was SIGKILLed failed one schedule call once, the cause not
 * logged, and that single call aborted the start). Other errors, and the last attempt's, are thrown as they are.
 */
export async function retryServiceErrors<T>(what: string, work: () => Promise<T>, log: Logger, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ServiceError) || attempt >= attempts) throw err;
      const waitMs = Math.min(1000 * 2 ** (attempt - 1), 10_000);
      log.warn(
        { attempt, waitMs, error: err.message, cause: (err.cause as Error | undefined)?.message },
        `Temporal did not answer to ${what}; trying again`,
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
