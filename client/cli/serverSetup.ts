/** `dbops setup`: dbops' search attributes on a Temporal server you run. */
import { Connection } from '@temporalio/client';
import { registerSearchAttributes } from '../temporal/registerSearchAttributes';
import { config, runtime } from './connections';
import { say } from './output';
import { FailedError } from './cliErrors';

export async function setupServer() {
  if (!runtime.temporalAddress) throw new FailedError('no Temporal server: set TEMPORAL_ADDRESS');
  const connection = await Connection.connect({ address: runtime.temporalAddress });
  try {
    await registerSearchAttributes(connection, config.temporal.namespace);
    say(`search attributes registered on ${config.temporal.namespace}`);
  } finally {
    await connection.close();
  }
}
