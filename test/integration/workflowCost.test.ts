import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { OPENING_AT_ONCE } from '../../workflows/incident/versions';
import { HISTORIES_DIR, readHistory } from '../support/histories';

/**
 * What every new incident costs before its first page, which a storm of 2,000 multiplies (bench --burst): each
 * workflow evaluates the workflow bundle's modules when it starts, each patch marker comes with a search-attribute
 * upsert the server writes, and each activity costs a dispatch and a workflow task more. zod reaching the bundle
 * through a maintenance import, and five markers where one does, took the burst's last page from 43–50 s to 138 s
 * (docs/performance.md).
 */
describe('the cost of a new incident', () => {
  it('the workflow bundle carries no validation library (workflow code takes checked input; zod is for the edges)', () => {
    const bundle = fs.readFileSync(inject('workflowBundlePath'), 'utf8');
    const libraries = new Set([...bundle.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]));
    expect([...libraries].filter((l) => !l.startsWith('@temporalio/'))).not.toContain('zod');
  });

  it('an incident opened by today’s workflow records one patch marker, not one per patch (a drill adds its own)', () => {
    const newest = newestIncidentHistories();
    expect(newest.length).toBeGreaterThan(5);
    for (const f of newest) {
      const markers = readHistory(path.join(HISTORIES_DIR, f))
        .events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => e.markerRecordedEventAttributes!.details?.['patch-data']?.payloads?.[0]?.data)
        .map((d) => JSON.parse(Buffer.from(d!).toString()).id);
      // Patches after it are asked only by the incidents that use them: the drills patch by a drill.
      expect(markers, f).toEqual(f.startsWith('incident-drill@') ? [OPENING_AT_ONCE, 'drills'] : [OPENING_AT_ONCE]);
    }
  });

  it('a critical incident opened by today’s workflow writes its opening audit as a local activity, a lower severity through the server', () => {
    const seen = new Set<boolean>();
    for (const f of newestIncidentHistories()) {
      const events = readHistory(path.join(HISTORIES_DIR, f)).events!;
      const input = events[0].workflowExecutionStartedEventAttributes!.input!.payloads![0].data!;
      const critical = JSON.parse(Buffer.from(input).toString()).severity === 'critical';
      seen.add(critical);
      const firstAuditWrite = events.find(
        (e) =>
          e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordIncidentEvents' ||
          (e.markerRecordedEventAttributes?.markerName === 'core_local_activity' &&
            JSON.parse(Buffer.from(e.markerRecordedEventAttributes.details!.data!.payloads![0].data!).toString()).activity_type ===
              'recordIncidentEvents'),
      );
      expect(firstAuditWrite && (firstAuditWrite.markerRecordedEventAttributes ? 'local activity' : 'activity'), f).toBe(
        critical ? 'local activity' : 'activity',
      );
      if (critical) {
        // One workflow task (two, when the pages outlast the task's heartbeat) and no activity before it waits.
        const before = events.slice(0, events.indexOf(firstAuditWrite!));
        expect(before.filter((e) => e.workflowTaskCompletedEventAttributes).length, f).toBeLessThanOrEqual(2);
      }
    }
    expect([...seen].sort(), 'histories of both kinds are recorded').toEqual([false, true]);
  });
});

/** The recorded histories of the version a new incident follows today (versions.ts: the marker it records). */
function newestIncidentHistories(): string[] {
  return fs.readdirSync(HISTORIES_DIR).filter((f) => f.startsWith('incident-') && f.endsWith(`@${OPENING_AT_ONCE}.json`));
}
