import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCommands, buildProgram, commandPath } from '../../client/cli/program';
import { dbops } from '../support/cli';

const ROOT = path.resolve(__dirname, '../..');
/** No server listens on port 1: a command that reached for one would fail another way. */
const NOWHERE = {
  DBOPS_API_URL: 'http://127.0.0.1:1',
  DBOPS_TOKEN: 'unused',
  DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
  LOG_LEVEL: 'silent',
};
const BAD_KEY = { DBOPS_INTAKE_KEY: 'not-a-key' };

/** An entry point of dbops as its package script starts it, with `env` over the test's environment. */
function entryPoint(file: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.concurrent('the CLI says what is wrong in one line and exits with the code --help documents', () => {
  it.each([
    [
      'report --days abc',
      ['report', '--days', 'abc'],
      /^dbops: option '--days <n>' argument 'abc' is invalid\. a whole number of days from 1 to 366\.$/,
    ],
    [
      'report --days -3',
      ['report', '--days', '-3'],
      /^dbops: option '--days <n>' argument '-3' is invalid\. a whole number of days from 1 to 366\.$/,
    ],
    ['checklist list --limit 0', ['checklist', 'list', '--limit', '0'], /^dbops: option '--limit <n>' argument '0' is invalid/],
    ['an unknown option', ['incident', 'list', '--colour'], /^dbops: unknown option '--colour'$/],
    [
      'a value not among the choices',
      ['incident', 'list', '--output', 'yaml'],
      /^dbops: option '--output <format>' argument 'yaml' is invalid\. Allowed choices are table, json\.$/,
    ],
    ['a missing argument', ['audit', 'show'], /^dbops: missing required argument 'ref'$/],
  ])('%s: one line and a hint, exit 2, nothing sent', async (_label, args, message) => {
    const r = await dbops(args, NOWHERE);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^hint: dbops [a-z ]+ --help shows what it accepts$/);
    expect(r.stdout).toBe('');
  });

  it('--help documents the exit codes; help asked for exits 0', async () => {
    const r = await dbops(['--help'], NOWHERE);
    expect(r.code).toBe(0);
    const codes = r.stdout.slice(r.stdout.indexOf('Exit codes:'));
    for (const [code, word] of [
      [2, 'usage'],
      [3, 'broken chain'],
      [4, 'refused'],
      [5, 'not found'],
    ] as const)
      expect(codes).toMatch(new RegExp(`^ {2}${code} {2}${word}`, 'm'));
  });

  it('every command and every option has help text', () => {
    const missing: string[] = [];
    for (const command of allCommands(buildProgram())) {
      if (!command.description()) missing.push(commandPath(command));
      for (const option of command.options) if (!option.description) missing.push(`${commandPath(command)} ${option.flags}`);
      for (const argument of command.registeredArguments)
        if (!argument.description) missing.push(`${commandPath(command)} <${argument.name()}>`);
    }
    expect(missing).toEqual([]);
  });

  it('every read command takes --output table|json', () => {
    const reads = [
      'incident list',
      'incident show',
      'audit show',
      'audit verify',
      'checklist show',
      'checklist report',
      'checklist list',
      'report',
      'oncall',
      'oncall schedule',
      'oncall check',
      'override list',
      'policy',
      'schedules list',
      'token list',
      'integration list',
    ];
    const commands = new Map(allCommands(buildProgram()).map((c) => [commandPath(c).replace(/^dbops ?/, ''), c]));
    for (const read of reads)
      expect(commands.get(read)?.options.find((o) => o.long === '--output')?.argChoices, read).toEqual(['table', 'json']);
  });
});

describe.concurrent('a configuration error is one line naming the variable, never a stack trace, in every entry point', () => {
  const oneLineNamingTheKey = (stderr: string) => {
    const lines = stderr.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/invalid configuration: DBOPS_INTAKE_KEY: 'dbops_key_' and at least 32 base64url characters/);
    expect(stderr).not.toMatch(/\n\s+at /);
  };

  it('the CLI', async () => {
    const r = await dbops(['incident', 'list'], { ...NOWHERE, ...BAD_KEY });
    expect(r.code).toBe(1);
    oneLineNamingTheKey(r.stderr);
  });

  it.each([
    ['npm start', 'dev/start.ts'],
    ['the worker', 'workers/main.ts'],
    ['the API', 'client/api/main.ts'],
  ])('%s', async (_label, file) => {
    const r = await entryPoint(file, { ...BAD_KEY, LOG_LEVEL: 'silent' });
    expect(r.code).toBe(1);
    oneLineNamingTheKey(r.stderr);
  });
});
