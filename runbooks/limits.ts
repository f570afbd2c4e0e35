/**
 * Bounds on what people and alert sources may send. Everything accepted is written to the audit store and may be
 * carried across continue-as-new, so every text has a length limit and must be text PostgreSQL can hold: no NUL
 * character and no unpaired UTF-16 surrogate (both are refused by text and jsonb columns).
 */
export const TEXT_LIMITS = {
  actor: 64,
  fingerprint: 120,
  title: 300,
  summary: 2000,
  note: 4000,
  reason: 2000,
  stepId: 64,
  itemId: 64,
} as const;
export type LimitedField = keyof typeof TEXT_LIMITS;

/** Largest JSON body the API reads (bytes), and largest evidence object a person may attach to a step. */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * Largest body of a monitoring tool that sends a whole group of alerts at once (Alertmanager, Grafana): a refused
 * group is lost for good (they do not retry a 4xx), and a group of thousands is ~1-2 KiB an alert.
 */
export const MAX_BATCH_BODY_BYTES = 16 * 1024 * 1024;
/**
 * Largest PagerDuty event: PagerDuty's own limit (512 KB), which Alertmanager fills with the group's alerts in its
 * default details and, like PagerDuty, does not resend after a 4xx.
 */
export const MAX_PAGERDUTY_EVENT_BYTES = 512 * 1024;
export const MAX_EVIDENCE_BYTES = 16 * 1024;

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as given, or undefined when it can. */
export function unstorableText(value: string): string | undefined {
  const m = UNSTORABLE.exec(value);
  if (!m) return undefined;
  return m[0] === '\u0000'
    ? `contains a NUL character (\\u0000) at position ${m.index}`
    : `contains an unpaired UTF-16 surrogate at position ${m.index}`;
}

/** Why a value is not acceptable text for this field, or undefined when it is. */
export function textProblem(field: LimitedField, value: unknown): string | undefined {
  if (typeof value !== 'string') return `${field} must be text`;
  const max = TEXT_LIMITS[field];
  if (value.length > max) return `${field} is ${value.length} characters long; at most ${max} are accepted`;
  const bad = unstorableText(value);
  return bad ? `${field} ${bad}, which the audit store cannot hold` : undefined;
}

/** Why any string inside a JSON value cannot be stored, naming its path; undefined when all can. */
export function unstorableInJson(value: unknown, path = '$'): string | undefined {
  if (typeof value === 'string') {
    const bad = unstorableText(value);
    return bad ? `${path} ${bad}` : undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = unstorableInJson(v, `${path}[${i}]`);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad = unstorableText(k) ? `${path} has a key that ${unstorableText(k)}` : unstorableInJson(v, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}

const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** The text made storable: NULs and unpaired surrogates become U+FFFD, then it is cut to `max` characters. */
export function toStorableText(value: string, max = Infinity): string {
  const cut = value.length > max ? value.slice(0, max) : value;
  // Cutting may split a surrogate pair; the second pass replaces the half left behind.
  return cut.replace(UNSTORABLE_ALL, '\uFFFD');
}

/** At most `max` characters, ending in an ellipsis when cut, never splitting a surrogate pair. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** Nesting of free-form JSON (PagerDuty's custom_details, Grafana's values) kept as text; deeper levels become …. */
export const MAX_JSON_DEPTH = 32;
/** Characters of free-form JSON kept as text. */
export const MAX_JSON_CHARS = 4000;

/**
 * Free-form JSON from outside as storable text: JSON, nesting deeper than `maxDepth` shown as …, cut (…) at
 * `maxChars`. Written with a stack of its own, not by recursion: JSON.parse takes a value nested 10,000 deep, but
 * JSON.stringify or any recursive walk of it overflows the call stack (a 5xx on every retry of the alert, and of
 * every other alert of its group). It stops once `maxChars` are written, whatever the size of the value.
 */
export function jsonAsText(value: unknown, maxDepth = MAX_JSON_DEPTH, maxChars = MAX_JSON_CHARS): string {
  type Open = { entries: Iterator<[string | undefined, unknown]>; close: string; depth: number; first: boolean };
  let out = '';
  const stack: Open[] = [];
  // Text made storable as everywhere else (a NUL or a lone surrogate becomes U+FFFD), then quoted.
  const quoted = (text: string) => JSON.stringify(toStorableText(text));
  const write = (v: unknown, depth: number) => {
    if (typeof v === 'string') out += quoted(v);
    else if (v === null || typeof v !== 'object') out += JSON.stringify(v) ?? 'null';
    else if (depth >= maxDepth) out += '…';
    else {
      out += Array.isArray(v) ? '[' : '{';
      stack.push({ entries: entriesOf(v), close: Array.isArray(v) ? ']' : '}', depth: depth + 1, first: true });
    }
  };
  write(value, 0);
  while (stack.length && out.length <= maxChars) {
    const top = stack[stack.length - 1];
    const next = top.entries.next();
    if (next.done) {
      out += top.close;
      stack.pop();
      continue;
    }
    const [key, v] = next.value;
    out += (top.first ? '' : ',') + (key === undefined ? '' : `${quoted(key)}:`);
    top.first = false;
    write(v, top.depth);
  }
  return clipText(out, maxChars);
}

/** An array's items (no key) or an object's own entries, one at a time: a walk that stops early reads no more. */
function* entriesOf(v: object): Generator<[string | undefined, unknown]> {
  if (Array.isArray(v)) for (const item of v) yield [undefined, item];
  else for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key)) yield [key, (v as Record<string, unknown>)[key]];
}

/** A JSON value with every string (and key) made storable. */
export function toStorableJson(value: unknown): unknown {
  if (typeof value === 'string') return toStorableText(value);
  if (Array.isArray(value)) return value.map(toStorableJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [toStorableText(k), toStorableJson(v)]));
  }
  return value;
}
