import { Context } from '@temporalio/activity';
import { logContext } from '../lib/logContext';

/** The incident an activity works for: a step's `incidentId`, or an audit event's or notification's subject. */
function incidentIdOf(args: unknown[]): string | undefined {
  for (const arg of args) {
    if (typeof arg !== 'object' || arg === null) continue;
    const { incidentId, subjectId } = arg as { incidentId?: unknown; subjectId?: unknown };
    if (typeof incidentId === 'string') return incidentId;
    if (typeof subjectId === 'string' && subjectId.startsWith('INC-')) return subjectId;
  }
  return undefined;
}

/**
 * Runs every activity with its incident id, workflow id and activity type in the log context, so each line it logs
 * (audit writes, pages, checks, hooks) names them.
 */
export function withActivityLogContext<T extends object>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = (...args: unknown[]) => {
      const { workflowExecution } = Context.current().info;
      const incidentId = incidentIdOf(args);
      const fields: Record<string, string> = { activity: name };
      if (workflowExecution) fields.workflowId = workflowExecution.workflowId;
      if (incidentId) fields.incidentId = incidentId;
      return logContext.run(fields, () => (fn as (...a: unknown[]) => unknown)(...args));
    };
  }
  return wrapped as T;
}
