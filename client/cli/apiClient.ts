import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { FailedError, NotFoundError, RefusedError } from './cliErrors';

// An Update waits for the workflow's handler (an audit write): generous, but never a hung terminal.
const API_TIMEOUT_MS = 30_000;

export const DEFAULT_TOKEN_FILE = path.join(os.homedir(), '.config', 'dbops', 'token');

/**
 * The caller's personal token: DBOPS_TOKEN, else the file DBOPS_TOKEN_FILE (default ~/.config/dbops/token), which
 * must be readable by its owner only: a token others can read is refused rather than used.
 */
export function personalToken(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DBOPS_TOKEN) return env.DBOPS_TOKEN.trim();
  const file = env.DBOPS_TOKEN_FILE || DEFAULT_TOKEN_FILE;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new FailedError(
      `no personal token: set DBOPS_TOKEN, or put it in ${file} (chmod 600); an admin creates one with \`dbops token create --person <you>\``,
    );
  }
  if (stat.mode & 0o077)
    throw new FailedError(`token file ${file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 ${file}`);
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * Calls the dbops API as the person the token names: a 404 becomes NotFoundError, another refusal RefusedError with
 * the API's reason, a server that is not there or fails FailedError.
 */
export async function callApi<T>(baseUrl: string, method: 'GET' | 'POST' | 'DELETE', apiPath: string, body?: unknown): Promise<T> {
  const token = personalToken();
  let res: Response;
  try {
    res = await fetch(new URL(apiPath, baseUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
  } catch (err) {
    const why =
      (err as Error).name === 'TimeoutError' ? `no answer within ${API_TIMEOUT_MS / 1000} s` : ((err as Error).cause as Error)?.message;
    throw new FailedError(
      `the dbops API at ${baseUrl} could not be reached (${why ?? (err as Error).message}): is \`npm start\` running, or is DBOPS_API_URL right?`,
    );
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text };
  }
  if (!res.ok) {
    const error = (parsed as { error?: string }).error ?? text;
    // The API says "not found: <what>" itself, one way for every route.
    if (res.status === 404) throw new NotFoundError(error.startsWith('not found') ? error : `not found: ${error}`);
    if (res.status >= 500) throw new FailedError(`the dbops API failed (${res.status}): ${error}`);
    const status = res.status === 429 ? `429, retry after ${res.headers.get('retry-after')} s` : String(res.status);
    throw new RefusedError(`refused (${status}): ${error}`);
  }
  return parsed as T;
}

/** A path segment for an incident reference (a workflow id contains slashes). */
export const refSegment = (ref: string) => encodeURIComponent(ref);

/** A query string of the values set (undefined ones left out), with its '?'; empty when none is. */
export function queryString(values: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== false) params.set(k, String(v));
  const text = params.toString();
  return text ? `?${text}` : '';
}
