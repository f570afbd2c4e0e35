/** `dbops policy`: the action policy as a table a person reads (the same rows every Update validator reads). */
import { loadConfig } from '../../lib/config';
import { runbookFromConfig } from '../../lib/runbookFile';
import { CONDITIONS, type Entitlement } from '../../runbooks/actionPolicy';
import { sayJson, sayLines, sayTable, type OutputFormat } from './output';

/** An entitlement in a word or two, so the table fits a terminal; the legend below it says what each means. */
function short(e: Entitlement): string {
  switch (e.kind) {
    case 'role':
      return e.name ?? `role ${e.roles.join('|')}`;
    case 'ladder':
      return 'ladder role';
    case 'paged':
      return 'paged';
    case 'acknowledger':
      return 'acknowledger';
    case 'step-approver':
      return "step's approver role";
    case 'item-signer':
      return "item's sign-off role";
    case 'roster':
      return 'anyone on the roster';
  }
}

export function printPolicy(o: { json?: boolean; output?: OutputFormat }) {
  // The runbook file's policy (DBOPS_RUNBOOK_FILE): what new incidents freeze into their plan.
  const policy = runbookFromConfig(loadConfig())().actionPolicy;
  if (o.json || o.output === 'json') {
    sayJson(policy);
    return;
  }
  // A rule's id is its action, and the condition under which it applies: `lower-severity.unacknowledged-urgent`.
  const rows = policy.map((r) => ({
    'rule (action.when)': r.id,
    'who may (any one)': r.anyOf.map(short).join(', or '),
    reason: r.reasonRequired ? 'yes' : '',
  }));
  sayTable(rows, [
    ['rule (action.when)', 'rule (action.when)'],
    ['who may (any one)', 'who may (any one)'],
    ['reason', 'reason'],
  ]);
  const conditions = Object.entries(CONDITIONS).map(([id, words]) => `${id}: ${words}`);
  sayLines(
    [
      '',
      "ladder role: holds a role on the incident's escalation ladder; paged: the incident's pages reached them;",
      "acknowledger: acknowledged it; step's approver role: failover takes database-lead, engineering-manager or cto;",
      'operations team: database-lead, on-call-engineer, senior-engineer or engineering-manager;',
      'maintenance planners: database-lead, senior-engineer or engineering-manager.',
      `${conditions.join('; ')}.`,
      'The first row of an action that applies decides; a refusal names its rule.',
    ].join('\n'),
  );
}
