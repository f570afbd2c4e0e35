/** A mistake in how a command was called, or a server it needs that is not there: printed as one line, exit 1. */
export class UsageError extends Error {}
