import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildCli, CLI_BUNDLE } from '../../client/cli/buildCli';
import { createTestDatabase, type TestDatabase } from '../support/database';

const BIN = path.resolve(__dirname, '../../bin/dbops');

/** bin/dbops under `sh -x`, whose trace on stderr shows which program the launcher exec'd. */
function launch(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-x', BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
const RUNS_BUNDLE = /exec node \S+\/dist\/cli\/main\.js/;
const RUNS_SOURCE = /exec node --import \S+\/tsx\/dist\/loader\.mjs \S+\/client\/cli\/main\.ts/;

describe('the CLI bundle `npm run build` makes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('clibundle');
    await buildCli();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('is what bin/dbops runs while it is current, and it loads each command when it runs', async () => {
    const help = await launch(['--help']);
    expect(help.stderr).toMatch(RUNS_BUNDLE);
    expect(help.stdout).toMatch(/Usage: dbops \[options\] \[command\]/);
    // Commands whose modules the bundle loads lazily: the audit store's token list, and Temporal's schedules list.
    const tokens = await launch(['token', 'list'], { DATABASE_URL: db.url });
    expect(tokens.stderr).toMatch(RUNS_BUNDLE);
    expect(tokens.code, tokens.stderr).toBe(0);
    const schedules = await launch(['schedules', 'list'], { TEMPORAL_ADDRESS: inject('devServerAddress') });
    expect(schedules.stderr).toMatch(RUNS_BUNDLE);
    expect(schedules.code, schedules.stderr).toBe(0);
    const refused = await launch(['incident', 'list', '--limit', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--limit <n>.*a whole number from 1 to 1000/);
  });

  it('person-facing commands, which go through the dbops API, load neither the Temporal client nor pg', async () => {
    // Node's module debug log names every package a command requires; the admin command shows the check can see one.
    const loaded = async (args: string[]) => {
      const run = await launch(args, { NODE_DEBUG: 'module', DBOPS_API_URL: 'http://127.0.0.1:9', DBOPS_TOKEN: 'unused' });
      expect(run.stderr).toMatch(RUNS_BUNDLE);
      return [...run.stderr.matchAll(/Module\._load REQUEST (@temporalio\/client|pg) /g)].map((m) => m[1]);
    };
    for (const args of [['incident', 'list'], ['incident', 'show', 'INC-1'], ['audit', 'show', 'INC-1'], ['report'], ['oncall']]) {
      expect(await loaded(args), args.join(' ')).toEqual([]);
    }
    expect(await loaded(['schedules', 'list'])).toContain('@temporalio/client');
  });

  it('is passed over for the sources once any file it was built from is newer, or when asked', async () => {
    const built = fs.statSync(CLI_BUNDLE).mtime;
    try {
      const past = new Date(Date.now() - 86_400_000 * 365 * 20);
      fs.utimesSync(CLI_BUNDLE, past, past);
      const stale = await launch(['--help']);
      expect(stale.stderr).toMatch(RUNS_SOURCE);
      expect(stale.stdout).toMatch(/Usage: dbops/);
    } finally {
      fs.utimesSync(CLI_BUNDLE, built, built);
    }
    const asked = await launch(['--help'], { DBOPS_CLI_FROM_SOURCE: '1' });
    expect(asked.stderr).toMatch(RUNS_SOURCE);
    expect((await launch(['--help'])).stderr).toMatch(RUNS_BUNDLE);
  });
});
