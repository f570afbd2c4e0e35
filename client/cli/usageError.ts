/** A mistake in how a command was called (one line and a hint, exit 2): see cliErrors.ts for the others. */
export { UsageError } from './cliErrors';
