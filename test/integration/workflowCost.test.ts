import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR, readHistory } from '../support/histories';

/**
 * What every new incident costs before its first page, which a storm of 2,000 multiplies (bench --burst): each
 * workflow evaluates the workflow bundle's modules when it starts, and each patch marker comes with a search-attribute
 * upsert the server writes. zod reaching the bundle through a maintenance import, and five markers where one does,
 * took the burst's last page from 43–50 s to 138 s (docs/performance.md).
 */
describe('the cost of a new incident', () => {
  it('the workflow bundle carries no validation library (workflow code takes checked input; zod is for the edges)', () => {
    const bundle = fs.readFileSync(inject('workflowBundlePath'), 'utf8');
    const libraries = new Set([...bundle.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]));
    expect([...libraries].filter((l) => !l.startsWith('@temporalio/'))).not.toContain('zod');
  });

  it('an incident opened by today’s workflow records one patch marker, not one per patch (a drill adds its own)', () => {
    const newest = fs.readdirSync(HISTORIES_DIR).filter((f) => f.startsWith('incident-') && f.endsWith('@incident-2026-12.json'));
    expect(newest.length).toBeGreaterThan(5);
    for (const f of newest) {
      const markers = readHistory(path.join(HISTORIES_DIR, f))
        .events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .map((e) => e.markerRecordedEventAttributes!.details?.['patch-data']?.payloads?.[0]?.data)
        .map((d) => JSON.parse(Buffer.from(d!).toString()).id);
      // Patches after it are asked only by the incidents that use them: the drills patch by a drill.
      expect(markers, f).toEqual(f.startsWith('incident-drill@') ? ['incident-2026-12', 'drills'] : ['incident-2026-12']);
    }
  });
});
