import { z } from 'zod';

/** A query string the route's schema refused, as one line naming each parameter and what it accepts. */
export const queryProblem = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ');

/** A `days` query parameter: a whole number from 1 to 366, `fallback` when absent; `what` says which way it looks. */
export const wholeDays = (fallback: number, what: string) =>
  z.coerce
    .number({ error: 'a whole number of days, 1 to 366' })
    .int('a whole number of days, 1 to 366')
    .min(1, 'a whole number of days, 1 to 366')
    .max(366, 'a whole number of days, 1 to 366')
    .default(fallback)
    .describe(`${what} (1 to 366, default ${fallback})`);
