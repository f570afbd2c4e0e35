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
 * queue it waited behind all of them (20 critical alerts in the middle of 2,000 low ones: paged 58 s after the alert
 * at p50); Temporal's task priority (`priorityKey`) would order them too, but servers up to v1.29 honour it only
 * with `matching.useNewMatcher` in their dynamic config, which dbops cannot set on a server it does not run (README
 * "Performance"). Continue-as-new keeps the queue, and activities default to it; its pages go to its own pages queue.
 */
export const criticalTaskQueue = (taskQueue: string): string => `${taskQueue}-critical`;

/** Where a new incident of this severity starts: critical ones on their own queue, the others on the main one. */
export const incidentTaskQueue = (taskQueue: string, severity: Severity): string =>
  severity === 'critical' ? criticalTaskQueue(taskQueue) : taskQueue;

/** The queues workflows and their activities run on, each served with its pages queue by every worker process. */
export const workflowTaskQueues = (taskQueue: string): string[] => [taskQueue, criticalTaskQueue(taskQueue)];
