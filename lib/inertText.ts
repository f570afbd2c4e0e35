import { clipText } from '../runbooks/limits';
import { escapeHtml } from './html';

/**
 * Text from outside (alert titles and summaries, notes, step output, error replies) made inert for the place a person
 * reads it: it can never act there as a control character, an escape sequence, a bidi override, a chat link or
 * mention, markup or a mail header. Applied at each sink, never at intake: the audit keeps what arrived.
 *
 * What is shown instead of acting: C0 controls (and `\n` in a one-line field), DEL and C1 controls as `\r`, `\x1b`,
 * `\x9b`; bidi controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), line and paragraph separators and the
 * invisible U+200B, U+2060, U+FEFF as `\u202e` and so on. The joiners U+200C/U+200D stay: emoji and scripts need them.
 * The visible form is for reading, not a reversible encoding (a backslash in the data stays as it is).
 */
// What JSON.stringify leaves raw: DEL, C1 controls, bidi controls, line/paragraph separators, invisibles.
const RAW_IN_JSON = '\\u007f-\\u009f\\u061c\\u200b\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060\\u2066-\\u2069\\ufeff';
const SHOWN = new RegExp(`[\\u0000-\\u001f${RAW_IN_JSON}]`, 'g');
const SHOWN_BUT_NEWLINE = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f${RAW_IN_JSON}]`, 'g');
const SHOWN_IN_JSON = new RegExp(`[${RAW_IN_JSON}]`, 'g');

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');
const visible = (c: string) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));

/**
 * One line of data for a reader of plain text (a terminal, a mail's text part, a webhook's text): nothing in it moves
 * the cursor, clears, recolours, links or reorders, and a line break in it is shown (`\n`), so it cannot forge a line.
 */
export function inertLine(value: unknown): string {
  return text(value).replace(SHOWN, visible);
}

/** Lines dbops laid out itself (a report, an export) for a terminal: their line breaks kept, everything else as inertLine. */
export function inertLines(value: unknown): string {
  return text(value).replace(SHOWN_BUT_NEWLINE, visible);
}

/**
 * JSON for a terminal, the same value: JSON.stringify escapes C0 controls; the C1 controls, DEL, bidi controls and
 * invisibles it leaves raw become `\u…` escapes too (they only occur inside strings, so the JSON stays valid).
 */
export function inertJson(value: unknown, indent?: number): string {
  return (JSON.stringify(value, null, indent) ?? 'null').replace(SHOWN_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}

/**
 * Data in a Slack-format (mrkdwn) message: `&`, `<` and `>` as the entities Slack documents (and only those), so data
 * never forms a link `<url|label>`, a mention `<!channel>`, `<@U…>`, `<#C…>` nor a quote; controls shown. Links and
 * mentions dbops builds itself are written around it, live.
 */
export function slackText(value: unknown): string {
  return inertLine(value).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

/** A mail's subject: one line (no CR or LF to start another header), controls shown, at most `max` characters of the data. */
export function mailSubject(value: unknown, max = 160): string {
  return inertLine(clipText(text(value), max));
}

/**
 * Data in an HTML element's text: escaped, controls shown (a bidi override among them), and isolated in `<bdi>` so
 * right-to-left data cannot reorder the page's own words around it. Not for attributes.
 */
export function htmlText(value: unknown): string {
  return `<bdi>${escapeHtml(inertLine(value))}</bdi>`;
}
