/** `dbops policy`: the action policy as a table a person reads (the same rows every Update validator reads). */
import { CONDITIONS, DEFAULT_ACTION_POLICY, describeEntitlement } from '../../runbooks/actionPolicy';
import { formatTable } from './table';

export function printPolicy(o: { json?: boolean }) {
  if (o.json) {
    console.log(JSON.stringify(DEFAULT_ACTION_POLICY, null, 2));
    return;
  }
  const rows = DEFAULT_ACTION_POLICY.map((r) => [
    r.action,
    r.when ? CONDITIONS[r.when] : 'always',
    r.anyOf.map((e) => describeEntitlement(e)).join('; or '),
    r.reasonRequired ? 'yes' : '',
    r.id,
  ]);
  console.log(formatTable(['action', 'when', 'who may', 'reason', 'rule'], rows));
  console.log('\nThe first row of an action that applies decides. A refusal names its rule.');
}
