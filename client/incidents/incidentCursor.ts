/**
 * The cursor `incident list` prints to page on: visibility's page token and how many came before it, so the next page
 * can say how many remain. Its own module, light: the CLI checks a cursor before it asks the API.
 */
export interface IncidentCursor {
  offset: number;
  token: Buffer;
}

/** A cursor that does not decode: it was not printed by a listing (or was cut when copied). */
export class IncidentCursorError extends Error {}

export const encodeCursor = (offset: number, token: Uint8Array) => `${offset}.${Buffer.from(token).toString('base64url')}`;

/** A cursor a listing printed; refused, saying so, before any server is asked. */
export function parseIncidentCursor(cursor: string): IncidentCursor {
  const m = /^(\d{1,9})\.([A-Za-z0-9_-]{1,4096})$/.exec(cursor);
  if (!m) throw new IncidentCursorError(`'${cursor.slice(0, 40)}' is not a cursor printed by \`dbops incident list\``);
  return { offset: Number(m[1]), token: Buffer.from(m[2], 'base64url') };
}
