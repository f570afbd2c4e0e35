/** Workflow time as the ISO strings that state, audit and activities carry. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export const MINUTE = 60_000;
