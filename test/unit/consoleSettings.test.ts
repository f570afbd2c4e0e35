import { describe, expect, it } from 'vitest';
import { consoleSettingsFromEnv, ConsoleSettingsError } from '../../client/console/consoleSettings';

const noFile = (file: string): string => {
  throw Object.assign(new Error(`ENOENT ${file}`), { code: 'ENOENT' });
};

describe('the console’s settings from the environment', () => {
  it('reads the OpenID Provider, its client and how identities match the roster; the secret may come from a file', () => {
    const env = { DBOPS_OIDC_ISSUER: 'https://id.example.com/', DBOPS_OIDC_CLIENT_ID: 'dbops', DBOPS_OIDC_CLIENT_SECRET_FILE: '/s' };
    expect(consoleSettingsFromEnv(env, () => 's3cret\n')).toEqual({
      oidc: { issuer: 'https://id.example.com', clientId: 'dbops', clientSecret: 's3cret', match: 'email' },
    });
    expect(consoleSettingsFromEnv({}, noFile)).toEqual({});
  });

  it.each([
    [{ DBOPS_OIDC_ISSUER: 'https://id.example.com' }, 'DBOPS_OIDC_CLIENT_ID is required'],
    [
      { DBOPS_OIDC_ISSUER: 'https://id.example.com', DBOPS_OIDC_CLIENT_ID: 'x' },
      'DBOPS_OIDC_CLIENT_SECRET (or DBOPS_OIDC_CLIENT_SECRET_FILE) is required',
    ],
    [
      { DBOPS_OIDC_ISSUER: 'id.example.com', DBOPS_OIDC_CLIENT_ID: 'x', DBOPS_OIDC_CLIENT_SECRET: 'y' },
      'DBOPS_OIDC_ISSUER must be an http(s) URL',
    ],
    [
      { DBOPS_OIDC_ISSUER: 'https://id.example.com', DBOPS_OIDC_CLIENT_ID: 'x', DBOPS_OIDC_CLIENT_SECRET: 'y', DBOPS_OIDC_MATCH: 'name' },
      "DBOPS_OIDC_MATCH must be 'email' or 'subject'",
    ],
    [
      { DBOPS_OIDC_ISSUER: 'https://id.example.com', DBOPS_OIDC_CLIENT_ID: 'x', DBOPS_OIDC_CLIENT_SECRET_FILE: '/nope' },
      "cannot read '/nope' (ENOENT)",
    ],
    [{ DBOPS_CONSOLE_URL: 'ftp://x' }, 'DBOPS_CONSOLE_URL must be an http(s) URL'],
  ])('a mistake is one line naming the variable: %j', (env, message) => {
    let thrown: unknown;
    try {
      consoleSettingsFromEnv(env, noFile);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConsoleSettingsError);
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain('\n');
    expect((thrown as Error).name).toBe('ConfigError');
  });

  it('never puts the client secret in a message', () => {
    expect(() =>
      consoleSettingsFromEnv(
        { DBOPS_OIDC_ISSUER: 'https://x', DBOPS_OIDC_CLIENT_ID: 'x', DBOPS_OIDC_CLIENT_SECRET: 'hunter2', DBOPS_OIDC_MATCH: '?' },
        noFile,
      ),
    ).toThrow(/^(?!.*hunter2)/);
  });
});
