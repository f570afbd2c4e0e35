/**
 * The `dbops` commands, their options and help: declared here, run by main.ts. Every person-facing command goes
 * through the dbops API (DBOPS_API_URL) with the person's token; admin commands (tokens, integration keys, schedules,
 * setup) read Temporal and the audit store through TEMPORAL_ADDRESS / DATABASE_URL, or a
 * running `npm start`.
 *
 * Each action imports its module when it runs, so `dbops --help` (and every command) loads neither the Temporal
 * client, pg nor the configuration unless it needs them.
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
import { EXIT_CODES_HELP } from './exitCodes';
import { OUTPUT_FORMATS } from './output';
import { textOptionProblem } from './textOptions';
import { UsageError } from './usageError';

const incidents = () => import('./incidentCommands');
const audits = () => import('./auditCommands');
const checklists = () => import('./checklistCommands');
const credentials = () => import('./credentialCommands');
const onCall = () => import('./onCallCommands');

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 1_000;

/** A whole number from `min` to `max`, checked by the parser: `--days abc` or `--days -3` is a usage error. */
const wholeNumber =
  (min: number, max: number, unit = '') =>
  (value: string) => {
    if (!/^\d{1,7}$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InvalidArgumentError(`a whole number${unit} from ${min} to ${max}.`);
    return Number(value);
  };
const listLimit = wholeNumber(1, MAX_LIST_LIMIT);
const days = wholeNumber(1, 366, ' of days');

const snoozeFor = (value: string) => {
  if (parseDuration(value) === undefined) throw new InvalidArgumentError(`${DURATION_FORMAT}.`);
  return value;
};

/** --output on every read command: a table (or lines) for people, JSON for tools. */
const outputOption = () => new Option('--output <format>', 'table for people, json for tools').choices(OUTPUT_FORMATS).default('table');

/** A type to classify an incident as: any type the runbook file may hold (the incident's own choices decide), never unclassified. */
function classifiedType(value: string): string {
  if (value === 'unclassified') throw new InvalidArgumentError('unclassified is not a type to classify as: name what the incident is.');
  if (!/^[a-z][a-z0-9-]*$/.test(value)) throw new InvalidArgumentError('an incident type is a kebab-case name (a-z, 0-9, -).');
  return value;
}

/** Roles are the runbook in force's (a runbook file may add some): the API checks them and names those it accepts. */
const ROLE_HELP = (what: string) => `${what} (${ROLES.join(', ')}, or one the runbook file adds)`;

const REF = 'the incident: its INC id, or its workflow id (incident/<type>/<tier>/<fingerprint>)';

export function buildProgram(): Command {
  // Positional options: a command's own options come before its subcommands, so `oncall --role R` and
  // `oncall schedule --role R` are each their own command's option (no parent here has other options).
  // exitOverride is inherited by every command made below: main.ts decides the exit code and prints one line.
  const program = new Command('dbops')
    .description('Database incident response and daily checklists on Temporal')
    .enablePositionalOptions()
    .exitOverride()
    .addHelpText('after', EXIT_CODES_HELP);
  // Free text is bounded and must be storable (runbooks/limits): refused before any server is reached.
  program.hook('preAction', (_program, command) => {
    const problem = textOptionProblem(command);
    // The command goes with the error, so its one-line hint names the command's help.
    if (problem) throw Object.assign(new UsageError(problem), { command });
  });

  const incident = program.command('incident').description('open, list, show, work and resolve incidents (through the dbops API)');

  incident
    .command('open')
    .description(
      'open an incident, or count a repeat of one already open with the same type, tier and fingerprint (as yourself); prints its INC id',
    )
    // Types and tiers are the runbook file's (DBOPS_RUNBOOK_FILE), checked when the command runs.
    .addOption(
      new Option(
        '--type <type>',
        `an incident type of the runbook file (${INCIDENT_TYPE_IDS.join(', ')}, or one it adds)`,
      ).makeOptionMandatory(),
    )
    .addOption(new Option('--tier <tier>', `a database tier of the runbook file (${TIERS.join(', ')})`).makeOptionMandatory())
    .addOption(new Option('--severity <severity>', 'severity (default: the type’s)').choices(SEVERITIES))
    .option('--fingerprint <fp>', 'what distinguishes this problem from others of its type on the tier', 'manual')
    .option('--title <title>', 'one line for people')
    .action(async (o) => (await incidents()).openIncidentCommand(o));

  incident
    .command('list')
    .description(
      'incidents newest first, by INC id and title, with level, age, next deadline and who was paged (open ones by default); ' +
        'says how many more match and how to page on',
    )
    .option('--all', 'include closed ones (listed after the open ones)')
    // Types and tiers are the runbook in force's: the API checks them and names what it accepts.
    .addOption(new Option('--type <type>', `only this incident type (${INCIDENT_TYPE_IDS.join(', ')}, or one the runbook file adds)`))
    .addOption(new Option('--tier <tier>', `only this database tier (${TIERS.join(', ')}, or one the runbook file adds)`))
    .addOption(new Option('--severity <severity>', 'only this severity').choices(SEVERITIES))
    .addOption(new Option('--phase <phase>', 'only this phase').choices(INCIDENT_PHASES))
    .addOption(new Option('--limit <n>', `how many to show (at most ${MAX_LIST_LIMIT})`).argParser(listLimit).default(DEFAULT_LIST_LIMIT))
    .option('--next <cursor>', 'the next page: the cursor the previous page printed (same filters)')
    .addOption(outputOption())
    .action(async (o) => (await import('./incidentList')).listIncidentsCommand(o));

  incident
    .command('show')
    .description('live state: phase, severity, steps with evidence, escalation, who was paged, timeline, deliveries')
    .argument('<ref>', REF)
    .option('--json', 'the same as --output json')
    .addOption(outputOption())
    .action(async (ref, o) => (await incidents()).showIncident(ref, o));

  incident
    .command('ack')
    .description('acknowledge: the escalation stops (as yourself)')
    .argument('<ref>', REF)
    .option('--note <text>', 'recorded in the audit with the acknowledgement')
    .action(async (ref, o) => (await incidents()).act(ref, 'ack', { note: o.note }));

  incident
    .command('resolve')
    .description('resolve the incident (as yourself)')
    .argument('<ref>', REF)
    .requiredOption('--summary <text>', 'what fixed it')
    .action(async (ref, o) => (await incidents()).act(ref, 'resolve', { summary: o.summary }));

  incident
    .command('severity')
    .description('raise or lower the severity (lowering an unacknowledged urgent one needs a reason)')
    .argument('<ref>', REF)
    .addArgument(new Argument('<severity>', 'the new severity').choices(SEVERITIES))
    .option('--reason <text>', 'why: recorded in the audit')
    .action(async (ref, severity: string, o) => (await incidents()).changeSeverity(ref, severity, o));

  incident
    .command('note')
    .description('add a note to the incident’s timeline and audit')
    .argument('<ref>', REF)
    .requiredOption('--text <text>', 'the note')
    .action(async (ref, o) => (await incidents()).act(ref, 'notes', { text: o.text }));

  incident
    .command('classify')
    .description('name the type of an unclassified incident (an alert no routing rule matched): its steps then run')
    .argument('<ref>', REF)
    // The incident's own choices (frozen when it opened) decide: the API names them when the type is not one.
    .addArgument(
      new Argument(
        '<type>',
        `the incident type (${INCIDENT_TYPE_IDS.filter((t) => t !== 'unclassified').join(', ')}, or one the runbook file adds)`,
      ).argParser(classifiedType),
    )
    .option('--note <text>', 'why: recorded in the audit')
    .action(async (ref, type: string, o) => (await incidents()).act(ref, 'classify', { type, note: o.note }));

  incident
    .command('snooze')
    .description("pause the incident's clocks for a while (a responder, with a reason): pages resume exactly where they were")
    .argument('<ref>', REF)
    .requiredOption('--for <duration>', 'how long: 30m, 2h, 1h30m, 90s (at most the severity’s snooze maximum)', snoozeFor)
    .requiredOption('--reason <text>', 'why: recorded and told to everyone paged')
    .action(async (ref, o) => (await incidents()).act(ref, 'snooze', { for: o.for, reason: o.reason }));

  incident
    .command('unsnooze')
    .description('end a snooze early: the clocks resume now')
    .argument('<ref>', REF)
    .option('--note <text>', 'why: recorded in the audit')
    .action(async (ref, o) => (await incidents()).act(ref, 'unsnooze', { note: o.note }));

  const step = incident.command('step').description('complete, approve, reject or decide on a runbook step');
  const stepAction = async (ref: string, stepId: string, action: string, body: Record<string, unknown>) =>
    (await incidents()).act(ref, `steps/${encodeURIComponent(stepId)}/${action}`, body);
  const STEP = 'the step’s id, as incident show lists it';
  step
    .command('complete')
    .description('record the outcome of a manual step')
    .argument('<ref>', REF)
    .argument('<stepId>', STEP)
    .addOption(new Option('--outcome <outcome>', 'what the step found').choices(OUTCOMES).default('pass'))
    .option('--note <text>', 'evidence or remarks, recorded in the audit')
    .action((ref, stepId, o) => stepAction(ref, stepId, 'complete', { outcome: o.outcome, note: o.note }));
  step
    .command('approve')
    .description('approve a step that waits for approval (a failover: database lead, engineering manager or CTO)')
    .argument('<ref>', REF)
    .argument('<stepId>', STEP)
    .option('--note <text>', 'recorded in the audit')
    .action((ref, stepId, o) => stepAction(ref, stepId, 'approve', { note: o.note }));
  step
    .command('reject')
    .description('reject a step that waits for approval')
    .argument('<ref>', REF)
    .argument('<stepId>', STEP)
    .requiredOption('--reason <text>', 'why: recorded in the audit')
    .action((ref, stepId, o) => stepAction(ref, stepId, 'reject', { reason: o.reason }));
  step
    .command('decide')
    .description('after an automated step failed: retry it, skip it, or abort the rest of the runbook')
    .argument('<ref>', REF)
    .argument('<stepId>', STEP)
    .addOption(new Option('--decision <decision>', 'what happens next').choices(STEP_DECISIONS).makeOptionMandatory())
    .option('--note <text>', 'why: recorded in the audit')
    .action((ref, stepId, o) => stepAction(ref, stepId, 'decide', { decision: o.decision, note: o.note }));

  program
    .command('policy')
    .description('who may do what: each action, the rule that decides it, and what it takes')
    .option('--json', 'the same as --output json')
    .addOption(outputOption())
    .action(async (o) => (await import('./policyCommand')).printPolicy(o));

  const runbook = program
    .command('runbook')
    .description('the runbook: check a file, compare versions and prove it on a test server before an incident needs it (docs/runbook.md)');
  runbook
    .command('check')
    .description('every problem of a runbook file with its line, column and field; exit 7 when there is one')
    .argument('<file>', 'the runbook file (YAML), e.g. config/runbook.yaml')
    .option('--roster <file>', 'the roster its ladders must page (default DBOPS_ROSTER)')
    .option('--schedules <file>', 'the on-call schedules (default DBOPS_SCHEDULES)')
    .addOption(outputOption())
    .action(async (file: string, o) => (await import('./runbookCommands')).checkRunbook(file, o));
  runbook
    .command('diff')
    .description('what changes for new incidents, per type (clocks, ladder, steps) and in the action policy, from A to B')
    .argument('<a>', 'the runbook file in force')
    .argument('<b>', 'the new version')
    .addOption(outputOption())
    .action(async (a: string, b: string, o) => (await import('./runbookCommands')).diffRunbookFiles(a, b, o));

  const audit = program.command('audit').description('read, export and verify audit trails (through the dbops API)');
  audit
    .command('show')
    .description('an incident’s audit trail, event by event (a Markdown table for people)')
    .argument('<ref>', REF)
    .addOption(new Option('--format <format>', 'export as json, csv or markdown instead').choices(EXPORT_FORMATS))
    .addOption(outputOption())
    .action(async (ref, o: { format?: ExportFormat }) => (await audits()).showAudit(ref, o));
  audit
    .command('verify')
    .description(
      "check the hash chain, the anchor on the incidents row, and Temporal's history: any edited, deleted or missing event is named (exit 3)",
    )
    .argument('<ref>', REF)
    .option('--no-temporal', 'check the audit store alone, not against Temporal’s history')
    .addOption(outputOption())
    .action(async (ref, o) => (await audits()).verifyAudit(ref, o));

  const checklist = program.command('checklist').description('daily checklists: run, show, sign off, report (through the dbops API)');
  checklist
    .command('run')
    .description('start a checklist now, outside its schedule (admin: reaches Temporal)')
    .addArgument(new Argument('<checklist>', 'which checklist').choices(CHECKLIST_IDS))
    .action(async (id: ChecklistId) => (await checklists()).runChecklist(id));
  checklist
    .command('show')
    .description('live state of a checklist run')
    .argument('<runId>', 'the run, as checklist list shows it')
    .addOption(outputOption())
    .action(async (runId: string, o) => (await checklists()).showChecklist(runId, o));
  checklist
    .command('sign')
    .description('sign off a manual item (as yourself)')
    .argument('<runId>', 'the run, as checklist list shows it')
    .argument('<itemId>', 'the item, as checklist show lists it')
    .addOption(new Option('--outcome <outcome>', 'what the check found').choices(OUTCOMES).default('pass'))
    .option('--note <text>', 'evidence or remarks, recorded in the audit')
    .action(async (runId: string, itemId: string, o) => (await checklists()).signItem(runId, itemId, o));
  checklist
    .command('report')
    .description('the stored report of a finished run')
    .argument('<runId>', 'the run, as checklist list shows it')
    .addOption(new Option('--format <format>', 'a table, or the stored Markdown').choices(['table', 'markdown']).default('table'))
    .addOption(outputOption())
    .action(async (runId: string, o) => (await checklists()).checklistReport(runId, o));
  checklist
    .command('list')
    .description('recent checklist runs, newest first')
    .addOption(new Option('--limit <n>', `how many (at most ${MAX_LIST_LIMIT})`).argParser(listLimit).default(20))
    .addOption(outputOption())
    .action(async (o) => (await checklists()).listChecklistRuns(o));

  const schedules = program.command('schedules').description('the Temporal Schedules that start the daily checklists (admin)');
  schedules
    .command('apply')
    .description('create the three schedules, or update them in place (idempotent)')
    .action(async () => (await checklists()).applyAllSchedules());
  schedules
    .command('list')
    .description('each schedule: paused or not, its next and last run')
    .addOption(outputOption())
    .action(async (o) => (await checklists()).printSchedules(o));
  for (const [name, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    schedules
      .command(name)
      .description(paused ? 'stop a checklist’s schedule from starting runs' : 'let a paused checklist’s schedule start runs again')
      .addArgument(new Argument('<checklist>', 'which checklist').choices(CHECKLIST_IDS))
      .option('--note <text>', 'why', `${name}d with dbops`)
      .action(async (id: ChecklistId, o) => (await checklists()).pauseSchedule(id, paused, name, o));
  }

  const oncall = program
    .command('oncall')
    .description('who holds each role on the escalation ladders now, until when, and who next (schedules, overrides, roster)')
    .addOption(new Option('--role <role>', ROLE_HELP('only this role')))
    .option('--at <time>', 'at this time instead of now: a date-time with a zone, or a date (midnight in DBOPS_TIMEZONE)')
    .addOption(outputOption())
    .action(async (o) => (await onCall()).printOnCall(o));
  oncall
    .command('schedule')
    .description("a role's shifts over a period, as a table")
    .addOption(new Option('--role <role>', ROLE_HELP('the role')).makeOptionMandatory())
    .option('--from <time>', 'from (default now): a date-time with a zone, or a date')
    .option('--to <time>', 'to (default a week after --from)')
    .addOption(outputOption())
    .action(async (o) => (await onCall()).printSchedule(o));
  oncall
    .command('check')
    .description('every window in which a role on an escalation ladder has nobody; exits 6 when there is one')
    .option('--days <n>', 'look this many days ahead (1 to 366)', days, 30)
    .addOption(outputOption())
    .action(async (o) => (await onCall()).checkOnCall(o));
  oncall
    .command('calendar')
    .description("prints the signed URL of a person's or a role's on-call calendar (ICS), to subscribe to in a calendar application")
    .option('--person <id>', "a person's shifts (yours; anyone's for a database lead or engineering manager)")
    .addOption(new Option('--role <role>', ROLE_HELP("a role's shifts, gaps included")))
    .option('--revoke', "refuse the calendar's URLs made so far (one leaked) and print its new one")
    .action(async (o) => (await onCall()).printCalendarUrl(o));
  oncall
    .command('handoffs')
    .description('the handoff notices sent: who was told, when, and which open incidents changed hands')
    .option('--days <n>', 'this many days back (1 to 366)', days, 7)
    .addOption(outputOption())
    .action(async (o) => (await onCall()).printHandoffs(o));

  const override = program.command('override').description('a person takes a role for a window (as yourself, through the dbops API)');
  override
    .command('create')
    .description(
      'made by a database lead or engineering manager, or by the person whose shift it takes; with --swap-from and --swap-to, ' +
        "the person replaced takes --person's shift in that window in return (a swap: entitled people only)",
    )
    .addOption(new Option('--role <role>', ROLE_HELP('the role taken')).makeOptionMandatory())
    .requiredOption('--person <id>', 'roster id of who takes the role')
    .option('--from <time>', 'from (default now): a date-time with a zone, or a date')
    .requiredOption('--to <time>', 'until: a date-time with a zone, or a date')
    .option('--reason <text>', 'why: recorded in the audit')
    .option('--swap-from <time>', "a swap: the person replaced takes --person's shift from here…")
    .option('--swap-to <time>', '…until here')
    .action(async (o) => (await onCall()).createOverride(o));
  override
    .command('list')
    .description('overrides not yet over')
    .addOption(new Option('--role <role>', ROLE_HELP('only this role')))
    .addOption(outputOption())
    .action(async (o) => (await onCall()).listOverridesCommand(o));
  override
    .command('delete')
    .description('remove an override (with the other half of its swap)')
    .argument('<id>', 'the override’s id, as override list shows it')
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
    .option('--all', 'every window, ended ones too')
    .addOption(outputOption())
    .action(async (o) => (await import('./maintenanceCommands')).listWindowsCommand(o));
  maintenance
    .command('end')
    .description('end a window now: what it held and still fires opens (or re-pages) its incident at once')
    .argument('<id>', 'the window’s id, as maintenance list shows it')
    .requiredOption('--reason <text>', 'why: recorded in the window’s audit')
    .action(async (id: string, o) => (await import('./maintenanceCommands')).endWindowCommand(id, o));

  const token = program
    .command('token')
    .description("people's personal tokens for the dbops API (admin: kept as hashes in the audit store)");
  token
    .command('create')
    .description('a new token for a person on the roster, printed once')
    .requiredOption('--person <id>', 'roster id of whom the token acts as')
    .option('--label <text>', 'where it is used (laptop, pager…)', '')
    .action(async (o) => (await credentials()).createToken(o));
  token
    .command('list')
    .description('every token: whose, its label, when made and revoked')
    .addOption(outputOption())
    .action(async (o) => (await credentials()).printCredentials('person', o));
  token
    .command('revoke')
    .description('refuse the token from now on (the row stays, for the audit)')
    .argument('<id>', 'the token’s id, as token list shows it')
    .action(async (id: string) => (await credentials()).revoke('person', id));

  const integration = program
    .command('integration')
    .description("alert sources' keys for POST /alerts (admin: kept as hashes in the audit store)");
  integration
    .command('create')
    .description('a new key for an alert source, printed once')
    .argument('<name>', 'the integration: lowercase letters, digits, . _ -')
    .option('--label <text>', 'what sends with it', '')
    .action(async (name: string, o) => (await credentials()).createIntegrationKey(name, o));
  integration
    .command('list')
    .description('every integration key: whose, its label, when made and revoked')
    .addOption(outputOption())
    .action(async (o) => (await credentials()).printCredentials('integration', o));
  integration
    .command('revoke')
    .description('refuse the key from now on (the row stays, for the audit)')
    .argument('<id>', 'the key’s id, as integration list shows it')
    .action(async (id: string) => (await credentials()).revoke('integration', id));

  program
    .command('setup')
    .description("register dbops' search attributes on a Temporal server you run (TEMPORAL_ADDRESS); idempotent")
    .action(async () => (await import('./serverSetup')).setupServer());

  runbook
    .command('test')
    .description(
      'a dry run on a time-skipping test server in this process: opens an incident of TYPE (scratch database, channels recorded, hooks stubbed), ' +
        'nobody acknowledges; prints each page (level, roles, people, deadline) and each step, in time after the opening',
    )
    .argument('<type>', 'the runbook (incident type)')
    .addOption(new Option('--tier <tier>', 'a tier of the runbook (the shipped ones: oltp, content, queue, olap)').default('oltp'))
    .addOption(new Option('--severity <severity>', 'severity (default: the type’s)').choices(SEVERITIES))
    .addOption(outputOption())
    .action(async (type: string, o) => (await import('./runbookTestCommand')).runbookTestCommand(type, o));

  program
    .command('drill')
    .description(
      'open a drill of a runbook: an incident marked DRILL on the real ladder and steps, out of the SLA report; prints its INC id',
    )
    .argument('<type>', 'the runbook (incident type) to drill')
    .addOption(new Option('--tier <tier>', 'a tier of the runbook (the shipped ones: oltp, content, queue, olap)').default('oltp'))
    .addOption(new Option('--severity <severity>', 'severity (default: the type’s)').choices(SEVERITIES))
    .action(async (type: string, o) => (await import('./drillCommand')).openDrillCommand(type, o));

  program
    .command('report')
    .description(
      'MTTA, MTTR and response-SLA breaches per type and severity, and runbooks overdue for a drill or a review (through the dbops API)',
    )
    .option('--days <n>', 'look back this many days (1 to 366)', days, 30)
    .addOption(outputOption())
    .action(async (o) => (await import('./slaReportCommand')).printSlaReport(o));

  return program;
}

/** Every command under `command`, itself included. */
export function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/** How a command is typed, for a hint: `dbops incident list`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
