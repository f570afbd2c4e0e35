import { ApplicationFailure } from '@temporalio/activity';

/** Opens a drill of a runbook on a tier (client/incidents/openDrill.ts), injected so activities stay free of the client. */
export type DrillOpener = (request: { type: string; tier: string }) => Promise<{ workflowId: string }>;

/** The monthly drill Schedule's one activity (workflows/drill/scheduledDrill.ts). */
export function createDrillActivities(d: { openDrill?: DrillOpener }) {
  return {
    async openScheduledDrill(request: { type: string; tier: string }): Promise<{ workflowId: string }> {
      if (!d.openDrill)
        throw ApplicationFailure.nonRetryable('this worker cannot open drills (no drill opener configured)', 'NotConfigured');
      return d.openDrill(request);
    },
  };
}
