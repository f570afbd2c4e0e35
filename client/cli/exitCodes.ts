/**
 * What `dbops` exits with, one meaning a code, so a script can tell a typo from a refusal, a missing thing or a
 * tampered audit. `dbops --help` prints the same list (EXIT_CODES_HELP).
 */
export const EXIT = {
  ok: 0,
  /** A server it needs could not be reached or failed, or a setting is wrong (one line naming the variable). */
  failed: 1,
  /** The command was not called right: an unknown option, a missing or malformed value. Nothing was sent. */
  usage: 2,
  /** `audit verify` found the audit trail broken: an edited, deleted or missing event. */
  brokenChain: 3,
  /** The API refused: no entitlement (the policy's rule is named), a closed incident, a bad value, a rate limit. */
  refused: 4,
  /** What was named does not exist: an incident, a checklist run, an audit trail, a token. */
  notFound: 5,
  /** `oncall check` found a window in which a role on an escalation ladder has nobody. */
  onCallGap: 6,
  /** `runbook check` found a problem in the runbook file (each printed with its line, column and field). */
  invalidRunbook: 7,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  failed: a server could not be reached or failed, or a setting is wrong (the line names the variable)
  2  usage: an unknown option, a missing or malformed value (nothing was sent)
  3  broken chain: audit verify found an edited, deleted or missing audit event
  4  refused: the API said no (the policy rule, a closed incident, a bad value, a rate limit)
  5  not found: no such incident, checklist run, audit trail or credential
  6  on-call gap: oncall check found a role on a ladder with nobody
  7  invalid runbook: runbook check found a problem (each printed as file:line:column: field: what is accepted)`;
