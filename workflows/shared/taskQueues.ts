import type { Severity } from '../../runbooks/types';

/**
 * Pages (escalations, reminders, their retries) go to a task queue of their own, served by a worker of their own:
 * under a storm, the main queue's audit writes and checks are held to a rate, and a page must never wait behind
 * them. Derived from the incident's queue, so a deployment names one queue.
 */
export const pagesTaskQueue = (taskQueue: string): string => `${taskQueue}-pages`;

/**
 * A critical incident runs on a task queue of its own, served by workers of its own in every worker process: its
 * first task (the opening page) never waits behind the first tasks of a storm of lower-severity incidents. On one
 * queue it waited behind all of them: 20 critical alerts in the middle of 2,000 low ones were paged 37–112 s after
 * the alert at p50, on their own queue 0.4–1.3 s (bench --critical-in-storm). Temporal's task priority (`priorityKey`)
 * came close, but server v1.29.1 and the CLI's dev server honour it only with `matching.useNewMatcher` in their
 * dynamic config, off by default and not ours to set on a cluster dbops does not run (docs/critical-first.md).
 * Only critical: high ones here would put a storm of them in front of an outage. Continue-as-new keeps the queue,
 * activities default to it, and its pages go to its own pages queue.
 */
export const criticalTaskQueue = (taskQueue: string): string => `${taskQueue}-critical`;

/** Where a new incident of this severity starts: critical ones on their own queue, the others on the main one. */
export const incidentTaskQueue = (taskQueue: string, severity: Severity): string =>
  severity === 'critical' ? criticalTaskQueue(taskQueue) : taskQueue;

/** The queues workflows and their activities run on, each served with its pages queue by every worker process. */
export const workflowTaskQueues = (taskQueue: string): string[] => [taskQueue, criticalTaskQueue(taskQueue)];
