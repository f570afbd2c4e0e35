import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isTimeZone } from '../runbooks/calendar';
import { CHECKLIST_IDS, INCIDENT_TYPE_IDS, TIERS, type ChecklistId } from '../runbooks/types';
import { parseSecretKeys } from './secretKeys';

const CHECKLIST_TIME = `(${CHECKLIST_IDS.join('|')})=([01]\\d|2[0-3]):[0-5]\\d`;
const CHECKLIST_TIMES_PATTERN = new RegExp(`^${CHECKLIST_TIME}(,${CHECKLIST_TIME})*$`);

/** Every setting dbops reads from the environment, with its default. The README lists the same table. */
const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('dbops'),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_UI_PORT: z.coerce.number().int().positive().default(8233),
  TEMPORAL_PORT: z.coerce.number().int().positive().default(7233),
  TEMPORAL_SERVER_PATH: z.string().optional(),
  TEMPORAL_SQL_TOOL_PATH: z.string().optional(),
  DBOPS_WORKFLOW_BUNDLE: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  DBOPS_DATA_DIR: z.string().default('.dbops'),
  DBOPS_TIMEZONE: z.string().default('UTC'),
  DBOPS_ROSTER: z.string().default('config/roster.example.json'),
  DBOPS_ROUTING: z.string().optional(),
  DBOPS_RUNBOOK_FILE: z.string().optional(),
  DBOPS_SCHEDULES: z.string().optional(),
  DBOPS_INTAKE_PORT: z.coerce.number().int().nonnegative().default(8088),
  DBOPS_INTAKE_HOST: z.string().default('127.0.0.1'),
  DBOPS_INTAKE_KEY: z
    .string()
    .regex(/^dbops_key_[A-Za-z0-9_-]{32,}$/, "'dbops_key_' and at least 32 base64url characters (dbops integration create prints one)")
    .optional(),
  DBOPS_API_URL: z.string().url().optional(),
  DBOPS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
  DBOPS_API_DEADLINE_SECONDS: z.coerce.number().min(0.1, 'at least 0.1').max(120, 'at most 120').default(5),
  DBOPS_TLS_CERT: z.string().optional(),
  DBOPS_TLS_KEY: z.string().optional(),
  DBOPS_BEHIND_TLS_PROXY: z.enum(['true', 'false']).default('false'),
  DBOPS_WEBHOOK_URL: z.string().url().optional(),
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_TLS: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_FROM: z.string().min(3).optional(),
  SMTP_CA_FILE: z.string().min(1).optional(),
  DBOPS_SIGNED_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL' }).optional(),
  DBOPS_SIGNED_WEBHOOK_SECRET: z.string().min(32, 'at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  DBOPS_LINK_SECRET: z.string().min(32, 'at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  DBOPS_SECRET_KEY: z.string().optional(),
  DBOPS_SECRET_KEY_FILE: z.string().optional(),
  DBOPS_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'an http(s) URL where people reach the dbops API' }).optional(),
  DBOPS_LINK_TTL_HOURS: z.coerce.number().positive().max(720, 'at most 720 (30 days)').default(24),
  DBOPS_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  DBOPS_OUTBOX_LEASE_SECONDS: z.coerce.number().min(1, 'at least 1').max(3600, 'at most 3600').default(60),
  DBOPS_OUTBOX_FLUSH_SECONDS: z.coerce.number().min(0.5, 'at least 0.5').max(300, 'at most 300').default(10),
  DBOPS_WORKER_ACTIVITIES_PER_SECOND: z.coerce.number().positive('a number above 0').max(100_000).optional(),
  DBOPS_ADMIN_STATUS_URL: z.string().url().optional(),
  DBOPS_FAILOVER_COMMAND: z.string().optional(),
  DBOPS_FAILOVER_URL: z.string().url().optional(),
  DBOPS_BACKUP_CHECK_COMMAND: z.string().optional(),
  DBOPS_TIER_OLTP_URL: z.string().optional(),
  DBOPS_TIER_CONTENT_URL: z.string().optional(),
  DBOPS_TIER_QUEUE_URL: z.string().optional(),
  DBOPS_TIER_OLAP_URL: z.string().optional(),
  DBOPS_WORKDAYS: z
    .string()
    .regex(/^[1-7](,[1-7])*$/, 'comma-separated ISO weekdays, 1 = Monday … 7 = Sunday')
    .default('1,2,3,4,5'),
  DBOPS_DAY_START_HOUR: z.coerce.number().int().min(0).max(23).default(9),
  DBOPS_SLOW_QUERY_SECONDS: z.coerce.number().positive().default(5),
  DBOPS_POOL_USAGE_PERCENT: z.coerce.number().positive().max(100).default(90),
  DBOPS_QUEUE_BACKLOG: z.coerce.number().int().positive().default(100),
  DBOPS_STORAGE_GROWTH_PERCENT: z.coerce.number().positive().default(10),
  DBOPS_ALLOWED_SUPERUSERS: z.string().optional(),
  DBOPS_ALLOWED_CIDRS: z.string().default('127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16'),
  DBOPS_CHECKLIST_TIMES: z
    .string()
    .regex(
      CHECKLIST_TIMES_PATTERN,
      `checklist=HH:MM pairs for ${CHECKLIST_IDS.join(', ')}, e.g. morning=09:00,midday=13:00,end-of-day=17:00`,
    )
    .optional(),
  DBOPS_CHECKLISTS: z.string().optional(),
  DBOPS_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:]+:\d+$/, 'host:port, e.g. 0.0.0.0:9464')
    .optional(),
  /** Days after which a runbook without a drill is listed as overdue (`dbops report`, docs/drills.md). */
  DBOPS_DRILL_OVERDUE_DAYS: z.coerce.number().int('a whole number of days').min(1, 'at least 1').max(3660, 'at most 3660').default(90),
  /** The monthly drill Schedule, off unless set: TYPE@TIER, comma-separated (docs/drills.md). */
  DBOPS_MONTHLY_DRILLS: z
    .string()
    .regex(/^[a-z-]+@[a-z]+(,[a-z-]+@[a-z]+)*$/, 'TYPE@TIER, comma-separated, e.g. database-outage@oltp')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof loadConfig>;

export const DEFAULT_ROUTING_FILE = 'config/routing.example.json';
export const DEFAULT_RUNBOOK_FILE = 'config/runbook.yaml';

/** A setting that cannot be used: its message is one line naming the variable (every entry point prints it without a stack). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  // A variable set to '' is unset: docker compose passes `${X:-}` as '' for every option left out.
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DBOPS_DATA_DIR);
  if (!isTimeZone(e.DBOPS_TIMEZONE))
    throw new ConfigError(
      `invalid configuration: DBOPS_TIMEZONE: '${e.DBOPS_TIMEZONE}' is not an IANA time zone (e.g. UTC, Europe/Berlin)`,
    );
  const linkTtlMs = e.DBOPS_LINK_TTL_HOURS * 3_600_000;
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      cliPath: e.TEMPORAL_CLI_PATH,
      port: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      serverPath: e.TEMPORAL_SERVER_PATH,
      sqlToolPath: e.TEMPORAL_SQL_TOOL_PATH,
    },
    workflowBundle: e.DBOPS_WORKFLOW_BUNDLE ? path.resolve(e.DBOPS_WORKFLOW_BUNDLE) : undefined,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    cacheDir: path.join(dataDir, 'cache'),
    timeZone: e.DBOPS_TIMEZONE,
    rosterPath: path.resolve(e.DBOPS_ROSTER),
    /** The on-call schedules file; unset: every role is held by its people on the roster. */
    schedulesPath: e.DBOPS_SCHEDULES ? path.resolve(e.DBOPS_SCHEDULES) : undefined,
    /** The alert routing file; unset: config/routing.example.json when present, else the built-in routing. */
    routingPath: path.resolve(e.DBOPS_ROUTING ?? DEFAULT_ROUTING_FILE),
    routingRequired: e.DBOPS_ROUTING !== undefined,
    /** The runbook file (docs/runbook.md); unset: config/runbook.yaml when present, else the runbook built into dbops. */
    runbookPath: path.resolve(e.DBOPS_RUNBOOK_FILE ?? DEFAULT_RUNBOOK_FILE),
    runbookRequired: e.DBOPS_RUNBOOK_FILE !== undefined,
    intakePort: e.DBOPS_INTAKE_PORT,
    intakeHost: e.DBOPS_INTAKE_HOST,
    intakeKey: e.DBOPS_INTAKE_KEY,
    /** Where the CLI reaches the dbops API (default: this machine's intake port). */
    apiUrl: e.DBOPS_API_URL ?? `http://127.0.0.1:${e.DBOPS_INTAKE_PORT}`,
    rateLimitPerMinute: e.DBOPS_RATE_LIMIT_PER_MINUTE,
    /** How long an API request may wait on Temporal and the audit store before it answers 503 with Retry-After. */
    apiDeadlineMs: Math.round(e.DBOPS_API_DEADLINE_SECONDS * 1000),
    tls: listeningSecurity(e.DBOPS_INTAKE_HOST, e.DBOPS_TLS_CERT, e.DBOPS_TLS_KEY, e.DBOPS_BEHIND_TLS_PROXY === 'true'),
    webhookUrl: e.DBOPS_WEBHOOK_URL,
    smtp: smtpSettings(e),
    signedWebhook: signedWebhookSettings(e),
    /** DBOPS_LINK_TTL_HOURS, for whoever signs links (npm start's demo signs them without DBOPS_LINK_SECRET). */
    pageLinkTtlMs: linkTtlMs,
    /** Where people reach the dbops API and its console (DBOPS_PUBLIC_URL, else DBOPS_API_URL): pages link the incident there, calendar feed URLs start with it. */
    publicUrl: e.DBOPS_PUBLIC_URL ?? e.DBOPS_API_URL ?? `http://127.0.0.1:${e.DBOPS_INTAKE_PORT}`,
    /** Signed ack/open links in pages; absent without DBOPS_LINK_SECRET (pages then carry no links). */
    pageLinks: e.DBOPS_LINK_SECRET
      ? {
          secret: e.DBOPS_LINK_SECRET,
          publicUrl: e.DBOPS_PUBLIC_URL ?? e.DBOPS_API_URL ?? `http://127.0.0.1:${e.DBOPS_INTAKE_PORT}`,
          ttlMs: linkTtlMs,
        }
      : undefined,
    /** Keys the store does not hold, sealing what it keeps recoverable (integrations' signing keys); absent: none. */
    secretKeys: secretKeySettings(e, dataDir),
    notifyMaxAttempts: e.DBOPS_NOTIFY_MAX_ATTEMPTS,
    /**
     * How long a worker's claim on a notification holds: a page whose worker died mid-delivery is sent again by
     * another worker once it has run out, at its next flush (every outboxFlushMs). Longer than the slowest channel's
     * timeout plus 5 s, so a slow delivery is never sent twice.
     */
    outboxLeaseMs: Math.round(e.DBOPS_OUTBOX_LEASE_SECONDS * 1000),
    outboxFlushMs: Math.round(e.DBOPS_OUTBOX_FLUSH_SECONDS * 1000),
    /** Over the worker's default (DEFAULT_TUNING): main-queue activities started a second, per worker process. */
    workerActivitiesPerSecond: e.DBOPS_WORKER_ACTIVITIES_PER_SECOND,
    adminStatusUrl: e.DBOPS_ADMIN_STATUS_URL,
    failover: { command: e.DBOPS_FAILOVER_COMMAND, url: e.DBOPS_FAILOVER_URL },
    backupCheckCommand: e.DBOPS_BACKUP_CHECK_COMMAND,
    tierUrls: {
      oltp: e.DBOPS_TIER_OLTP_URL,
      content: e.DBOPS_TIER_CONTENT_URL,
      queue: e.DBOPS_TIER_QUEUE_URL,
      olap: e.DBOPS_TIER_OLAP_URL,
    },
    calendar: { timeZone: e.DBOPS_TIMEZONE, workdays: e.DBOPS_WORKDAYS.split(',').map(Number), dayStartHour: e.DBOPS_DAY_START_HOUR },
    thresholds: {
      slowQuerySeconds: e.DBOPS_SLOW_QUERY_SECONDS,
      poolUsagePercent: e.DBOPS_POOL_USAGE_PERCENT,
      poolWarnPercent: Math.min(75, e.DBOPS_POOL_USAGE_PERCENT),
      queueBacklog: e.DBOPS_QUEUE_BACKLOG,
      storageGrowthPercent: e.DBOPS_STORAGE_GROWTH_PERCENT,
    },
    allowedSuperusers: e.DBOPS_ALLOWED_SUPERUSERS?.split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    allowedCidrs: e.DBOPS_ALLOWED_CIDRS.split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    checklistTimes: Object.fromEntries(
      (e.DBOPS_CHECKLIST_TIMES ?? '')
        .split(',')
        .filter(Boolean)
        .map((pair) => pair.split('=')),
    ) as Partial<Record<ChecklistId, string>>,
    checklistsFile: e.DBOPS_CHECKLISTS,
    metricsAddress: e.DBOPS_METRICS_ADDRESS,
    drillOverdueDays: e.DBOPS_DRILL_OVERDUE_DAYS,
    monthlyDrills: monthlyDrills(e.DBOPS_MONTHLY_DRILLS),
    logLevel: e.LOG_LEVEL,
  };
}

type Env = z.infer<typeof EnvSchema>;

/** DBOPS_MONTHLY_DRILLS as runbook and tier pairs; empty (no Schedule) unless set. */
function monthlyDrills(value: string | undefined): { type: string; tier: string }[] {
  const drills = (value ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [type, tier] = pair.split('@');
      return { type, tier };
    });
  const drillable = INCIDENT_TYPE_IDS.filter((t) => t !== 'unclassified') as readonly string[];
  for (const d of drills) {
    if (!drillable.includes(d.type))
      throw new ConfigError(`invalid configuration: DBOPS_MONTHLY_DRILLS: '${d.type}' is not a runbook (one of ${drillable.join(', ')})`);
    if (!(TIERS as readonly string[]).includes(d.tier))
      throw new ConfigError(`invalid configuration: DBOPS_MONTHLY_DRILLS: '${d.tier}' is not a tier (one of ${TIERS.join(', ')})`);
  }
  return drills;
}

/** E-mail is on when SMTP_HOST is set; it then needs SMTP_FROM, and a user needs a password. */
function smtpSettings(e: Env) {
  if (!e.SMTP_HOST) {
    if (e.SMTP_FROM || e.SMTP_USER) throw new ConfigError('invalid configuration: SMTP_HOST: required when SMTP_FROM or SMTP_USER is set');
    return undefined;
  }
  if (!e.SMTP_FROM) throw new ConfigError("invalid configuration: SMTP_FROM: required with SMTP_HOST (e.g. 'dbops <dbops@example.com>')");
  if (e.SMTP_USER && !e.SMTP_PASSWORD) throw new ConfigError('invalid configuration: SMTP_PASSWORD: required with SMTP_USER');
  if (e.SMTP_CA_FILE && !isReadableFile(e.SMTP_CA_FILE))
    throw new ConfigError(
      `invalid configuration: SMTP_CA_FILE: '${e.SMTP_CA_FILE}' is not a readable file (PEM certificates of the relay's CA)`,
    );
  return {
    host: e.SMTP_HOST,
    port: e.SMTP_PORT,
    tls: e.SMTP_TLS,
    user: e.SMTP_USER,
    password: e.SMTP_PASSWORD,
    from: e.SMTP_FROM,
    caFile: e.SMTP_CA_FILE,
  };
}

/** Signed webhooks (the team's URL, and people's own in the roster) need the secret they are signed with. */
function signedWebhookSettings(e: Env) {
  if (e.DBOPS_SIGNED_WEBHOOK_URL && !e.DBOPS_SIGNED_WEBHOOK_SECRET)
    throw new ConfigError('invalid configuration: DBOPS_SIGNED_WEBHOOK_SECRET: required with DBOPS_SIGNED_WEBHOOK_URL');
  return e.DBOPS_SIGNED_WEBHOOK_SECRET ? { url: e.DBOPS_SIGNED_WEBHOOK_URL, secret: e.DBOPS_SIGNED_WEBHOOK_SECRET } : undefined;
}

/** The file npm start keeps its generated key in; read when present and no other key is given. */
export const secretKeyFileIn = (dataDir: string) => path.join(dataDir, 'secret-key');

/**
 * DBOPS_SECRET_KEY, or the file DBOPS_SECRET_KEY_FILE names (default: <data dir>/secret-key when it exists), which
 * only its owner may read: a key anyone on the machine can read is no better than one in the store.
 */
function secretKeySettings(e: Env, dataDir: string) {
  if (e.DBOPS_SECRET_KEY && e.DBOPS_SECRET_KEY_FILE)
    throw new ConfigError('invalid configuration: DBOPS_SECRET_KEY and DBOPS_SECRET_KEY_FILE: set one of them, not both');
  try {
    if (e.DBOPS_SECRET_KEY) return parseSecretKeys(e.DBOPS_SECRET_KEY, 'DBOPS_SECRET_KEY');
    const file = e.DBOPS_SECRET_KEY_FILE ?? secretKeyFileIn(dataDir);
    if (!e.DBOPS_SECRET_KEY_FILE && !fs.existsSync(file)) return undefined;
    if (!isReadableFile(file)) throw new Error(`DBOPS_SECRET_KEY_FILE: '${file}' is not a readable file`);
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) throw new Error(`DBOPS_SECRET_KEY_FILE: '${file}' may be read by others (mode ${mode.toString(8)}); chmod 600 it`);
    return parseSecretKeys(fs.readFileSync(file, 'utf8'), `DBOPS_SECRET_KEY_FILE ('${file}')`);
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/**
 * Tokens and keys travel in headers, so the API listens on loopback unless it serves TLS itself or is declared to
 * sit behind a TLS-terminating proxy: a non-loopback address without either is a configuration error.
 */
function listeningSecurity(host: string, cert: string | undefined, key: string | undefined, behindProxy: boolean) {
  if (Boolean(cert) !== Boolean(key))
    throw new ConfigError('invalid configuration: DBOPS_TLS_CERT and DBOPS_TLS_KEY are set together (PEM files), or neither');
  if (!LOOPBACK.test(host) && !cert && !behindProxy)
    throw new ConfigError(
      `invalid configuration: DBOPS_INTAKE_HOST '${host}' is not loopback; set DBOPS_TLS_CERT and DBOPS_TLS_KEY, ` +
        'or DBOPS_BEHIND_TLS_PROXY=true when a TLS proxy in front of it is the only way in',
    );
  return cert && key ? { cert, key } : undefined;
}

function isReadableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
