import { unstorableText } from '../../runbooks/limits';
import { InvalidRequestError } from '../incidents/incidentRequest';

const MAX_LABELS = 32;

/** POST /alerts' optional labels (what maintenance windows and topology grouping match): short names to short text. */
export function parseAlertLabels(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  const bad = () =>
    new InvalidRequestError(`labels: an object of at most ${MAX_LABELS} names (1-64 characters) to text of at most 256 characters`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad();
  const entries = Object.entries(value);
  if (entries.length > MAX_LABELS) throw bad();
  for (const [k, v] of entries)
    if (!k || k.length > 64 || typeof v !== 'string' || v.length > 256 || unstorableText(k) || unstorableText(v)) throw bad();
  return Object.fromEntries(entries) as Record<string, string>;
}
