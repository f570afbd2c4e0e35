import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPortOpen } from '../../dev/provision/processes';
import { devServerPid, startService } from '../support/npmStart';
import { signedAlertHeaders } from '../support/api';

/**
 * `npm start` as a newcomer runs it: the service comes up with its UI and intake, and one Ctrl-C to the terminal's
 * process group stops everything it started.
 */
describe('npm start', () => {
  it('comes up, answers on the printed addresses, and Ctrl-C leaves no server behind', { timeout: 120_000 }, async () => {
    const service = await startService();
    const { port, uiPort, intakePort, dataDir, pidFile } = service;
    try {
      await service.running();
      expect(service.output).toContain(`Temporal UI     http://127.0.0.1:${uiPort}`);
      // The demo's weekly on-call rotation and its one override: who is on call, until when, and who then.
      expect(service.output).toMatch(/On call now {4}(Oscar Kim|Bea Novak) \(weekly\) until \d\d:\d\d UTC, \w{3} \d{1,2} \w{3} \(UTC\)\n/);
      expect(service.output).toMatch(/Then {11}(Oscar Kim|Bea Novak) \((override|weekly)\) until /);
      expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
      // The intake key and the demo people's tokens are kept for their owner only, and printed ready to paste.
      const credentialsFile = path.join(dataDir, 'credentials.json');
      expect((fs.statSync(credentialsFile).mode & 0o777).toString(8)).toBe('600');
      const { intakeKey, tokens } = JSON.parse(fs.readFileSync(credentialsFile, 'utf8'));
      expect(service.output).toContain(`export DBOPS_TOKEN=${tokens.dana}`);
      expect(service.output).toContain(`authorization: Bearer ${intakeKey}`);
      // The console, at the printed address: a person is sent to sign in, where a personal token is asked for.
      expect(service.output).toContain(`Console         http://127.0.0.1:${intakePort}/   sign in with a personal token`);
      const signIn = await fetch(`http://127.0.0.1:${intakePort}/`);
      expect(signIn.url).toBe(`http://127.0.0.1:${intakePort}/console/sign-in?return=%2F`);
      expect(await signIn.text()).toContain('<label for="token">Personal token</label>');
      const unkeyed = await fetch(`http://127.0.0.1:${intakePort}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'database-outage', tier: 'oltp', fingerprint: 'start-test' }),
      });
      expect(unkeyed.status).toBe(401);
      const alert = await fetch(`http://127.0.0.1:${intakePort}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${intakeKey}` },
        body: JSON.stringify({ type: 'database-outage', tier: 'oltp', fingerprint: 'start-test' }),
      });
      expect(alert.status).toBe(202);
      // The intake key signs too: its signing key is sealed with a generated secret key kept outside the store (0600).
      expect((fs.statSync(path.join(dataDir, 'secret-key')).mode & 0o777).toString(8)).toBe('600');
      const body = JSON.stringify({ type: 'database-outage', tier: 'oltp', fingerprint: 'start-test-signed' });
      const signed = await fetch(`http://127.0.0.1:${intakePort}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedAlertHeaders(intakeKey, body, undefined, 'default') },
        body,
      });
      expect(signed.status).toBe(202);
      // The demo incident's page is mailed to the demo mailbox, which prints its acknowledge link; following it
      // (the confirmation page's button) acknowledges the demo incident as the mail's person.
      for (let i = 0; i < 300 && !/acknowledge: (\S+)/.test(service.output); i++) await new Promise((r) => setTimeout(r, 100));
      const ackLink = /demo mailbox: to (\S+): \[MEDIUM\] Demo: slow dashboards on OLAP · level 1 · INC-\S+\n\s+acknowledge: (\S+)/.exec(
        service.output,
      );
      expect(ackLink, service.output).not.toBeNull();
      expect(ackLink![2]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${intakePort}/links/ack/`));
      const mails = fs.readdirSync(path.join(dataDir, 'mailbox'));
      expect(mails.some((m) => m.endsWith(`${ackLink![1]}.eml`))).toBe(true);
      for (const m of mails) expect((fs.statSync(path.join(dataDir, 'mailbox', m)).mode & 0o777).toString(8)).toBe('600');
      // Pressed as a person does: a 503 (a loaded machine kept the worker past the API's deadline) says to press again.
      let acked = await fetch(ackLink![2], { method: 'POST' });
      for (let tries = 1; acked.status === 503 && tries < 4; tries++) {
        await acked.arrayBuffer();
        await new Promise((r) => setTimeout(r, 1000 * Number(acked.headers.get('retry-after') ?? 5)));
        acked = await fetch(ackLink![2], { method: 'POST' });
      }
      const ackedPage = await acked.text();
      expect(acked.status, ackedPage).toBe(200);
      expect(ackedPage).toMatch(/Acknowledged INC-.*Acknowledged as <strong>/s);
      expect(fs.existsSync(pidFile)).toBe(true);
      // Temporal's state (every incident's history) is readable by its owner only, its WAL too.
      const sqlite = path.join(dataDir, 'temporal.sqlite');
      expect(fs.existsSync(sqlite)).toBe(true);
      for (const file of [sqlite, `${sqlite}-wal`].filter((f) => fs.existsSync(f)))
        expect((fs.statSync(file).mode & 0o777).toString(8), file).toBe('600');

      process.kill(-service.child.pid!, 'SIGINT');
      const code = await service.exited;
      expect(code, service.output).toBe(0);
      expect(service.output).toContain('dbops stopped.');
      expect(await isPortOpen(port)).toBe(false);
      expect(await isPortOpen(uiPort)).toBe(false);
      expect(await isPortOpen(intakePort)).toBe(false);
      expect(fs.existsSync(pidFile)).toBe(false); // PostgreSQL removes it when it shuts down
      expect(fs.existsSync(path.join(dataDir, 'runtime.json'))).toBe(false);
    } finally {
      service.cleanUp();
    }
  });

  it('says so and stops everything when the dev server dies under it', { timeout: 120_000 }, async () => {
    const service = await startService();
    try {
      await service.running();
      process.kill(devServerPid(service.port), 'SIGKILL');
      const code = await Promise.race([service.exited, new Promise((r) => setTimeout(() => r('still running'), 60_000))]);
      expect(code, service.output).toBe(1);
      expect(service.output).toMatch(/the Temporal dev server \(pid \d+\) exited unexpectedly \(signal SIGKILL\).*stopping dbops/);
      expect(service.output).toContain('dbops stopped.');
      expect(await isPortOpen(service.intakePort)).toBe(false);
      expect(fs.existsSync(service.pidFile)).toBe(false);
    } finally {
      service.cleanUp();
    }
  });
});
