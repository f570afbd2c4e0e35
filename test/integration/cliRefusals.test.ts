import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../dev/provision/processes';
import { dbops } from '../support/cli';
import { createTestDatabase, type TestDatabase } from '../support/database';

/** Nothing listens on port 1: a command that tried to reach a server would fail with a connection error instead. */
const NOWHERE = { TEMPORAL_ADDRESS: '127.0.0.1:1', DATABASE_URL: 'postgres://dbops:x@127.0.0.1:1/dbops', LOG_LEVEL: 'silent' };

describe('the CLI refuses text the audit store cannot hold, before reaching any server', () => {
  const INC = 'INC-20260101-0123abcd';
  it.each([
    ['an over-long --note', ['incident', 'ack', INC, '--note', 'n'.repeat(4001)], /--note: note is 4001 characters long; at most 4000/],
    ['an over-long --text', ['incident', 'note', INC, '--text', 't'.repeat(4001)], /--text: note is 4001 characters long/],
    [
      '--as, which no command takes any more (the token says who acts)',
      ['incident', 'resolve', INC, '--as', 'dana', '--summary', 'ok'],
      /unknown option '--as'/,
    ],
    ['an over-long --summary', ['incident', 'resolve', INC, '--summary', 's'.repeat(2001)], /--summary: summary is 2001 characters/],
    ['an over-long --reason', ['incident', 'step', 'reject', INC, 'failover', '--reason', 'r'.repeat(2001)], /--reason: reason is 2001/],
    ['an over-long step id', ['incident', 'step', 'complete', INC, 's'.repeat(65)], /<stepId>: stepId is 65 characters/],
    ['an over-long item id', ['checklist', 'sign', 'run-1', 'i'.repeat(65)], /<itemId>: itemId is 65 characters/],
    [
      'an over-long --title',
      ['incident', 'open', '--type', 'database-outage', '--tier', 'oltp', '--title', 't'.repeat(301)],
      /title is 301 characters long; at most 300/,
    ],
    [
      'a misshapen --fingerprint',
      ['incident', 'open', '--type', 'database-outage', '--tier', 'oltp', '--fingerprint', 'two words'],
      /fingerprint: letters, digits/,
    ],
    [
      '--by, which open no longer takes (the token says who opens it)',
      ['incident', 'open', '--type', 'database-outage', '--tier', 'oltp', '--by', 'dana'],
      /unknown option '--by'/,
    ],
    [
      'classify as a type that is not one (unclassified is not a type to classify as)',
      ['incident', 'classify', INC, 'unclassified'],
      /value 'unclassified' is invalid for argument 'type'\. unclassified is not a type to classify as/,
    ],
  ])('%s', async (_label, args, message) => {
    const r = await dbops(args as string[], NOWHERE);
    // A usage error: exit 2, one line and a one-line hint (not the whole help).
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/\nhint: dbops .+ --help shows what it accepts\n$/);
  });

  it('dbops policy prints who may do what, one row per rule, naming each rule a refusal would name (policy)', async () => {
    const r = await dbops(['policy'], NOWHERE);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^rule \(action\.when\)\s+who may \(any one\)\s+reason$/);
    expect(lines.find((l) => l.startsWith('lower-severity.unacknowledged-urgent '))).toMatch(/ladder role\s+yes$/);
    expect(r.stdout).toMatch(/unacknowledged-urgent: unacknowledged and critical or high/);
    expect(lines.find((l) => l.startsWith('approve-step'))).toMatch(/step's approver role/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(160);
    expect(r.stdout).not.toMatch(/undefined|\(index\)/);
    const json = JSON.parse((await dbops(['policy', '--json'], NOWHERE)).stdout) as { id: string }[];
    expect(json.map((x) => x.id)).toContain('resolve');
  });

  it('refuses a token file others can read, and names the fix, before reaching any server', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-token-'));
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, `dbops_pat_${'a'.repeat(43)}\n`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    try {
      const env = { ...NOWHERE, DBOPS_TOKEN: '', DBOPS_TOKEN_FILE: file, DBOPS_API_URL: 'http://127.0.0.1:1' };
      const r = await dbops(['incident', 'ack', INC], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(`token file ${file} is readable by others (mode 644): chmod 600 ${file}`);
      // Once only its owner can read it, the CLI sends it (and here finds no API listening).
      fs.chmodSync(file, 0o600);
      const sent = await dbops(['incident', 'ack', INC], env);
      expect(sent.stderr).toMatch(/the dbops API at http:\/\/127.0.0.1:1 could not be reached/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the CLI does not hang or crash on its surroundings', () => {
  // A server that accepts connections and never answers: a stopped (SIGSTOP) or wedged PostgreSQL or Temporal.
  let silent: net.Server;
  let silentPort: number;
  const sockets: net.Socket[] = [];
  let db: TestDatabase;
  beforeAll(async () => {
    silentPort = await freePort();
    silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
    db = await createTestDatabase('cli');
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    silent?.close();
    await db?.drop();
  });

  it('gives up on an audit store that does not answer, saying so, instead of waiting forever', async () => {
    const started = Date.now();
    const r = await dbops(['token', 'list'], {
      ...NOWHERE,
      DATABASE_URL: `postgres://dbops:x@127.0.0.1:${silentPort}/dbops`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dbops: the audit store could not be reached .*timeout.*DATABASE_URL/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('gives up on a Temporal server that does not answer, saying so', async () => {
    const started = Date.now();
    const r = await dbops(['schedules', 'list'], { ...NOWHERE, TEMPORAL_ADDRESS: `127.0.0.1:${silentPort}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`dbops: Temporal at 127.0.0.1:${silentPort} could not be reached .*TEMPORAL_ADDRESS`));
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('stops quietly when its reader goes away (dbops … | head)', async () => {
    const env = { ...NOWHERE, DATABASE_URL: db.url };
    const control = await dbops(['token', 'list'], env);
    expect(control.code).toBe(0);
    expect(control.stdout.length).toBeGreaterThan(0);
    const r = await dbops(['token', 'list'], env, { closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
