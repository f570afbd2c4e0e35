import type { Context } from 'hono';
import type { ApiEnv, Caller } from '../authenticate';

/** The person a request on a people's route was authenticated as (those routes take personal tokens only). */
export function callingPerson(c: Context<ApiEnv>): Extract<Caller, { kind: 'person' }> {
  const caller = c.get('caller');
  if (caller.kind !== 'person') throw new Error(`unreachable: ${c.req.path} authenticates people`);
  return caller;
}
