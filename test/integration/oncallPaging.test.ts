import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../../activities/contracts';
import { signedWebhookChannel } from '../../activities/notify/signedWebhookChannel';
import { openIncident } from '../../client/incidents/openIncident';
import { readIncidentEvents } from '../../db/audit/readEvents';
import { createLogger } from '../../lib/logger';
import { pageLinksFor } from '../../lib/pageLinks';
import { rosterInForce } from '../../lib/rosterInForce';
import { schedulesInForce } from '../../lib/schedules';
import { shiftAt } from '../../runbooks/onCall';
import type { Layer } from '../../runbooks/onCallSchedule';
import { incidentStateQuery, resolveUpdate } from '../../workflows/incident/messages';
import { logOnCallGaps } from '../../workers/onCallGapLog';
import { scratchRosterFile, startTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { calendar, roster, timeSkippingSuite } from '../support/harness';
import { maybeRecordHistory } from '../support/histories';
import { emailChannelTo, startSmtpServer } from '../support/smtpServer';

const LINK_SECRET = 'oncall-link-secret-'.padEnd(48, 'o');
const HOOK_SECRET = 'oncall-hook-secret-'.padEnd(48, 'h');
const PUBLIC_URL = 'https://dbops.example.test';
/** bea and lee take the on-call role in turns: neither holds it on the roster, so a page to them follows the schedule. */
const rotation = (start: string): Layer => ({
  participants: ['bea', 'lee'],
  rotation: { every: 1, unit: 'weeks' },
  handoff: { time: '09:00', weekday: 'mon' },
  timeZone: 'Europe/Berlin',
  start,
});

/** A receiver of the team's signed webhook: keeps each body it was given. */
async function startBodyReceiver() {
  const bodies: { dbops: { subject: string; kind: string }; diagnosis?: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      bodies.push(JSON.parse(raw));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { bodies, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/team`, close: () => server.close() };
}

/**
 * Pages follow the on-call schedule (issue 23): a time-skipping server, real PostgreSQL, the real API for overrides,
 * a real SMTP server. Who a page reaches is decided when it is sent: by the schedule, by an override made while the
 * incident climbs, and, in a gap, by the rung above, which the page and the audit say.
 */
describe('pages follow the on-call schedule (time-skipping)', () => {
  const taskQueue = 'ts-oncall-paging';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-oncall-paging-'));
  const schedulesFile = path.join(dir, 'schedules.json');
  const rosterFile = scratchRosterFile();
  const writeSchedules = (layer: Layer) => {
    fs.writeFileSync(schedulesFile, JSON.stringify({ schedules: [{ role: 'on-call-engineer', layers: [layer] }] }));
    const later = new Date(Date.now() + 2000 + Math.random() * 1000);
    fs.utimesSync(schedulesFile, later, later); // a same-millisecond edit must not look unchanged
  };
  writeSchedules(rotation('2026-01-05'));
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let hook: Awaited<ReturnType<typeof startBodyReceiver>>;
  let api: TestApi;
  const links = (n: NotificationRequest, person: string) =>
    pageLinksFor({ secret: LINK_SECRET, publicUrl: PUBLIC_URL, ttlMs: 3_600_000 }, n, person);
  beforeAll(async () => {
    [smtp, hook] = await Promise.all([startSmtpServer(), startBodyReceiver()]);
  });
  const suite = timeSkippingSuite(taskQueue, () => {
    const currentRoster = rosterInForce(rosterFile);
    return {
      currentRoster,
      currentSchedules: schedulesInForce(schedulesFile, currentRoster),
      channels: [emailChannelTo(smtp, links), signedWebhookChannel({ name: 'signed-webhook', url: hook.url, secret: HOOK_SECRET, links })],
    };
  });
  beforeAll(async () => {
    api = await startTestApi(suite.env.client, suite.harness.db.pool, taskQueue, { rosterFile, schedulesFile });
  });
  afterAll(async () => {
    api?.close();
    hook?.close();
    await smtp?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pagesOf = (incidentId: string) =>
    suite.harness.channel.sent.filter((n) => n.subjectId === incidentId && (n.kind === 'page' || n.kind === 'escalation'));
  const mailTo = (incidentId: string, person: string, kind: string) => {
    const address = roster.people.find((p) => p.id === person)!.channels.email!;
    return eventually(
      `${kind} mail to ${person}`,
      () =>
        smtp.state.mails.find(
          (m) =>
            m.to.includes(address) && m.mail.headers.get('x-dbops-subject') === incidentId && m.mail.headers.get('x-dbops-kind') === kind,
        ),
      Boolean,
    ).then((m) => m!.mail);
  };
  const pageEvents = (incidentId: string, count: number) =>
    eventually(
      'page events',
      async () => (await readIncidentEvents(suite.harness.db.pool, incidentId)).filter((e) => e.kind === 'paged' || e.kind === 'escalated'),
      (e) => e.length >= count,
    );

  it('an override made while the incident climbs takes its next page; the events name who was reached and the versions', async () => {
    writeSchedules(rotation('2026-01-05'));
    const { handle } = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      { type: 'connection-pool-exhaustion', tier: 'queue', severity: 'high', fingerprint: 'oncall-override', title: 'Queue pool full' },
    );
    const { incidentId } = await handle.query(incidentStateQuery);
    const [first] = await eventually(
      'the first page',
      () => pagesOf(incidentId),
      (p) => p.length >= 1,
    );
    // Level 1: the on-call engineer by the schedule (bea or lee, whoever's week it is), and the database lead.
    const onCall = shiftAt(rotation('2026-01-05'), Date.parse(first.occurredAt))!.person;
    expect(first.recipients.map((r) => r.id)).toEqual([onCall, 'dana']);

    // While level 1 is unanswered, dana hands level 2 (engineering manager, erin) to sam through the API.
    const serverNow = await suite.env.currentTimeMs();
    const made = await fetch(`${api.url}/oncall/overrides`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await api.tokenOf('dana')}` },
      body: JSON.stringify({
        role: 'engineering-manager',
        person: 'sam',
        from: new Date(serverNow).toISOString(),
        to: new Date(serverNow + 86_400_000).toISOString(),
        reason: 'erin is on a flight',
      }),
    });
    expect(made.status, await made.clone().text()).toBe(201);

    await suite.env.sleep('11 minutes'); // past the 10-minute response deadline: level 2 is paged
    const pages = await eventually(
      'the escalation',
      () => pagesOf(incidentId),
      (p) => p.length >= 2,
    );
    expect(pages[1].recipients.map((r) => `${r.id}:${r.role}`)).toEqual(['sam:engineering-manager']);
    const events = await pageEvents(incidentId, 2);
    const { version: scheduleVersion } = schedulesInForce(schedulesFile, rosterInForce(rosterFile))();
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ level: 1, paged: [onCall, 'dana'], rosterVersion: expect.any(String), scheduleVersion }),
      expect.objectContaining({ level: 2, paged: ['sam'], rosterVersion: expect.any(String), scheduleVersion }),
    ]);
    expect(events.every((e) => !('gaps' in (e.data as object)))).toBe(true);

    // sam's mail says what is wrong: the automated check that ran since, who else was paged, the next step.
    const mail = await mailTo(incidentId, 'sam', 'escalation');
    expect(mail.subject).toBe(`[HIGH] Queue pool full · level 2 · ${incidentId}`);
    expect(mail.text).toMatch(/Automated checks so far:\n {2}- Monitor pools: (pass|warn|fail)/);
    expect(mail.text).toContain(`Also paged: ${roster.people.find((p) => p.id === onCall)!.name}, Dana Ortiz\n`);
    expect(mail.text).toMatch(/Next step: Adjust pool configurations \(awaiting-completion\)/);
    expect(mail.text).toMatch(/Respond by: \d\d:\d\d \S+, \w{3} \d{1,2} \w{3} \(Europe\/Berlin\) \(passed\)/);

    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'override test' }] });
    await handle.result();
    await maybeRecordHistory(handle, 'incident-connection-pool-exhaustion');
  });

  it('a page into a gap goes at once to the next rung, and the page and the audit say why', async () => {
    // The rotation starts in three months (of the test server's clock, which the earlier test moved on): a gap now.
    const later = new Date((await suite.env.currentTimeMs()) + 90 * 86_400_000).toISOString().slice(0, 10);
    writeSchedules(rotation(later));
    const title = 'Pool <b>full</b> & "queue"';
    const { handle } = await openIncident(
      { client: suite.env.client, taskQueue, roster, calendar },
      { type: 'connection-pool-exhaustion', tier: 'queue', severity: 'high', fingerprint: 'oncall-gap', title },
    );
    const { incidentId } = await handle.query(incidentStateQuery);
    const [first] = await eventually(
      'the first page',
      () => pagesOf(incidentId),
      (p) => p.length >= 1,
    );
    // The on-call engineer's share of level 1 went to level 2 (erin) with it: nobody waits for the deadline.
    expect(first.recipients.map((r) => `${r.id}:${r.role}`)).toEqual(['erin:engineering-manager', 'dana:database-lead']);
    const [paged] = await pageEvents(incidentId, 1);
    expect(paged.data).toMatchObject({
      level: 1,
      paged: ['erin', 'dana'],
      gaps: [{ role: 'on-call-engineer', pagedInstead: { level: 2, roles: ['engineering-manager'] } }],
    });

    // erin's mail: the diagnosis, why she is paged, and the links; the alert's title is data (escaped in HTML).
    const mail = await mailTo(incidentId, 'erin', 'page');
    expect(mail.subject).toBe(`[HIGH] ${title} · level 1 · ${incidentId}`);
    const text = mail.text ?? '';
    for (const line of [
      'Severity: high',
      'Type: Connection Pool Exhaustion',
      'Tier: queue',
      'Paged at: level 1',
      'Also paged: Dana Ortiz',
      'Next step: Monitor pools (',
      'Why you: nobody is on call as on-call-engineer: level 2 (engineering-manager) is paged instead.',
      `Open the incident in the console: ${PUBLIC_URL}/incidents/${incidentId}`,
    ])
      expect(text).toContain(line);
    expect(text).toMatch(/Respond by: \d\d:\d\d \S+, \w{3} \d{1,2} \w{3} \(Europe\/Berlin\)\n/);
    expect(text).toMatch(new RegExp(`Acknowledge as Erin Walsh: ${PUBLIC_URL}/links/ack/\\S+`));
    expect(mail.html).toContain('Pool &lt;b&gt;full&lt;/b&gt; &amp; &quot;queue&quot;');
    expect(mail.html).not.toContain('<b>full');
    expect(mail.html).toMatch(
      /<a href="https:\/\/dbops\.example\.test\/links\/ack\/[^"]+" [^>]*>Acknowledge as <bdi>Erin Walsh<\/bdi><\/a>/,
    );

    // dana holds her own role on the rung: her mail notes the gap, it does not say it is why she was paged.
    const danas = (await mailTo(incidentId, 'dana', 'page')).text ?? '';
    expect(danas).toContain('On-call gap: nobody is on call as on-call-engineer: level 2 (engineering-manager) is paged instead.');
    expect(danas).not.toContain('Why you');

    // The signed webhook carries the same diagnosis as data.
    const body = await eventually(
      'the signed page',
      () => hook.bodies.find((b) => b.dbops.subject === incidentId && b.dbops.kind === 'page'),
      Boolean,
    );
    expect(body!.diagnosis).toMatchObject({
      incidentId,
      title,
      severity: 'high',
      tier: 'queue',
      respondByLocal: expect.stringContaining('(Europe/Berlin)'),
      paged: [
        { id: 'erin', name: 'Erin Walsh' },
        { id: 'dana', name: 'Dana Ortiz' },
      ],
      gaps: [
        expect.objectContaining({
          role: 'on-call-engineer',
          text: expect.stringContaining('level 2 (engineering-manager) is paged instead'),
        }),
      ],
    });

    await handle.executeUpdate(resolveUpdate, { args: [{ actor: 'dana', summary: 'gap test' }] });
    await handle.result();
    await maybeRecordHistory(handle, 'incident-oncall-gap');
  });

  it('the worker logs each gap ahead, naming the role and the window, at start', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const now = Date.parse('2026-12-07T12:00:00Z');
    const currentRoster = rosterInForce(rosterFile);
    // The rotation starts in ten days: on-call-engineer has nobody until its first handoff, Monday 2026-12-21 09:00 Berlin.
    writeSchedules(rotation('2026-12-17'));
    const gaps = logOnCallGaps({
      pool: suite.harness.db.pool,
      roster: currentRoster,
      schedules: schedulesInForce(schedulesFile, currentRoster),
      log,
      now: () => now,
    });
    await gaps.looked;
    gaps.stop();
    const logged = lines.map((l) => JSON.parse(l) as { role?: string; from?: string; to?: string; msg: string });
    expect(logged.filter((l) => l.role)).toEqual([
      expect.objectContaining({
        role: 'on-call-engineer',
        from: '2026-12-07T12:00:00.000Z',
        to: '2026-12-21T08:00:00.000Z',
        msg: expect.stringMatching(/^on-call gap: nobody holds on-call-engineer from 2026-12-07T12:00:00.000Z to 2026-12-21T08:00:00.000Z/),
      }),
    ]);
  });
});
