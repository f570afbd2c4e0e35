import { defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

/**
 * The baseline: the least a Temporal incident could do. Signal-with-start, then one activity at once (where dbops
 * sends its first page). Bundled apart from dbops' workflows, run by a worker of its own on the same server.
 */
export const bareTriggerSignal = defineSignal<[string]>('trigger');

const { firstActivity } = proxyActivities<{ firstActivity(alertKey: string): Promise<void> }>({
  startToCloseTimeout: '30 seconds',
});

export async function bareAlert(alertKey: string): Promise<void> {
  setHandler(bareTriggerSignal, () => undefined);
  await firstActivity(alertKey);
}
