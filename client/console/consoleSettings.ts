/** The console's configuration: how people sign in, and where its links point. Read from the environment once. */
export interface OidcSettings {
  /** DBOPS_OIDC_ISSUER: the team's OpenID Provider (its discovery document is read from there). */
  issuer: string;
  /** DBOPS_OIDC_CLIENT_ID and DBOPS_OIDC_CLIENT_SECRET (or DBOPS_OIDC_CLIENT_SECRET_FILE): the console's client there. */
  clientId: string;
  clientSecret: string;
  /** DBOPS_OIDC_MATCH: how a signed-in identity finds its roster person: its verified e-mail (default) or its subject = roster id. */
  match: 'email' | 'subject';
}

export interface ConsoleSettings {
  oidc?: OidcSettings;
  /** DBOPS_CONSOLE_URL: the console's public origin (behind a proxy); default: the origin the request came to. */
  publicUrl?: string;
  /** DBOPS_TEMPORAL_UI_URL: the Temporal UI, for each incident's workflow link. */
  temporalUiUrl?: string;
}

/** A configuration mistake, said in one line naming the variable and what it accepts. */
export class ConsoleSettingsError extends Error {
  // Entry points print a ConfigError's message alone, as one line (no stack trace).
  override name = 'ConfigError';
}

const url = (name: string, value: string) => {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
    return value.replace(/\/+$/, '');
  } catch {
    throw new ConsoleSettingsError(`${name} must be an http(s) URL, e.g. https://id.example.com; got '${value.slice(0, 60)}'`);
  }
};

function readSecretFile(file: string, readFile: (path: string) => string): string {
  try {
    return readFile(file).trim();
  } catch (err) {
    throw new ConsoleSettingsError(
      `DBOPS_OIDC_CLIENT_SECRET_FILE: cannot read '${file}' (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** The console's settings from the environment; a mistake is a ConsoleSettingsError naming the variable. */
export function consoleSettingsFromEnv(env: NodeJS.ProcessEnv, readFile: (path: string) => string): ConsoleSettings {
  const settings: ConsoleSettings = {};
  if (env.DBOPS_CONSOLE_URL) settings.publicUrl = url('DBOPS_CONSOLE_URL', env.DBOPS_CONSOLE_URL);
  if (env.DBOPS_TEMPORAL_UI_URL) settings.temporalUiUrl = url('DBOPS_TEMPORAL_UI_URL', env.DBOPS_TEMPORAL_UI_URL);
  if (!env.DBOPS_OIDC_ISSUER) return settings;
  const clientId = env.DBOPS_OIDC_CLIENT_ID;
  if (!clientId)
    throw new ConsoleSettingsError('DBOPS_OIDC_CLIENT_ID is required when DBOPS_OIDC_ISSUER is set (the console’s client id there)');
  const secretFile = env.DBOPS_OIDC_CLIENT_SECRET_FILE;
  const clientSecret = env.DBOPS_OIDC_CLIENT_SECRET ?? (secretFile ? readSecretFile(secretFile, readFile) : undefined);
  if (!clientSecret)
    throw new ConsoleSettingsError('DBOPS_OIDC_CLIENT_SECRET (or DBOPS_OIDC_CLIENT_SECRET_FILE) is required when DBOPS_OIDC_ISSUER is set');
  const match = env.DBOPS_OIDC_MATCH ?? 'email';
  if (match !== 'email' && match !== 'subject')
    throw new ConsoleSettingsError(`DBOPS_OIDC_MATCH must be 'email' or 'subject'; got '${match.slice(0, 40)}'`);
  settings.oidc = { issuer: url('DBOPS_OIDC_ISSUER', env.DBOPS_OIDC_ISSUER), clientId, clientSecret, match };
  return settings;
}
