import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoster } from '../../lib/roster';
import { DEFAULT_RUNBOOK_FILE, fieldName, formatProblem, locator, parseRunbookText, readRunbookFile } from '../../lib/runbookFile';
import { reviewStatus, unknownReviewers } from '../../runbooks/runbookReviews';

const root = path.resolve(__dirname, '../..');
const text = fs.readFileSync(path.join(root, DEFAULT_RUNBOOK_FILE), 'utf8');
const roster = loadRoster(path.join(root, 'config/roster.example.json'));

/** The default file with a review under an incident type (inserted after its `name:` line). */
const withReview = (type: string, review: string, file = text) =>
  file.replace(new RegExp(`(\\n  ${type}:\\n    name: [^\\n]+\\n)`), `$1    review: ${review}\n`);
const problemsOf = (t: string) => parseRunbookText(t, 'runbook.yaml').problems.map(formatProblem);
/** Where a text first appears in a file: its line and column from 1, as problems name them. */
const at = (t: string, needle: string, skip = 0) => {
  const lines = t.split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  return `${i + 1}:${lines[i].indexOf(needle) + skip + 1}`;
};

/** Runbook reviews (issue 26 item 5): each runbook's last review and its cycle, checked and reported overdue. */
describe('runbook reviews', () => {
  it('the default file records no review (the seed has none) and a monthly cycle: every runbook is overdue, never reviewed', () => {
    const runbook = readRunbookFile(path.join(root, DEFAULT_RUNBOOK_FILE));
    expect(runbook.reviewCycleDays).toBe(30);
    expect(runbook.reviews).toEqual({});
    expect(reviewStatus(runbook, 'database-outage', new Date())).toEqual({
      lastReviewed: null,
      by: null,
      cycleDays: 30,
      dueOn: null,
      overdue: true,
    });
  });

  it('a review is due its cycle after it, the file-wide cycle unless the runbook names its own', () => {
    const t = withReview(
      'security-breach',
      '{ lastReviewed: 2026-10-01, by: sam, cycleDays: 90 }',
      withReview('database-outage', '{ lastReviewed: 2026-11-20, by: dana }'),
    );
    const runbook = parseRunbookText(t, 'x').runbook!;
    expect(runbook.reviews['database-outage']).toEqual({ lastReviewed: '2026-11-20', by: 'dana' });
    // Not part of what an incident runs: plans stay the same.
    expect(runbook.incidentTypes['database-outage']).not.toHaveProperty('review');
    const on = (day: string) => new Date(`${day}T12:00:00Z`);
    expect(reviewStatus(runbook, 'database-outage', on('2026-12-20'))).toMatchObject({ dueOn: '2026-12-20', overdue: false, by: 'dana' });
    expect(reviewStatus(runbook, 'database-outage', on('2026-12-21'))).toMatchObject({ overdue: true });
    expect(reviewStatus(runbook, 'security-breach', on('2026-12-21'))).toMatchObject({
      cycleDays: 90,
      dueOn: '2026-12-30',
      overdue: false,
    });
  });

  it('refuses a date that does not exist, one in the future, and a cycle of no days, at their line and column', () => {
    const t = withReview(
      'security-breach',
      '{ lastReviewed: 2999-01-01, by: sam }',
      withReview('database-outage', '{ lastReviewed: 2026-02-30, by: dana, cycleDays: 0 }'),
    );
    expect(problemsOf(t)).toEqual([
      `runbook.yaml:${at(t, '2026-02-30')}: incidentTypes.database-outage.review.lastReviewed: a date YYYY-MM-DD that exists, e.g. 2026-11-20`,
      `runbook.yaml:${at(t, 'cycleDays: 0', 11)}: incidentTypes.database-outage.review.cycleDays: a whole number of days from 1 to 366`,
      `runbook.yaml:${at(t, '2999-01-01')}: incidentTypes.security-breach.review.lastReviewed: 2999-01-01 is in the future; accepted: a date up to today`,
    ]);
  });

  it('names a reviewer who is not on the roster, at the field, with the people accepted', () => {
    const t = withReview('database-outage', '{ lastReviewed: 2026-11-20, by: nobody }');
    const runbook = parseRunbookText(t, 'x').runbook!;
    const where = locator(t);
    const found = unknownReviewers(runbook, roster).map((p) => {
      const { line, column } = where(p.path);
      return { at: `${line}:${column}`, field: fieldName(p.path), message: p.message };
    });
    expect(found).toEqual([
      {
        at: at(t, 'nobody'),
        field: 'incidentTypes.database-outage.review.by',
        message: expect.stringMatching(/^'nobody' is not on the roster; accepted: dana, oscar, /),
      },
    ]);
    expect(
      unknownReviewers(parseRunbookText(withReview('database-outage', '{ lastReviewed: 2026-11-20, by: dana }'), 'x').runbook!, roster),
    ).toEqual([]);
  });
});
