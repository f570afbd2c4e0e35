import type { Roster } from './roster';

/** A runbook's last review as its file records it (`incidentTypes.<type>.review`). */
export interface RunbookReview {
  /** The day, YYYY-MM-DD. */
  lastReviewed: string;
  /** The reviewer's id on the roster. */
  by: string;
  /** Days to the next review, when not the file's `reviewCycleDays`. */
  cycleDays?: number;
}

/** Where a runbook stands for its review: never reviewed, or its last review and when the next is due. */
export interface ReviewStatus {
  lastReviewed: string | null;
  by: string | null;
  cycleDays: number;
  /** The day the next review is due (YYYY-MM-DD); null when never reviewed (due now). */
  dueOn: string | null;
  /** Never reviewed, or today is after dueOn. */
  overdue: boolean;
}

/** A day as YYYY-MM-DD (UTC). */
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

const DAY_MS = 86_400_000;
const addDays = (day: string, days: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));

/** Each runbook's review status on `today` (UTC day): a runbook never reviewed is overdue. */
export function reviewStatus(
  runbook: { reviews: Record<string, RunbookReview>; reviewCycleDays: number },
  type: string,
  today: Date,
): ReviewStatus {
  const review = runbook.reviews[type];
  const cycleDays = review?.cycleDays ?? runbook.reviewCycleDays;
  if (!review) return { lastReviewed: null, by: null, cycleDays, dueOn: null, overdue: true };
  const dueOn = addDays(review.lastReviewed, cycleDays);
  return { lastReviewed: review.lastReviewed, by: review.by, cycleDays, dueOn, overdue: isoDay(today) > dueOn };
}

/** Reviews naming somebody not on the roster, each at its `by` field (for `runbook check`, which reads the roster). */
export function unknownReviewers(
  runbook: { reviews: Record<string, RunbookReview> },
  roster: Roster,
): { path: (string | number)[]; message: string }[] {
  const ids = roster.people.map((p) => p.id);
  return Object.entries(runbook.reviews)
    .filter(([, r]) => !ids.includes(r.by))
    .map(([type, r]) => ({
      path: ['incidentTypes', type, 'review', 'by'],
      message: `'${r.by}' is not on the roster; accepted: ${ids.join(', ')}`,
    }));
}
