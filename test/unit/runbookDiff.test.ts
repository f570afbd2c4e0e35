import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbookText } from '../../lib/runbookFile';
import { probeOutcome } from '../../runbooks/probeOutcome';
import { diffLines, diffRunbooks } from '../../runbooks/runbookDiff';

const text = fs.readFileSync(path.resolve(__dirname, '../../config/runbook.yaml'), 'utf8');
const load = (t: string) => parseRunbookText(t, 'runbook.yaml').runbook!;

describe('runbook diff', () => {
  const a = load(text);

  it('says per type what changes for new incidents: clocks, ladder, steps; and the policy', () => {
    const b = load(
      text
        .replace('escalationPath: [database-lead, cto]', 'escalationPath: [database-lead, engineering-manager, cto]')
        .replace('responseMinutes: 10', 'responseMinutes: 8')
        .replace('        title: Restart services if needed\n', '        title: Restart the pooler\n')
        .replace(
          '      - id: identify-scope\n        title: Identify scope\n        kind: manual\n        dueMinutes: 30\n        reminderMinutes: 10\n',
          '',
        )
        .replace(
          '  - id: note\n    action: note\n    anyOf:\n      - { kind: roster }',
          '  - id: note\n    action: note\n    anyOf:\n      - { kind: ladder }',
        ),
    );
    const d = diffRunbooks(a, b);
    expect(d.types.map((t) => t.type)).toEqual(['database-outage', 'connection-pool-exhaustion', 'data-integrity']);
    expect(d.types[0].ladder!.to.map((r) => r.join('+'))).toEqual(['on-call-engineer+database-lead', 'engineering-manager', 'cto', 'ceo']);
    expect(d.types[1].clocks).toEqual([{ field: 'responseMinutes', from: 10, to: 8 }]);
    expect(d.types[1].steps).toEqual([
      {
        id: 'restart-services',
        title: 'Restart the pooler',
        change: 'changed',
        position: 3,
        fields: [{ field: 'title', from: 'Restart services if needed', to: 'Restart the pooler' }],
      },
    ]);
    expect(d.types[2].steps).toEqual([{ id: 'identify-scope', title: 'Identify scope', change: 'removed', position: 1 }]);
    expect(d.policy).toEqual([expect.objectContaining({ rule: 'note', change: 'changed' })]);
    const lines = diffLines(d).join('\n');
    expect(lines).toContain('connection-pool-exhaustion (Connection Pool Exhaustion): changed\n  response SLA (min): 10 → 8');
    expect(lines).toContain('  - step 1 identify-scope "Identify scope" removed');
    expect(lines).toContain('  ~ note changed: [{"kind":"roster"}] → [{"kind":"ladder"}]');
  });

  it('the same runbook has no change, whatever its version', () => {
    expect(diffLines(diffRunbooks(a, load(`${text}\n# a comment\n`)))).toEqual([expect.stringMatching(/^no change for new incidents/)]);
  });
});

describe('probe outcome', () => {
  const probe = { thresholds: { column: 'lag', warnAbove: 30, failAbove: 300 }, evidence: '{{replicas}} replicas, {{lag}} s' };

  it('passes, warns or fails by the column, and fills the evidence line from the row', () => {
    expect(probeOutcome(probe, { replicas: 2, lag: '4.5' })).toMatchObject({ outcome: 'pass', summary: '2 replicas, 4.5 s' });
    expect(probeOutcome(probe, { replicas: 2, lag: 31 })).toMatchObject({ outcome: 'warn', summary: '2 replicas, 31 s (lag 31 > 30)' });
    expect(probeOutcome(probe, { replicas: 1, lag: 301 })).toMatchObject({ outcome: 'fail', summary: '1 replicas, 301 s (lag 301 > 300)' });
    expect(probeOutcome({ ...probe, thresholds: { column: 'lag', failBelow: 1 } }, { replicas: 0, lag: 0 }).outcome).toBe('fail');
  });

  it('fails on no row or a value that is not a number', () => {
    expect(probeOutcome(probe, undefined)).toMatchObject({ outcome: 'fail', summary: 'the probe returned no row' });
    expect(probeOutcome(probe, { replicas: 1, lag: null })).toMatchObject({
      outcome: 'fail',
      summary: '1 replicas,  s (column lag is not a number: null)',
    });
  });
});
