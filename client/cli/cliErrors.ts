import { EXIT } from './exitCodes';

/** A mistake in how a command was called: one line and a hint, exit 2; nothing was sent. */
export class UsageError extends Error {
  readonly exitCode: number = EXIT.usage;
}

/** The API (or the store, for admin commands) has no such thing: "not found: …", exit 5. */
export class NotFoundError extends Error {
  readonly exitCode: number = EXIT.notFound;
}

/** The API refused (policy, state, value, rate): its reason, exit 4; nothing was changed. */
export class RefusedError extends Error {
  readonly exitCode: number = EXIT.refused;
}

/** A server that is not there or failed, or a setting that cannot be used: one line, exit 1. */
export class FailedError extends Error {
  readonly exitCode: number = EXIT.failed;
}
