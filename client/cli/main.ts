/**
 * The `dbops` command line: open and work incidents, read audits and SLA reports.
 * Reaches Temporal and PostgreSQL through TEMPORAL_ADDRESS / DATABASE_URL, or a running `npm start`.
 */
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { Argument, Command, Option } from 'commander';
import type { Pool } from 'pg';
import type { Config } from '../../lib/config';
import { resolveRuntime } from '../../lib/runtime';
import {
  CHECKLIST_IDS,
  INCIDENT_PHASES,
  INCIDENT_TYPE_IDS,
  OUTCOMES,
  SEVERITIES,
  STEP_DECISIONS,
  TIERS,
  type ChecklistId,
  type Outcome,
  type Severity,
} from '../../runbooks/types';
import type { IncidentState } from '../../workflows/incident/messages';
import type { incidentResponse } from '../../workflows/incident/incidentResponse';
import { EXPORT_FORMATS, formatEvents, type ExportFormat } from './auditExport';
import { textOptionProblem } from './textOptions';

class UsageError extends Error {}

// Loaded by the preAction hook, when a command runs: `dbops --help` needs none of it (see commandModules.ts).
let m: typeof import('./commandModules');
let config: Config;
let runtime: ReturnType<typeof resolveRuntime>;

// A server that accepts connections but never answers (stopped, overloaded) must not hang a person at a terminal.
const TEMPORAL_CONNECT_TIMEOUT_MS = 5_000;
const DATABASE_CONNECT_TIMEOUT_MS = 5_000;
const DATABASE_STATEMENT_TIMEOUT_MS = 30_000;

async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  if (!runtime.temporalAddress) throw new UsageError('no Temporal server: set TEMPORAL_ADDRESS, or run `npm start` first');
  const connection = await connectTemporal(runtime.temporalAddress);
  try {
    return await fn(new m.Client({ connection, namespace: config.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

async function connectTemporal(address: string): Promise<Connection> {
  try {
    return await m.Connection.connect({ address, connectTimeout: TEMPORAL_CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw new UsageError(
      `Temporal at ${address} could not be reached (${(err as Error).message}; waited at most ${TEMPORAL_CONNECT_TIMEOUT_MS / 1000} s): ` +
        'is `npm start` running, or is TEMPORAL_ADDRESS right?',
    );
  }
}

async function withPool<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  if (!runtime.databaseUrl) throw new UsageError('no audit database: set DATABASE_URL, or run `npm start` first');
  const pool = new m.Pool({
    connectionString: runtime.databaseUrl,
    max: 2,
    connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS,
    statement_timeout: DATABASE_STATEMENT_TIMEOUT_MS,
  });
  // An idle client that loses its server emits here; the query that needed it reports the failure.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1').catch((err: Error) => {
      throw new UsageError(
        `the audit store could not be reached (${err.message}; waited at most ${DATABASE_CONNECT_TIMEOUT_MS / 1000} s): ` +
          'is `npm start` running, or is DATABASE_URL right?',
      );
    });
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/**
 * Runs fn on the incident a reference names. A workflow id names the key's latest incident; an incident id names
 * exactly one incident, and a resolved one is refused with a message instead of reaching a later incident on its key.
 */
async function onIncident<A>(
  ref: string,
  fn: (handle: WorkflowHandle<typeof incidentResponse>) => Promise<A>,
  opts: { allowClosed?: boolean } = {},
): Promise<A> {
  if (ref.startsWith('incident/')) return withClient((client) => fn(client.workflow.getHandle(ref)));
  if (!m.isIncidentId(ref))
    throw new UsageError(
      `'${ref}' is not an incident id (INC-<yyyymmdd>-<12 hex>) nor a workflow id (incident/<type>/<tier>/<fingerprint>)`,
    );
  return withPool(async (pool) => {
    const record = await m.findIncident(pool, ref);
    return withClient(async (client) =>
      fn(
        await m.incidentHandle(client, record, { allowClosed: opts.allowClosed ?? false, newer: () => m.newerIncidentOnKey(pool, record) }),
      ),
    );
  });
}

/** Audit commands read only the audit store, so an auditor needs no Temporal: a workflow id maps to its latest incident. */
async function incidentIdOf(ref: string): Promise<string> {
  if (!ref.startsWith('incident/')) return ref;
  const row = await withPool((pool) =>
    pool.query('SELECT incident_id FROM incidents WHERE workflow_id = $1 ORDER BY opened_at DESC LIMIT 1', [ref]),
  );
  if (!row.rowCount) throw new UsageError(`no incident recorded for workflow '${ref}'`);
  return row.rows[0].incident_id;
}

function printState(s: IncidentState) {
  console.log(`${s.incidentId}  ${s.type}  ${s.severity}  tier=${s.tier}  phase=${s.phase}`);
  console.log(`  ${s.title}`);
  console.log(`  opened ${s.openedAt}  triggers=${s.triggerCount}  runbook=${s.runbookVersion}`);
  console.log(
    `  escalation level ${s.escalation.level}, response due ${s.escalation.responseDueAt}${s.escalation.responseMissed ? ' (MISSED)' : ''}${s.escalation.nextEscalationAt ? `, next escalation ${s.escalation.nextEscalationAt}` : ''}`,
  );
  if (s.acknowledgedBy) console.log(`  acknowledged by ${s.acknowledgedBy} at ${s.acknowledgedAt}`);
  if (s.resolvedBy) console.log(`  resolved by ${s.resolvedBy} at ${s.resolvedAt}: ${s.resolution}`);
  if (s.notes.length) console.log(`  notes: ${s.notes.map((n) => `${n.actor}: ${n.text}`).join(' | ')}`);
  console.log('  steps:');
  s.steps.forEach((st, i) => {
    const marker = i === s.currentStep && s.phase !== 'resolved' ? '>' : ' ';
    console.log(`   ${marker} ${st.id.padEnd(24)} ${st.status.padEnd(20)} ${st.outcome ?? ''} ${st.summary ?? st.error ?? ''}`);
  });
  console.log('  recent:');
  for (const t of s.timeline.slice(-8))
    console.log(`    ${t.at}  ${t.kind}${t.actor ? ` by ${t.actor}` : ''}${t.detail ? `: ${t.detail}` : ''}`);
}

const program = new Command('dbops').description('Database incident response and daily checklists on Temporal').showHelpAfterError();
// Free text is bounded and must be storable (runbooks/limits): refused before any server is reached.
program.hook('preAction', async (_program, command) => {
  const problem = textOptionProblem(command);
  if (problem) throw new UsageError(problem);
  m = await import('./commandModules');
  config = m.loadConfig();
  runtime = resolveRuntime(config);
});
const incident = program.command('incident').description('open, work and resolve incidents');

incident
  .command('open')
  .description('open an incident, or count a repeat of one already open with the same type, tier and fingerprint')
  .addOption(new Option('--type <type>', 'incident type').choices(INCIDENT_TYPE_IDS).makeOptionMandatory())
  .addOption(new Option('--tier <tier>', 'database tier').choices(TIERS).makeOptionMandatory())
  .addOption(new Option('--severity <severity>', 'severity (default: the type’s)').choices(SEVERITIES))
  .option('--fingerprint <fp>', 'what distinguishes this problem from others of its type on the tier', 'manual')
  .option('--title <title>', 'one line for people')
  .option('--by <who>', 'who opens it', process.env.USER ?? 'cli')
  .action(async (o) => {
    const receivedAt = new Date(); // the incident's clocks start when the person asked, not when Temporal got to it
    const request = m.parseIncidentRequest({ ...o, source: 'cli' });
    const roster = m.loadRoster(config.rosterPath);
    const { workflowId } = await withClient((client) =>
      m.openIncident({ client, taskQueue: config.temporal.taskQueue, roster, calendar: config.calendar }, request, receivedAt),
    );
    console.log(workflowId);
  });

incident
  .command('list')
  .description('incidents from Temporal visibility, filtered by their search attributes (open ones by default)')
  .option('--all', 'include closed ones')
  .addOption(new Option('--type <type>').choices(INCIDENT_TYPE_IDS))
  .addOption(new Option('--tier <tier>').choices(TIERS))
  .addOption(new Option('--severity <severity>').choices(SEVERITIES))
  .addOption(new Option('--phase <phase>').choices(INCIDENT_PHASES))
  .action(async (o) => {
    // Every value comes from a fixed list of choices, so it is safe inside the query string.
    const filters = [`${m.SA_KIND.name} = 'incident'`];
    if (!o.all) filters.push(`ExecutionStatus = 'Running'`);
    for (const [key, attribute] of [
      ['type', m.SA_TYPE],
      ['tier', m.SA_TIER],
      ['severity', m.SA_SEVERITY],
      ['phase', m.SA_PHASE],
    ] as const) {
      if (o[key]) filters.push(`${attribute.name} = '${o[key]}'`);
    }
    await withClient(async (client) => {
      for await (const wf of client.workflow.list({ query: filters.join(' AND ') })) {
        const get = (key: typeof m.SA_SEVERITY) => wf.typedSearchAttributes.get(key) ?? '';
        console.log(
          `${wf.workflowId.padEnd(60)} ${String(get(m.SA_SEVERITY)).padEnd(9)} ${String(get(m.SA_PHASE)).padEnd(13)} ${wf.status.name}`,
        );
      }
    });
  });

incident
  .command('show <ref>')
  .description('live state: phase, severity, steps with evidence, escalation, timeline')
  .option('--json', 'print the full state as JSON')
  .action(async (ref, o) => {
    const state = await onIncident(ref, (h) => h.query(m.incidentStateQuery), { allowClosed: true });
    if (o.json) console.log(JSON.stringify(state, null, 2));
    else printState(state);
  });

incident
  .command('ack <ref>')
  .requiredOption('--as <person>', 'roster id of who acknowledges')
  .option('--note <text>')
  .action(async (ref, o) =>
    printState(await onIncident(ref, (h) => h.executeUpdate(m.acknowledgeUpdate, { args: [{ actor: o.as, note: o.note }] }))),
  );

incident
  .command('resolve <ref>')
  .requiredOption('--as <person>')
  .requiredOption('--summary <text>', 'what fixed it')
  .action(async (ref, o) =>
    printState(await onIncident(ref, (h) => h.executeUpdate(m.resolveUpdate, { args: [{ actor: o.as, summary: o.summary }] }))),
  );

incident
  .command('severity <ref> <severity>')
  .requiredOption('--as <person>')
  .option('--reason <text>')
  .action(async (ref, severity: string, o) => {
    if (!SEVERITIES.includes(severity as Severity)) throw new UsageError(`severity '${severity}' is not one of ${SEVERITIES.join(', ')}`);
    printState(
      await onIncident(ref, (h) =>
        h.executeUpdate(m.changeSeverityUpdate, { args: [{ actor: o.as, severity: severity as Severity, reason: o.reason }] }),
      ),
    );
  });

incident
  .command('note <ref>')
  .requiredOption('--as <person>')
  .requiredOption('--text <text>')
  .action(async (ref, o) =>
    printState(await onIncident(ref, (h) => h.executeUpdate(m.addNoteUpdate, { args: [{ actor: o.as, text: o.text }] }))),
  );

const step = incident.command('step').description('complete, approve, reject or decide on a runbook step');
step
  .command('complete <ref> <stepId>')
  .requiredOption('--as <person>')
  .addOption(new Option('--outcome <outcome>').choices(OUTCOMES).default('pass'))
  .option('--note <text>')
  .action(async (ref, stepId, o) =>
    printState(
      await onIncident(ref, (h) =>
        h.executeUpdate(m.completeStepUpdate, { args: [{ actor: o.as, stepId, outcome: o.outcome as Outcome, note: o.note }] }),
      ),
    ),
  );
step
  .command('approve <ref> <stepId>')
  .requiredOption('--as <person>')
  .option('--note <text>')
  .action(async (ref, stepId, o) =>
    printState(await onIncident(ref, (h) => h.executeUpdate(m.approveStepUpdate, { args: [{ actor: o.as, stepId, note: o.note }] }))),
  );
step
  .command('reject <ref> <stepId>')
  .requiredOption('--as <person>')
  .requiredOption('--reason <text>')
  .action(async (ref, stepId, o) =>
    printState(await onIncident(ref, (h) => h.executeUpdate(m.rejectStepUpdate, { args: [{ actor: o.as, stepId, reason: o.reason }] }))),
  );
step
  .command('decide <ref> <stepId>')
  .description('after an automated step failed: retry it, skip it, or abort the rest of the runbook')
  .requiredOption('--as <person>')
  .addOption(new Option('--decision <decision>').choices(STEP_DECISIONS).makeOptionMandatory())
  .option('--note <text>')
  .action(async (ref, stepId, o) =>
    printState(
      await onIncident(ref, (h) =>
        h.executeUpdate(m.decideStepUpdate, { args: [{ actor: o.as, stepId, decision: o.decision, note: o.note }] }),
      ),
    ),
  );

const audit = program.command('audit').description('read, export and verify audit trails');
audit
  .command('show <ref>')
  .addOption(new Option('--format <format>').choices(EXPORT_FORMATS).default('markdown'))
  .action(async (ref, o) => {
    const incidentId = await incidentIdOf(ref);
    console.log(formatEvents(await withPool((pool) => m.readIncidentEvents(pool, incidentId)), o.format as ExportFormat));
  });
audit
  .command('verify <ref>')
  .description(
    "check the hash chain, the anchor on the incidents row, and Temporal's history: any edited, deleted or missing event is named",
  )
  .option('--no-temporal', 'check the audit store alone (for an auditor without access to Temporal)')
  .action(async (ref, o) => {
    const incidentId = await incidentIdOf(ref);
    const verdict = await withPool(async (pool) => {
      if (!o.temporal || !runtime.temporalAddress) return m.verifyIncidentAudit(pool, incidentId);
      return withClient((client) => m.verifyIncidentAudit(pool, incidentId, client));
    });
    if (!verdict.events) throw new UsageError(`no audit events for ${incidentId}`);
    const against = ['its hash chain', ...verdict.checkedAgainst].join(', ');
    if (!verdict.problems.length) console.log(`${incidentId}: ${verdict.events} events, intact (checked: ${against})`);
    else {
      for (const p of verdict.problems) console.log(`${incidentId} ${p}`);
      console.log(`checked: ${against}`);
      process.exitCode = 3;
    }
  });

const checklist = program.command('checklist').description('daily checklists: run, sign off, report');
checklist
  .command('run')
  .description('start a checklist now, outside its schedule')
  .addArgument(new Argument('<checklist>').choices(CHECKLIST_IDS))
  .action(async (id: string) => {
    const roster = m.loadRoster(config.rosterPath);
    const { checklists } = m.loadCatalog(config);
    const handle = await withClient((client) =>
      m.startChecklist(client, config.temporal.taskQueue, id as ChecklistId, roster, undefined, checklists),
    );
    console.log(handle.workflowId);
  });
checklist
  .command('show <runId>')
  .description('live state of a running checklist')
  .action(async (runId: string) => {
    const state = await withClient((client) => client.workflow.getHandle(runId).query(m.checklistStateQuery));
    console.log(m.reportTable(state));
  });
checklist
  .command('sign <runId> <itemId>')
  .description('sign off a manual item')
  .requiredOption('--as <person>')
  .addOption(new Option('--outcome <outcome>').choices(OUTCOMES).default('pass'))
  .option('--note <text>')
  .action(async (runId: string, itemId: string, o) => {
    const state = await withClient((client) =>
      client.workflow
        .getHandle(runId)
        .executeUpdate(m.signOffUpdate, { args: [{ actor: o.as, itemId, outcome: o.outcome as Outcome, note: o.note }] }),
    );
    console.log(m.reportTable(state));
  });
checklist
  .command('report <runId>')
  .description('the stored report of a finished run')
  .addOption(new Option('--format <format>').choices(['table', 'markdown']).default('table'))
  .action(async (runId: string, o) => {
    const row = await withPool((pool) => pool.query('SELECT report_markdown FROM checklist_runs WHERE run_id = $1', [runId]));
    if (!row.rowCount || !row.rows[0].report_markdown) throw new UsageError(`no finished checklist run '${runId}'`);
    if (o.format === 'markdown') console.log(row.rows[0].report_markdown);
    else console.log(await withClient(async (client) => m.reportTable(await client.workflow.getHandle(runId).result())));
  });
checklist
  .command('list')
  .description('recent checklist runs from the audit store')
  .option('--limit <n>', 'how many', '20')
  .action(async (o) => {
    const { rows } = await withPool((pool) =>
      pool.query(
        'SELECT run_id, status, started_at, pass_count, warn_count, fail_count FROM checklist_runs ORDER BY started_at DESC LIMIT $1',
        [Number(o.limit)],
      ),
    );
    console.table(rows);
  });

const schedules = program.command('schedules').description('the Temporal Schedules that start the daily checklists');
schedules
  .command('apply')
  .description('create the three schedules, or update them in place (idempotent)')
  .action(async () => {
    const roster = m.loadRoster(config.rosterPath);
    const results = await withClient((client) =>
      m.applySchedules(client, {
        taskQueue: config.temporal.taskQueue,
        timeZone: config.timeZone,
        workdays: config.calendar.workdays,
        roster,
        definitions: m.loadCatalog(config).checklists,
      }),
    );
    for (const r of results) console.log(`${r.id}: ${r.action}`);
  });
schedules.command('list').action(async () => console.table(await withClient((client) => m.listSchedules(client))));
for (const [name, paused] of [
  ['pause', true],
  ['unpause', false],
] as const) {
  schedules
    .command(name)
    .addArgument(new Argument('<checklist>').choices(CHECKLIST_IDS))
    .option('--note <text>', 'why', `${name}d with dbops`)
    .action(async (id: string, o) => {
      await withClient((client) => m.setPaused(client, id as ChecklistId, paused, o.note));
      console.log(`${m.scheduleIdOf(id as ChecklistId)}: ${name}d`);
    });
}

program
  .command('setup')
  .description("register dbops' search attributes on a Temporal server you run (TEMPORAL_ADDRESS); idempotent")
  .action(async () => {
    if (!runtime.temporalAddress) throw new UsageError('no Temporal server: set TEMPORAL_ADDRESS');
    const connection = await m.Connection.connect({ address: runtime.temporalAddress });
    try {
      await m.registerSearchAttributes(connection, config.temporal.namespace);
      console.log(`search attributes registered on ${config.temporal.namespace}`);
    } finally {
      await connection.close();
    }
  });

program
  .command('report')
  .description('MTTA, MTTR and response-SLA breaches per type and severity')
  .option('--days <n>', 'look back this many days', '30')
  .action(async (o) => {
    const rows = await withPool((pool) => m.slaReport(pool, Number(o.days)));
    console.table(rows);
  });

// `dbops … | head` closes the pipe early: that is the reader being done, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

program.parseAsync().catch((err: unknown) => {
  // m is unset when the failure came before any command ran (a bad option: then it is a UsageError).
  if (err instanceof UsageError || (m && (err instanceof m.InvalidRequestError || err instanceof m.IncidentRefError)))
    console.error(`dbops: ${(err as Error).message}`);
  else if (m && err instanceof m.WorkflowUpdateFailedError)
    console.error(`dbops: refused: ${(err.cause as Error)?.message ?? err.message}`);
  else console.error(`dbops: ${(err as Error)?.message ?? err}`);
  process.exitCode = 1;
});
