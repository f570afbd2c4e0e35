/**
 * The `dbops` command line: open and work incidents, read audits and SLA reports.
 * People's actions and incident reads go through the dbops API (DBOPS_API_URL) with their personal token; listing,
 * audits, reports, checklists' runs and schedules, and credential administration reach Temporal and PostgreSQL
 * through TEMPORAL_ADDRESS / DATABASE_URL, or a running `npm start`.
 */
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { Argument, Command, Option } from 'commander';
import { Pool } from 'pg';
import { loadCatalog } from '../../lib/catalog';
import { loadConfig } from '../../lib/config';
import { registerSearchAttributes } from '../temporal/registerSearchAttributes';
import { loadRoster } from '../../lib/roster';
import { resolveRuntime } from '../../lib/runtime';
import { verifyIncidentAudit } from '../incidents/verifyAudit';
import {
  CHECKLIST_IDS,
  INCIDENT_PHASES,
  INCIDENT_TYPE_IDS,
  OUTCOMES,
  SEVERITIES,
  STEP_DECISIONS,
  TIERS,
  type ChecklistId,
  type Severity,
} from '../../runbooks/types';
import { SA_KIND, SA_PHASE, SA_SEVERITY, SA_TIER, SA_TYPE } from '../../workflows/shared/searchAttributes';
import type { IncidentState } from '../../workflows/incident/messages';
import { EXPORT_FORMATS, formatEvents, type ExportFormat } from './auditExport';
import { readIncidentEvents } from '../../db/audit/readEvents';
import type { Delivery } from '../../db/deliveries/readDeliveries';
import { InvalidRequestError, parseIncidentRequest } from '../incidents/openIncident';
import { slaReport } from '../../db/reports/slaReport';
import { startChecklist } from '../checklists/startChecklist';
import { applySchedules, listSchedules, scheduleIdOf, setPaused } from '../checklists/schedules';
import { reportTable } from '../../db/reports/checklistReport';
import { checklistStateQuery, type ChecklistRunState } from '../../workflows/checklist/messages';
import { IncidentRefError } from '../incidents/incidentRef';
import { textOptionProblem } from './textOptions';
import { ApiError, callApi, DEFAULT_TOKEN_FILE, refSegment } from './apiClient';
import { createCredential, listCredentials, revokeCredential, type Credential } from '../../db/credentials/credentials';

class UsageError extends Error {}

const config = loadConfig();
const runtime = resolveRuntime(config);

// A server that accepts connections but never answers (stopped, overloaded) must not hang a person at a terminal.
const TEMPORAL_CONNECT_TIMEOUT_MS = 5_000;
const DATABASE_CONNECT_TIMEOUT_MS = 5_000;
const DATABASE_STATEMENT_TIMEOUT_MS = 30_000;

async function withClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  if (!runtime.temporalAddress) throw new UsageError('no Temporal server: set TEMPORAL_ADDRESS, or run `npm start` first');
  const connection = await connectTemporal(runtime.temporalAddress);
  try {
    return await fn(new Client({ connection, namespace: config.temporal.namespace }));
  } finally {
    await connection.close();
  }
}

async function connectTemporal(address: string): Promise<Connection> {
  try {
    return await Connection.connect({ address, connectTimeout: TEMPORAL_CONNECT_TIMEOUT_MS });
  } catch (err) {
    throw new UsageError(
      `Temporal at ${address} could not be reached (${(err as Error).message}; waited at most ${TEMPORAL_CONNECT_TIMEOUT_MS / 1000} s): ` +
        'is `npm start` running, or is TEMPORAL_ADDRESS right?',
    );
  }
}

async function withPool<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  if (!runtime.databaseUrl) throw new UsageError('no audit database: set DATABASE_URL, or run `npm start` first');
  const pool = new Pool({
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

/** Audit commands read only the audit store, so an auditor needs no Temporal: a workflow id maps to its latest incident. */
async function incidentIdOf(ref: string): Promise<string> {
  if (!ref.startsWith('incident/')) return ref;
  const row = await withPool((pool) =>
    pool.query('SELECT incident_id FROM incidents WHERE workflow_id = $1 ORDER BY opened_at DESC LIMIT 1', [ref]),
  );
  if (!row.rowCount) throw new UsageError(`no incident recorded for workflow '${ref}'`);
  return row.rows[0].incident_id;
}

/** `incident show`: the state, and (from the API's GET) each delivery of the incident's notifications. */
type ShownIncident = IncidentState & { deliveries?: Delivery[] };

function printState(s: ShownIncident) {
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
  if (s.deliveries) printDeliveries(s.deliveries);
}

/** One line per delivery: notification kind, person (or the team channel's recipients), channel, status, attempts, last error. */
function printDeliveries(deliveries: Delivery[]) {
  console.log(`  deliveries (${deliveries.length}):`);
  for (const d of deliveries) {
    const who = d.person ?? `team: ${d.recipients.join(',')}`;
    const error = d.lastError ? `  last error: ${d.lastError}` : '';
    const next = d.nextAttemptAt ? `  next try ${d.nextAttemptAt}` : '';
    console.log(
      `    ${d.kind.padEnd(12)} ${who.padEnd(20)} ${d.channel.padEnd(15)} ${d.status.padEnd(9)} ${d.attempts} attempt(s)${next}${error}`,
    );
  }
}

const program = new Command('dbops').description('Database incident response and daily checklists on Temporal').showHelpAfterError();
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
  .action(async (o) => {
    const request = { type: o.type, tier: o.tier, severity: o.severity, fingerprint: o.fingerprint, title: o.title };
    parseIncidentRequest({ ...request, source: 'cli' }); // refused here, naming the field, before any server is reached
    const { workflowId } = await callApi<{ workflowId: string }>(config.apiUrl, 'POST', '/incidents', request);
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
    const filters = [`${SA_KIND.name} = 'incident'`];
    if (!o.all) filters.push(`ExecutionStatus = 'Running'`);
    for (const [key, attribute] of [
      ['type', SA_TYPE],
      ['tier', SA_TIER],
      ['severity', SA_SEVERITY],
      ['phase', SA_PHASE],
    ] as const) {
      if (o[key]) filters.push(`${attribute.name} = '${o[key]}'`);
    }
    await withClient(async (client) => {
      for await (const wf of client.workflow.list({ query: filters.join(' AND ') })) {
        const get = (key: typeof SA_SEVERITY) => wf.typedSearchAttributes.get(key) ?? '';
        console.log(
          `${wf.workflowId.padEnd(60)} ${String(get(SA_SEVERITY)).padEnd(9)} ${String(get(SA_PHASE)).padEnd(13)} ${wf.status.name}`,
        );
      }
    });
  });

incident
  .command('show <ref>')
  .description('live state: phase, severity, steps with evidence, escalation, timeline')
  .option('--json', 'print the full state as JSON')
  .action(async (ref, o) => {
    const state = await callApi<ShownIncident>(config.apiUrl, 'GET', `/incidents/${refSegment(ref)}`);
    if (o.json) console.log(JSON.stringify(state, null, 2));
    else printState(state);
  });

/** An action on an incident through the dbops API, as the person the token names; prints the state it left. */
const act = async (ref: string, action: string, body: Record<string, unknown>) =>
  printState(await callApi<IncidentState>(config.apiUrl, 'POST', `/incidents/${refSegment(ref)}/${action}`, body));

incident
  .command('ack <ref>')
  .option('--note <text>')
  .action((ref, o) => act(ref, 'ack', { note: o.note }));

incident
  .command('resolve <ref>')
  .requiredOption('--summary <text>', 'what fixed it')
  .action((ref, o) => act(ref, 'resolve', { summary: o.summary }));

incident
  .command('severity <ref> <severity>')
  .option('--reason <text>')
  .action(async (ref, severity: string, o) => {
    if (!SEVERITIES.includes(severity as Severity)) throw new UsageError(`severity '${severity}' is not one of ${SEVERITIES.join(', ')}`);
    await act(ref, 'severity', { severity, reason: o.reason });
  });

incident
  .command('note <ref>')
  .requiredOption('--text <text>')
  .action((ref, o) => act(ref, 'notes', { text: o.text }));

const step = incident.command('step').description('complete, approve, reject or decide on a runbook step');
const stepPath = (stepId: string, action: string) => `steps/${encodeURIComponent(stepId)}/${action}`;
step
  .command('complete <ref> <stepId>')
  .addOption(new Option('--outcome <outcome>').choices(OUTCOMES).default('pass'))
  .option('--note <text>')
  .action((ref, stepId, o) => act(ref, stepPath(stepId, 'complete'), { outcome: o.outcome, note: o.note }));
step
  .command('approve <ref> <stepId>')
  .option('--note <text>')
  .action((ref, stepId, o) => act(ref, stepPath(stepId, 'approve'), { note: o.note }));
step
  .command('reject <ref> <stepId>')
  .requiredOption('--reason <text>')
  .action((ref, stepId, o) => act(ref, stepPath(stepId, 'reject'), { reason: o.reason }));
step
  .command('decide <ref> <stepId>')
  .description('after an automated step failed: retry it, skip it, or abort the rest of the runbook')
  .addOption(new Option('--decision <decision>').choices(STEP_DECISIONS).makeOptionMandatory())
  .option('--note <text>')
  .action((ref, stepId, o) => act(ref, stepPath(stepId, 'decide'), { decision: o.decision, note: o.note }));

const audit = program.command('audit').description('read, export and verify audit trails');
audit
  .command('show <ref>')
  .addOption(new Option('--format <format>').choices(EXPORT_FORMATS).default('markdown'))
  .action(async (ref, o) => {
    const incidentId = await incidentIdOf(ref);
    console.log(formatEvents(await withPool((pool) => readIncidentEvents(pool, incidentId)), o.format as ExportFormat));
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
      if (!o.temporal || !runtime.temporalAddress) return verifyIncidentAudit(pool, incidentId);
      return withClient((client) => verifyIncidentAudit(pool, incidentId, client));
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
    const roster = loadRoster(config.rosterPath);
    const { checklists } = loadCatalog(config);
    const handle = await withClient((client) =>
      startChecklist(client, config.temporal.taskQueue, id as ChecklistId, roster, undefined, checklists),
    );
    console.log(handle.workflowId);
  });
checklist
  .command('show <runId>')
  .description('live state of a running checklist')
  .action(async (runId: string) => {
    const state = await withClient((client) => client.workflow.getHandle(runId).query(checklistStateQuery));
    console.log(reportTable(state));
  });
checklist
  .command('sign <runId> <itemId>')
  .description('sign off a manual item')
  .addOption(new Option('--outcome <outcome>').choices(OUTCOMES).default('pass'))
  .option('--note <text>')
  .action(async (runId: string, itemId: string, o) => {
    const path = `/checklists/${encodeURIComponent(runId)}/items/${encodeURIComponent(itemId)}/sign`;
    console.log(reportTable(await callApi<ChecklistRunState>(config.apiUrl, 'POST', path, { outcome: o.outcome, note: o.note })));
  });
checklist
  .command('report <runId>')
  .description('the stored report of a finished run')
  .addOption(new Option('--format <format>').choices(['table', 'markdown']).default('table'))
  .action(async (runId: string, o) => {
    const row = await withPool((pool) => pool.query('SELECT report_markdown FROM checklist_runs WHERE run_id = $1', [runId]));
    if (!row.rowCount || !row.rows[0].report_markdown) throw new UsageError(`no finished checklist run '${runId}'`);
    if (o.format === 'markdown') console.log(row.rows[0].report_markdown);
    else console.log(await withClient(async (client) => reportTable(await client.workflow.getHandle(runId).result())));
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
    const roster = loadRoster(config.rosterPath);
    const results = await withClient((client) =>
      applySchedules(client, {
        taskQueue: config.temporal.taskQueue,
        timeZone: config.timeZone,
        workdays: config.calendar.workdays,
        roster,
        definitions: loadCatalog(config).checklists,
      }),
    );
    for (const r of results) console.log(`${r.id}: ${r.action}`);
  });
schedules.command('list').action(async () => console.table(await withClient((client) => listSchedules(client))));
for (const [name, paused] of [
  ['pause', true],
  ['unpause', false],
] as const) {
  schedules
    .command(name)
    .addArgument(new Argument('<checklist>').choices(CHECKLIST_IDS))
    .option('--note <text>', 'why', `${name}d with dbops`)
    .action(async (id: string, o) => {
      await withClient((client) => setPaused(client, id as ChecklistId, paused, o.note));
      console.log(`${scheduleIdOf(id as ChecklistId)}: ${name}d`);
    });
}

/** Credentials are rows of the audit store: whoever may write to it (DATABASE_URL) administers them. */
const printCredentials = (rows: Credential[]) =>
  console.table(rows.map((c) => ({ id: c.id, [c.kind]: c.subject, label: c.label, created: c.createdAt, revoked: c.revokedAt ?? '' })));
const INTEGRATION_NAME = /^[a-z0-9][a-z0-9._-]{0,47}$/;

const token = program.command('token').description("people's personal tokens for the dbops API (kept as hashes in the audit store)");
token
  .command('create')
  .requiredOption('--person <id>', 'roster id of whom the token acts as')
  .option('--label <text>', 'where it is used (laptop, pager…)', '')
  .action(async (o) => {
    const roster = loadRoster(config.rosterPath);
    if (!roster.people.some((p) => p.id === o.person))
      throw new UsageError(
        `'${o.person}' is not on the roster (${config.rosterPath}); people: ${roster.people.map((p) => p.id).join(', ')}`,
      );
    const { credential, secret } = await withPool((pool) => createCredential(pool, 'person', o.person, o.label));
    console.error(`token ${credential.id} for ${o.person}: shown once, keep it in DBOPS_TOKEN or a 0600 file (${DEFAULT_TOKEN_FILE})`);
    console.log(secret);
  });
token.command('list').action(async () => printCredentials(await withPool((pool) => listCredentials(pool, 'person'))));
token
  .command('revoke <id>')
  .description('refuse the token from now on (the row stays, for the audit)')
  .action(async (id: string) => {
    if (!/^\d{1,15}$/.test(id)) throw new UsageError(`'${id}' is not a credential id (a number, as listed)`);
    if (!(await withPool((pool) => revokeCredential(pool, Number(id), 'person')))) throw new UsageError(`no live token with id '${id}'`);
    console.log(`credential ${id} revoked`);
  });

const integration = program.command('integration').description("alert sources' keys for POST /alerts (kept as hashes in the audit store)");
integration
  .command('create <name>')
  .option('--label <text>', 'what sends with it', '')
  .action(async (name: string, o) => {
    if (!INTEGRATION_NAME.test(name)) throw new UsageError(`integration name '${name}': lowercase letters, digits, . _ - (at most 48)`);
    const { credential, secret } = await withPool((pool) => createCredential(pool, 'integration', name, o.label));
    console.error(
      `key ${credential.id} for integration '${name}': shown once. Send it as Authorization: Bearer <key>, or sign with ` +
        `HMAC-SHA256 keyed with sha256hex(key) over "<unix seconds>.<body>" (headers x-dbops-integration, x-dbops-timestamp, x-dbops-signature: sha256=<hex>)`,
    );
    console.log(secret);
  });
integration.command('list').action(async () => printCredentials(await withPool((pool) => listCredentials(pool, 'integration'))));
integration
  .command('revoke <id>')
  .description('refuse the key from now on (the row stays, for the audit)')
  .action(async (id: string) => {
    if (!/^\d{1,15}$/.test(id)) throw new UsageError(`'${id}' is not a credential id (a number, as listed)`);
    if (!(await withPool((pool) => revokeCredential(pool, Number(id), 'integration'))))
      throw new UsageError(`no live integration key with id '${id}'`);
    console.log(`credential ${id} revoked`);
  });

program
  .command('setup')
  .description("register dbops' search attributes on a Temporal server you run (TEMPORAL_ADDRESS); idempotent")
  .action(async () => {
    if (!runtime.temporalAddress) throw new UsageError('no Temporal server: set TEMPORAL_ADDRESS');
    const connection = await Connection.connect({ address: runtime.temporalAddress });
    try {
      await registerSearchAttributes(connection, config.temporal.namespace);
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
    const rows = await withPool((pool) => slaReport(pool, Number(o.days)));
    console.table(rows);
  });

// `dbops … | head` closes the pipe early: that is the reader being done, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

program.parseAsync().catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof InvalidRequestError || err instanceof IncidentRefError || err instanceof ApiError)
    console.error(`dbops: ${err.message}`);
  else if (err instanceof WorkflowUpdateFailedError) console.error(`dbops: refused: ${(err.cause as Error)?.message ?? err.message}`);
  else console.error(`dbops: ${(err as Error)?.message ?? err}`);
  process.exitCode = 1;
});
