import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { inFlight } from './concurrency';
import { percentile } from './stats';

const SAMPLE = 100;

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  t ? Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;

/**
 * Where an incident's opening time went, read from the histories of an even sample of them: how long its first
 * workflow task waited in the task queue, and how long the worker took over it (the opening page, a local
 * activity, runs inside it). What a burst's figures cannot say by themselves.
 */
export async function firstTaskTimes(client: Client, workflowIds: string[]) {
  const step = Math.max(1, Math.floor(workflowIds.length / SAMPLE));
  const sample = workflowIds.filter((_, i) => i % step === 0).slice(0, SAMPLE);
  const waited: number[] = [];
  const worked: number[] = [];
  await inFlight(10, sample, async (id) => {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    const { EventType } = temporal.api.enums.v1;
    const at = (type: number) => millis(events.find((e) => e.eventType === type)?.eventTime);
    const started = millis(events[0]?.eventTime);
    const taskStarted = at(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const taskCompleted = at(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    waited.push(taskStarted - started);
    worked.push(taskCompleted - taskStarted);
  });
  return {
    queuedP50: percentile(waited, 50),
    queuedP99: percentile(waited, 99),
    workedP50: percentile(worked, 50),
    workedP99: percentile(worked, 99),
  };
}
