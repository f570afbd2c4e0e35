import type { z } from 'zod';

/** A query string the route's schema refused, as one line naming each parameter and what it accepts. */
export const queryProblem = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(query)'}: ${i.message}`).join('; ');
