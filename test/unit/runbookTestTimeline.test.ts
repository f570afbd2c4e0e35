import { describe, expect, it } from 'vitest';
import { sinceOpening } from '../../dev/runbookTest/dryRunTimeline';

/** `dbops runbook test` prints times after the incident's opening as a person reads a runbook's minutes. */
describe('runbook test timeline times', () => {
  it('prints +m:ss, and +h:mm:ss from an hour on, rounded to the second', () => {
    expect(sinceOpening(0)).toBe('+0:00');
    expect(sinceOpening(600_400)).toBe('+10:00');
    expect(sinceOpening(601_600)).toBe('+10:02');
    expect(sinceOpening(4_201_000)).toBe('+1:10:01');
    expect(sinceOpening(36_000_000)).toBe('+10:00:00');
  });
});
