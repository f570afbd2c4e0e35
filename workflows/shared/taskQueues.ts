/**
 * Pages (escalations, reminders, their retries) go to a task queue of their own, served by a worker of their own:
 * under a storm, the main queue's audit writes and checks are held to a rate, and a page must never wait behind
 * them. Derived from the main queue, so a deployment names one queue.
 */
export const pagesTaskQueue = (taskQueue: string): string => `${taskQueue}-pages`;
