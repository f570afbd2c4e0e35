import { ApplicationFailure } from '@temporalio/workflow';
import { MAX_EVIDENCE_BYTES, TEXT_LIMITS, textProblem, toStorableText, unstorableInJson, type LimitedField } from '../../runbooks/limits';

/**
 * Update validators' check of what a person sends: bounded text the audit store can hold. A rejected Update leaves
 * nothing in history, so a bad value can never reach the audit write (where it would fail forever).
 */
export function requireText(field: LimitedField, value: unknown, optional = false): void {
  if (optional && (value === undefined || value === null)) return;
  const problem = textProblem(field, value);
  if (problem) throw ApplicationFailure.nonRetryable(problem, 'BadInput');
}

/** Evidence a person attaches: a JSON object of bounded size whose strings the store can hold. */
export function requireEvidence(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ApplicationFailure.nonRetryable('evidence must be a JSON object', 'BadInput');
  }
  const size = JSON.stringify(value).length;
  if (size > MAX_EVIDENCE_BYTES)
    throw ApplicationFailure.nonRetryable(`evidence is ${size} characters of JSON; at most ${MAX_EVIDENCE_BYTES} are accepted`, 'BadInput');
  const bad = unstorableInJson(value, 'evidence');
  if (bad) throw ApplicationFailure.nonRetryable(`${bad}, which the audit store cannot hold`, 'BadInput');
}

/** Text from a signal (which has no validator): cut to its limit and made storable, never refused. */
export function storableText(field: LimitedField, value: string | undefined): string | undefined {
  return value === undefined ? undefined : toStorableText(String(value), TEXT_LIMITS[field]);
}
