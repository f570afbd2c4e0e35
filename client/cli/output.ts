/**
 * Everything the CLI prints goes through here, so data from the servers and the store (an alert's title, a note, a
 * relay's error) reaches the terminal inert: no escape sequence, control character or bidi override of theirs acts
 * (lib/inertText). The lint forbids console output elsewhere in client/cli.
 */
import { inertJson, inertLine, inertLines } from '../../lib/inertText';

/** One line; a line break inside it is data and is shown, not obeyed. */
export const say = (line: unknown) => console.log(inertLine(line));

/** Several lines dbops laid out (a report, an export): its line breaks kept. */
export const sayLines = (block: string) => console.log(inertLines(block));

/** A value as JSON, the same value, with nothing in it that a terminal would act on. */
export const sayJson = (value: unknown) => console.log(inertJson(value, 2));

/** A notice or an error on stderr, one line (a refusal may quote the server's words; they cannot start a line of their own). */
export const tell = (message: string) => console.error(inertLine(message));

/** How a read command prints: a table (or lines) for people, or JSON for tools (`--output json`). */
export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json'];

/** A read command's answer: `value` as JSON with --output json, else what `forPeople` prints. */
export function sayOutput(output: OutputFormat | undefined, value: unknown, forPeople: () => void) {
  if (output === 'json') sayJson(value);
  else forPeople();
}

/** A column: the row's field, and the heading a person reads ("Opened", not "openedAt"). */
export type Column<T> = [keyof T & string, string];

/** Rows as a fixed-width table with a header line (printed even with no rows, so a reader sees the columns). */
export function sayTable<T extends object>(rows: T[], columns: Column<T>[]) {
  sayRows(
    columns.map(([, heading]) => heading),
    rows.map((r) => columns.map(([key]) => r[key])),
  );
}

// A heading is words for people: no camelCase, no snake_case (a code's field name slipped through).
const CODE_NAME = /[a-z][A-Z]|_/;

/** A header and rows of cells as a fixed-width table, every cell inert; an absent value is an empty cell. */
export function sayRows(header: string[], rows: unknown[][]) {
  const named = header.find((h) => CODE_NAME.test(h));
  if (named) throw new Error(`unreachable: the table heading '${named}' is a field name, not words`);
  const cell = (v: unknown) => inertLine(v instanceof Date ? v.toISOString() : (v ?? ''));
  const lines = [header, ...rows.map((r) => header.map((_, i) => cell(r[i])))];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines)
    console.log(
      l
        .map((v, i) => (i === l.length - 1 ? v : v.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    );
}
