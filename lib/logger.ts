import pino, { type Logger } from 'pino';
import { logContext } from './logContext';

export type { Logger };

/** Paths whose values never reach a log line: connection strings, passwords, tokens, webhook secrets. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'connectionString',
  '*.connectionString',
  'databaseUrl',
  '*.databaseUrl',
  'url',
  '*.url',
  'webhookUrl',
  '*.webhookUrl',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  // PagerDuty's Events API carries the integration key in the body.
  'routing_key',
  '*.routing_key',
  // SMTP credentials (config.smtp.password is caught above; nodemailer's auth.pass), signing secrets.
  'pass',
  '*.pass',
  'secret',
  '*.secret',
  // The same inside a whole configuration object (pino's wildcards match one level).
  '*.smtp.password',
  '*.pageLinks.secret',
  '*.signedWebhook.secret',
  '*.signedWebhook.url',
  // Keys the store does not hold (DBOPS_SECRET_KEY).
  'secretKeys',
  '*.secretKeys',
];

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const pretty = !options.destination && process.stdout.isTTY && !process.env.CI;
  return pino(
    {
      name: options.name ?? 'dbops',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Inside an activity: its incident and workflow ids on every line (workers/activityLogContext.ts).
      mixin: () => logContext.getStore() ?? {},
      ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } } : {}),
    },
    options.destination,
  );
}

/** Replaces the password of a postgres:// URL so the URL itself can be shown to a person. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
