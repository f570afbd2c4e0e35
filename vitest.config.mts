import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Two cores: files run one or two at a time so the Java test server comes up inside the SDK's 5 s.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      // Pure code (runbook, calendar, hash chain): no server needed, runs in seconds.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // Real parts: PostgreSQL, the Temporal dev server and the time-skipping test server, started once per run.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Real clients, provisioned once like the Temporal CLI: Alertmanager (built with Go) sends alerts in, Chromium
          // (Debian's package) follows a page's ack link, tmux (Debian's package) shows the CLI's output on a terminal's screen.
          globalSetup: ['test/support/globalSetup.ts', 'test/support/alertmanagerSetup.ts', 'test/support/debianToolsSetup.ts'],
        },
      },
      // Faults on real parts: worker processes killed and stopped, channels and servers down; proves no incident goes silent.
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          // After the integration tests, not beside them: on 2 cores, faults timed against a loaded machine flake.
          sequence: { groupOrder: 1 },
          globalSetup: ['test/support/globalSetup.ts'],
          testTimeout: 180_000,
        },
      },
      // The production shape (the real Temporal server on PostgreSQL, several dbops processes): heavy, so it runs
      // after the other projects, never beside them. The first run builds the server with Go (about 5 minutes).
      {
        extends: true,
        test: {
          name: 'production',
          include: ['test/production/**/*.test.ts'],
          sequence: { groupOrder: 2 },
          testTimeout: 10 * 60_000,
          hookTimeout: 15 * 60_000,
        },
      },
    ],
  },
});
