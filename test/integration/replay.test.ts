import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { INCIDENT_TYPE_IDS } from '../../runbooks/types';
import { HISTORIES_DIR, readHistory } from '../support/histories';

/** Recorded histories of every workflow kind replay against today's workflow code: in-flight work stays safe. */
describe('replay of recorded histories', () => {
  const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

  it('has a recorded history for every incident type and for a checklist run', () => {
    expect(files).toEqual(expect.arrayContaining([...INCIDENT_TYPE_IDS.map((t) => `incident-${t}.json`), 'checklist-morning.json']));
  });

  it('replays every recorded history without a nondeterminism error', async () => {
    const histories = files.map((f) => ({ workflowId: f, history: readHistory(path.join(HISTORIES_DIR, f)) }));
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
      results.push({ workflowId: r.workflowId, error: r.error ? String(r.error) : undefined });
    }
    expect(results).toHaveLength(files.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});
