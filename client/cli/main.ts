/**
 * The `dbops` command line: open and work incidents, read audits and SLA reports.
 * People's actions and incident reads go through the dbops API (DBOPS_API_URL) with their personal token; listing,
 * audits, reports, checklists' runs and schedules, and credential administration reach Temporal and PostgreSQL
 * through TEMPORAL_ADDRESS / DATABASE_URL, or a running `npm start`.
 *
 * This file only declares the commands: each action imports its module when it runs, so `dbops --help` (and every
 * command) loads neither the Temporal client, pg nor the configuration unless it needs them.
 */
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import {
  CHECKLIST_IDS,
  INCIDENT_PHASES,
  INCIDENT_TYPE_IDS,
  OUTCOMES,
  ROLES,
  SEVERITIES,
  STEP_DECISIONS,
  TIERS,
  type ChecklistId,
} from '../../runbooks/types';
import { DURATION_FORMAT, parseDuration } from '../../runbooks/duration';
import { EXPORT_FORMATS, type ExportFormat } from './auditExport';
import { tell } from './output';
import { textOptionProblem } from './textOptions';
import { UsageError } from './usageError';

const incidents = () => import('./incidentCommands');
const audits = () => import('./auditCommands');
const checklists = () => import('./checklistCommands');
const credentials = () => import('./credentialCommands');
const onCall = () => import('./onCallCommands');

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 1_000;

const listLimit = (value: string) => {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIST_LIMIT)
    throw new InvalidArgumentError(`a whole number from 1 to ${MAX_LIST_LIMIT}.`);
  return Number(value);
};

const days = (value: string) => {
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 366)
    throw new InvalidArgumentError('a whole number of days from 1 to 366.');
  return Number(value);
};

const snoozeFor = (value: string) => {
  if (parseDuration(value) === undefined) throw new InvalidArgumentError(`${DURATION_FORMAT}.`);
  return value;
};

// Positional options: a command's own options come before its subcommands, so `oncall --role R` and
// `oncall schedule --role R` are each their own command's option (no parent here has other options).
const program = new Command('dbops')
  .description('Database incident response and daily checklists on Temporal')
  .showHelpAfterError()
  .enablePositionalOptions();
// Free text is bounded and must be storable (runbooks/limits): refused before any server is reached.
program.hook('preAction', (_program, command) => {
  const problem = textOptionProblem(command);
  if (problem) throw new UsageError(problem);
});
const incident = program.command('incident').description('open, work and resolve incidents');

incident
  .command('open')
  .description('open an incident, or count a repeat of one already open with the same type, tier and fingerprint (as yourself)')
  .addOption(new Option('--type <type>', 'incident type').choices(INCIDENT_TYPE_IDS).makeOptionMandatory())
  .addOption(new Option('--tier <tier>', 'database tier').choices(TIERS).makeOptionMandatory())
  .addOption(new Option('--severity <severity>', 'severity (default: the type’s)').choices(SEVERITIES))
  .option('--fingerprint <fp>', 'what distinguishes this problem from others of its type on the tier', 'manual')
  .option('--title <title>', 'one line for people')
  .action(async (o) => (await incidents()).openIncidentCommand(o));

incident
  .command('list')
  .description(
    'incidents from Temporal visibility, newest first, filtered by their search attributes (open ones by default); ' +
      'says how many more match and how to page on',
  )
  .option('--all', 'include closed ones (listed after the open ones)')
  .addOption(new Option('--type <type>').choices(INCIDENT_TYPE_IDS))
  .addOption(new Option('--tier <tier>').choices(TIERS))
  .addOption(new Option('--severity <severity>').choices(SEVERITIES))
  .addOption(new Option('--phase <phase>').choices(INCIDENT_PHASES))
  .addOption(new Option('--limit <n>', `how many to show (at most ${MAX_LIST_LIMIT})`).argParser(listLimit).default(DEFAULT_LIST_LIMIT))
  .option('--next <cursor>', 'the next page: the cursor the previous page printed (same filters)')
  .action(async (o) => (await import('./incidentList')).listIncidentsCommand(o));

incident
  .command('show <ref>')
  .description('live state: phase, severity, steps with evidence, escalation, timeline')
  .option('--json', 'print the full state as JSON')
  .action(async (ref, o) => (await incidents()).showIncident(ref, o));

incident
  .command('ack <ref>')
  .option('--note <text>')
  .action(async (ref, o) => (await incidents()).act(ref, 'ack', { note: o.note }));

incident
  .command('resolve <ref>')
  .requiredOption('--summary <text>', 'what fixed it')
  .action(async (ref, o) => (await incidents()).act(ref, 'resolve', { summary: o.summary }));

incident
  .command('severity <ref> <severity>')
  .option('--reason <text>')
  .action(async (ref, severity: string, o) => (await incidents()).changeSeverity(ref, severity, o));

incident
  .command('note <ref>')
  .requiredOption('--text <text>')
  .action(async (ref, o) => (await incidents()).act(ref, 'notes', { text: o.text }));

incident
  .command('classify <ref>')
  .description('name the type of an unclassified incident (an alert no routing rule matched): its steps then run')
  .addArgument(new Argument('<type>', 'the incident type').choices(INCIDENT_TYPE_IDS.filter((t) => t !== 'unclassified')))
  .option('--note <text>', 'why: recorded in the audit')
  .action(async (ref, type: string, o) => (await incidents()).act(ref, 'classify', { type, note: o.note }));

incident
  .command('snooze <ref>')
  .description("pause the incident's clocks for a while (a responder, with a reason): pages resume exactly where they were")
  .requiredOption('--for <duration>', 'how long: 30m, 2h, 1h30m, 90s (at most the severity’s snooze maximum)', snoozeFor)
  .requiredOption('--reason <text>', 'why: recorded and told to everyone paged')
  .action(async (ref, o) => (await incidents()).act(ref, 'snooze', { for: o.for, reason: o.reason }));

incident
  .command('unsnooze <ref>')
  .description('end a snooze early: the clocks resume now')
  .option('--note <text>')
  .action(async (ref, o) => (await incidents()).act(ref, 'unsnooze', { note: o.note }));

const step = incident.command('step').description('complete, approve, reject or decide on a runbook step');
const stepAction = async (ref: string, stepId: string, action: string, body: Record<string, unknown>) =>
  (await incidents()).act(ref, `steps/${encodeURIComponent(stepId)}/${action}`, body);
step
  .command('complete <ref> <stepId>')
  .addOption(new Option('--outcome <outcome>').choices(OUTCOMES).default('pass'))
  .option('--note <text>')
  .action((ref, stepId, o) => stepAction(ref, stepId, 'complete', { outcome: o.outcome, note: o.note }));
step
  .command('approve <ref> <stepId>')
  .option('--note <text>')
  .action((ref, stepId, o) => stepAction(ref, stepId, 'approve', { note: o.note }));
step
  .command('reject <ref> <stepId>')
  .requiredOption('--reason <text>')
  .action((ref, stepId, o) => stepAction(ref, stepId, 'reject', { reason: o.reason }));
step
  .command('decide <ref> <stepId>')
  .description('after an automated step failed: retry it, skip it, or abort the rest of the runbook')
  .addOption(new Option('--decision <decision>').choices(STEP_DECISIONS).makeOptionMandatory())
  .option('--note <text>')
  .action((ref, stepId, o) => stepAction(ref, stepId, 'decide', { decision: o.decision, note: o.note }));

program
  .command('policy')
  .description('who may do what: each action, the rule that decides it, and what it takes')
  .option('--json', 'print the rules as JSON')
  .action(async (o) => (await import('./policyCommand')).printPolicy(o));

const audit = program.command('audit').description('read, export and verify audit trails');
audit
  .command('show <ref>')
  .addOption(new Option('--format <format>').choices(EXPORT_FORMATS).default('markdown'))
  .action(async (ref, o: { format: ExportFormat }) => (await audits()).showAudit(ref, o));
audit
  .command('verify <ref>')
  .description(
    "check the hash chain, the anchor on the incidents row, and Temporal's history: any edited, deleted or missing event is named",
  )
  .option('--no-temporal', 'check the audit store alone (for an auditor without access to Temporal)')
  .action(async (ref, o) => (await audits()).verifyAudit(ref, o));

const checklist = program.command('checklist').description('daily checklists: run, sign off, report');
checklist
  .command('run')
  .description('start a checklist now, outside its schedule')
  .addArgument(new Argument('<checklist>').choices(CHECKLIST_IDS))
  .action(async (id: ChecklistId) => (await checklists()).runChecklist(id));
checklist
  .command('show <runId>')
  .description('live state of a running checklist')
  .action(async (runId: string) => (await checklists()).showChecklist(runId));
checklist
  .command('sign <runId> <itemId>')
  .description('sign off a manual item')
  .addOption(new Option('--outcome <outcome>').choices(OUTCOMES).default('pass'))
  .option('--note <text>')
  .action(async (runId: string, itemId: string, o) => (await checklists()).signItem(runId, itemId, o));
checklist
  .command('report <runId>')
  .description('the stored report of a finished run')
  .addOption(new Option('--format <format>').choices(['table', 'markdown']).default('table'))
  .action(async (runId: string, o) => (await checklists()).checklistReport(runId, o));
checklist
  .command('list')
  .description('recent checklist runs from the audit store')
  .option('--limit <n>', 'how many', '20')
  .action(async (o) => (await checklists()).listChecklistRuns(o));

const schedules = program.command('schedules').description('the Temporal Schedules that start the daily checklists');
schedules
  .command('apply')
  .description('create the three schedules, or update them in place (idempotent)')
  .action(async () => (await checklists()).applyAllSchedules());
schedules.command('list').action(async () => (await checklists()).printSchedules());
for (const [name, paused] of [
  ['pause', true],
  ['unpause', false],
] as const) {
  schedules
    .command(name)
    .addArgument(new Argument('<checklist>').choices(CHECKLIST_IDS))
    .option('--note <text>', 'why', `${name}d with dbops`)
    .action(async (id: ChecklistId, o) => (await checklists()).pauseSchedule(id, paused, name, o));
}

const oncall = program
  .command('oncall')
  .description('who holds each role on the escalation ladders now, until when, and who next (schedules, overrides, roster)')
  .addOption(new Option('--role <role>', 'only this role').choices(ROLES))
  .option('--at <time>', 'at this time instead of now: a date-time with a zone, or a date (midnight in DBOPS_TIMEZONE)')
  .action(async (o) => (await onCall()).printOnCall(o));
oncall
  .command('schedule')
  .description("a role's shifts over a period, as a table")
  .addOption(new Option('--role <role>').choices(ROLES).makeOptionMandatory())
  .option('--from <time>', 'from (default now): a date-time with a zone, or a date')
  .option('--to <time>', 'to (default a week after --from)')
  .action(async (o) => (await onCall()).printSchedule(o));
oncall
  .command('check')
  .description('every window in which a role on an escalation ladder has nobody; exits 2 when there is one')
  .option('--days <n>', 'look this many days ahead', (v) => days(v), 30)
  .action(async (o) => (await onCall()).checkOnCall(o));
oncall
  .command('calendar')
  .description("prints the signed URL of a person's or a role's on-call calendar (ICS), to subscribe to in a calendar application")
  .option('--person <id>', "a person's shifts (yours; anyone's for a database lead or engineering manager)")
  .addOption(new Option('--role <role>', "a role's shifts, gaps included").choices(ROLES))
  .option('--revoke', "refuse the calendar's URLs made so far (one leaked) and print its new one")
  .action(async (o) => (await onCall()).printCalendarUrl(o));
oncall
  .command('handoffs')
  .description('the handoff notices sent: who was told, when, and which open incidents changed hands (the audit store)')
  .option('--days <n>', 'this many days back', (v) => days(v), 7)
  .action(async (o) => (await onCall()).printHandoffs(o));

const override = program.command('override').description('a person takes a role for a window (as yourself, through the dbops API)');
override
  .command('create')
  .description(
    'made by a database lead or engineering manager, or by the person whose shift it takes; with --swap-from and --swap-to, ' +
      "the person replaced takes --person's shift in that window in return (a swap: entitled people only)",
  )
  .addOption(new Option('--role <role>').choices(ROLES).makeOptionMandatory())
  .requiredOption('--person <id>', 'roster id of who takes the role')
  .option('--from <time>', 'from (default now): a date-time with a zone, or a date')
  .requiredOption('--to <time>', 'until')
  .option('--reason <text>')
  .option('--swap-from <time>', "a swap: the person replaced takes --person's shift from here…")
  .option('--swap-to <time>', '…until here')
  .action(async (o) => (await onCall()).createOverride(o));
override
  .command('list')
  .description('overrides not yet over')
  .addOption(new Option('--role <role>').choices(ROLES))
  .action(async (o) => (await onCall()).listOverridesCommand(o));
override
  .command('delete <id>')
  .description('remove an override (with the other half of its swap)')
  .action(async (id: string) => (await onCall()).deleteOverrideCommand(id));

const maintenance = program
  .command('maintenance')
  .description(
    'maintenance windows: alerts in scope are held, not paged; what still fires at the end opens its incident (through the API as yourself)',
  );
const collect = (v: string, all: string[] = []) => [...all, v];
maintenance
  .command('create')
  .description(
    'a window of at most 24 hours (--from/--to), or weekly by the wall clock of a zone (--every … --until); a maintenance planner, with a reason',
  )
  .requiredOption('--reason <text>', 'why (audited, and shown with every alert held)')
  .option('--tier <tier>', 'a tier it holds (repeat for more)', collect)
  .option('--type <type>', 'an incident type it holds (repeat for more)', collect)
  .option('--label <name=value>', 'an alert label to match: name=value or name=~regex (repeat for more)', collect)
  .option('--from <time>', 'start (default now): a date-time with a zone')
  .option('--to <time>', 'end: a date-time with a zone')
  .option('--every <days>', 'weekly on these days, e.g. sun or sat,sun')
  .option('--start <HH:MM>', 'weekly: local start time')
  .option('--end <HH:MM>', 'weekly: local end time (at or before --start: the next day)')
  .option('--time-zone <zone>', 'weekly: the zone (default DBOPS_TIMEZONE)')
  .option('--until <time>', 'weekly: no occurrence starts after this (at most 366 days ahead)')
  .action(async (o) => (await import('./maintenanceCommands')).createWindowCommand(o));
maintenance
  .command('list')
  .description('windows not over (--all: every window)')
  .option('--all')
  .action(async (o) => (await import('./maintenanceCommands')).listWindowsCommand(o));
maintenance
  .command('end <id>')
  .description('end a window now: what it held and still fires opens (or re-pages) its incident at once')
  .requiredOption('--reason <text>')
  .action(async (id: string, o) => (await import('./maintenanceCommands')).endWindowCommand(id, o));

const token = program.command('token').description("people's personal tokens for the dbops API (kept as hashes in the audit store)");
token
  .command('create')
  .requiredOption('--person <id>', 'roster id of whom the token acts as')
  .option('--label <text>', 'where it is used (laptop, pager…)', '')
  .action(async (o) => (await credentials()).createToken(o));
token.command('list').action(async () => (await credentials()).printCredentials('person'));
token
  .command('revoke <id>')
  .description('refuse the token from now on (the row stays, for the audit)')
  .action(async (id: string) => (await credentials()).revoke('person', id));

const integration = program.command('integration').description("alert sources' keys for POST /alerts (kept as hashes in the audit store)");
integration
  .command('create <name>')
  .option('--label <text>', 'what sends with it', '')
  .action(async (name: string, o) => (await credentials()).createIntegrationKey(name, o));
integration.command('list').action(async () => (await credentials()).printCredentials('integration'));
integration
  .command('revoke <id>')
  .description('refuse the key from now on (the row stays, for the audit)')
  .action(async (id: string) => (await credentials()).revoke('integration', id));

program
  .command('setup')
  .description("register dbops' search attributes on a Temporal server you run (TEMPORAL_ADDRESS); idempotent")
  .action(async () => (await import('./serverSetup')).setupServer());

program
  .command('report')
  .description('MTTA, MTTR and response-SLA breaches per type and severity')
  .option('--days <n>', 'look back this many days', '30')
  .action(async (o) => (await import('./slaReportCommand')).printSlaReport(o));

// `dbops … | head` closes the pipe early: that is the reader being done, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

program.parseAsync().catch((err: unknown) => {
  // Refusals (usage, bad requests, the API's or a validator's) are one line; an Update's refusal names its cause.
  // Matched by name, so this file need not load the Temporal client to recognise its error.
  // The message may carry the API's or a server's words: printed inert.
  if ((err as Error)?.name === 'WorkflowUpdateFailedError')
    tell(`dbops: refused: ${((err as Error).cause as Error)?.message ?? (err as Error).message}`);
  else tell(`dbops: ${(err as Error)?.message ?? err}`);
  process.exitCode = 1;
});
