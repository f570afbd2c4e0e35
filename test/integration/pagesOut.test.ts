import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookChannel } from '../../activities/notify/channels';
import { signedWebhookChannel } from '../../activities/notify/signedWebhookChannel';
import { readIncidentEvents } from '../../db/audit/readEvents';
import type { Delivery } from '../../db/deliveries/readDeliveries';
import { signPageLink, verifyPageLink } from '../../lib/pageLinks';
import { rosterInForce } from '../../lib/rosterInForce';
import { incidentStateQuery, type IncidentState } from '../../workflows/incident/messages';
import { linksToLateApi, scratchRosterFile, startTestApi, writeRoster, type TestApi } from '../support/api';
import { dbops } from '../support/cli';
import { eventually } from '../support/eventually';
import { devServerSuite, roster } from '../support/harness';
import { emailChannelTo, startSmtpServer } from '../support/smtpServer';
import { startWebhookReceiver } from '../support/webhookReceiver';

const LINK_SECRET = 'link-secret-'.padEnd(48, 'x');
const HOOK_SECRET = 'hook-secret-'.padEnd(48, 'y');

interface SignedBody {
  dbops: { id: string; kind: string; subject: string };
  text: string;
  recipients: { id: string; links?: { ack: string; open: string } }[];
}

/**
 * A receiver of dbops' signed webhooks, as the README tells one to be written: HMAC-SHA256 of `<timestamp>.<raw
 * body>` with the shared secret, compared in constant time, and a timestamp within 5 minutes; else 401.
 */
async function startSignedReceiver(secret: string) {
  const got: { path: string; verified: boolean; body: SignedBody }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-dbops-timestamp'] ?? '');
      const given = Buffer.from(String(req.headers['x-dbops-signature'] ?? ''));
      const expected = Buffer.from('sha256=' + createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex'));
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
      const verified = fresh && given.length === expected.length && timingSafeEqual(given, expected);
      got.push({ path: req.url ?? '', verified, body: JSON.parse(raw) });
      res.writeHead(verified ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/**
 * Pages out to each person's channels on real servers (dev server, PostgreSQL, an SMTP server, webhook receivers),
 * and the ack link in the mail, followed with an HTTP client, acknowledges as that person, once.
 */
describe('a page reaches every channel of every person on the rung, and its link acknowledges', () => {
  const taskQueue = `pages-out-${Date.now()}`;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let signed: Awaited<ReturnType<typeof startSignedReceiver>>;
  let slack: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let rosterFile: string;
  let api: TestApi;
  const { links, publicUrl } = linksToLateApi(LINK_SECRET);
  const channels: Parameters<typeof devServerSuite>[1] = () => ({
    currentRoster: rosterInForce(rosterFile),
    channels: [
      emailChannelTo(smtp, links),
      signedWebhookChannel({ name: 'person-webhook', secret: HOOK_SECRET, links }),
      // The team's signed endpoint, configured with a secret the receiver does not share: refused, and shown so.
      signedWebhookChannel({ name: 'signed-webhook', url: `${signed.url}/team`, secret: 'w'.repeat(40), links }),
      webhookChannel(slack.url, 5000, links),
    ],
  });
  beforeAll(async () => {
    [smtp, signed, slack] = await Promise.all([startSmtpServer(), startSignedReceiver(HOOK_SECRET), startWebhookReceiver()]);
    rosterFile = scratchRosterFile();
    const people = roster.people.map((p) =>
      p.id === 'oscar' || p.id === 'erin' ? { ...p, channels: { ...p.channels, webhook: `${signed.url}/${p.id}` } } : p,
    );
    writeRoster(rosterFile, { people });
  });
  const suite = devServerSuite(taskQueue, channels);
  beforeAll(async () => {
    api = await startTestApi(suite.client, suite.harness.db.pool, taskQueue, { rosterFile, pageLinkSecret: LINK_SECRET });
    publicUrl.current = api.url;
  });
  afterAll(async () => {
    api?.close();
    signed?.close();
    await slack?.close();
    await smtp?.close();
  });

  it('mails the rung, signs the webhooks, and the mail’s ack link acknowledges as its person once', async () => {
    const fingerprint = `pages-out-${Date.now()}`;
    const title = 'Pool <b>full</b> & "queue"';
    const res = await fetch(`${api.url}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.integrationKey}` },
      body: JSON.stringify({ type: 'connection-pool-exhaustion', tier: 'queue', severity: 'medium', fingerprint, title }),
    });
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const handle = suite.client.workflow.getHandle(workflowId);
    const { incidentId } = await handle.query(incidentStateQuery);
    const state = () => handle.query(incidentStateQuery) as Promise<IncidentState>;

    // The page's recipients are the first rung in the roster in force; each with an address gets one mail.
    const page = await eventually(
      'the page',
      () => suite.harness.channel.sent.find((n) => n.subjectId === incidentId && n.kind === 'page'),
      Boolean,
    );
    const rung = page!.recipients;
    expect(rung.map((r) => r.id).sort()).toEqual(['dana', 'oscar']);
    const mailsOf = () => smtp.state.mails.filter((m) => m.mail.headers.get('x-dbops-subject') === incidentId);
    const mails = await eventually('page mails', mailsOf, (m) => m.length >= rung.length);
    await new Promise((r) => setTimeout(r, 300)); // none more than one each
    expect(
      mailsOf()
        .map((m) => m.to.join(','))
        .sort(),
    ).toEqual(rung.map((r) => r.channels.email!).sort());
    expect(mails.every((m) => m.mail.headers.get('x-dbops-kind') === 'page')).toBe(true);
    const linksIn = (text: string) => ({
      ack: /Acknowledge as [^:]+: (\S+)/.exec(text)?.[1],
      open: /View it without signing in: (\S+)/.exec(text)?.[1],
    });
    const mailTo = (id: string) => mailsOf().find((m) => m.to[0] === rung.find((r) => r.id === id)!.channels.email)!.mail;
    const oscar = linksIn(mailTo('oscar').text ?? '');
    const dana = linksIn(mailTo('dana').text ?? '');
    expect(oscar.ack).toMatch(new RegExp(`^${api.url}/links/ack/`));
    expect(dana.ack).toBeDefined();
    expect(dana.ack).not.toBe(oscar.ack);
    expect(mailTo('oscar').html).toContain(`href="${oscar.ack}"`);

    // The signed webhook: oscar's own endpoint got the page once, verified, with the same links; erin (not on the
    // rung) got nothing; the team endpoint, signed with a secret it does not share, refused it.
    const hooks = await eventually(
      'signed webhooks',
      () => signed.got.filter((g) => g.body.dbops.subject === incidentId),
      (g) => g.some((x) => x.path === '/oscar') && g.some((x) => x.path === '/team'),
    );
    const oscarHook = hooks.filter((h) => h.path === '/oscar');
    expect(oscarHook).toHaveLength(1);
    expect(oscarHook[0].verified).toBe(true);
    expect(oscarHook[0].body.recipients).toEqual([
      expect.objectContaining({ id: 'oscar', links: expect.objectContaining({ ack: oscar.ack }) }),
    ]);
    expect(hooks.filter((h) => h.path === '/erin')).toEqual([]);
    expect(hooks.find((h) => h.path === '/team')!.verified).toBe(false);
    // The team's Slack-compatible webhook mentions each person with their links.
    const slackText = (await eventually(
      'slack page',
      () => slack.state.requests.find((r) => r.text.includes(incidentId) || r.id.startsWith(incidentId)),
      Boolean,
    ))!.text;
    expect(slackText).toContain(`<${oscar.ack}|acknowledge as Oscar Kim>`);
    expect(slackText).toContain(`<${dana.ack}|acknowledge as Dana Ortiz>`);

    // Refused links change nothing: a tampered signature, a tampered person, an expired link, a person who left.
    const oscarToken = oscar.ack!.split('/').pop()!;
    const [payload, signature] = oscarToken.split('.');
    const flipped = `${payload}.${signature.slice(0, 5)}${signature[5] === 'A' ? 'B' : 'A'}${signature.slice(6)}`;
    const asDana = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), p: 'dana' })).toString('base64url')}.${signature}`;
    const verified = verifyPageLink(LINK_SECRET, oscarToken, 'ack');
    if (!verified.ok) throw new Error('the mail’s link does not verify');
    const expired = signPageLink(LINK_SECRET, { ...verified.link, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    for (const [what, token, status, says] of [
      ['tampered signature', flipped, 403, 'signature is not valid'],
      ['tampered person', asDana, 403, 'signature is not valid'],
      ['expired', expired, 410, 'expired'],
    ] as const) {
      for (const method of ['GET', 'POST']) {
        const r = await fetch(`${api.url}/links/ack/${token}`, { method });
        expect(r.status, `${what} ${method}`).toBe(status);
        expect(await r.text(), `${what} ${method}`).toContain(says);
      }
    }
    writeRoster(rosterFile, { people: roster.people.filter((p) => p.id !== 'dana') });
    const gone = await fetch(dana.ack!, { method: 'POST' });
    expect(gone.status).toBe(403);
    expect(await gone.text()).toContain('<bdi>dana</bdi> is not on the roster in force');
    writeRoster(rosterFile, { people: roster.people });
    expect((await state()).acknowledgedBy).toBeUndefined();

    // The open link shows the incident, escaped; it does not act.
    const opened = await fetch(oscar.open!);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toMatch(/text\/html; charset=utf-8/i);
    const openedHtml = await opened.text();
    expect(openedHtml).toContain('Pool &lt;b&gt;full&lt;/b&gt; &amp; &quot;queue&quot;');
    expect(openedHtml).not.toContain('<b>full');

    // GET shows a confirmation and changes nothing (a mail scanner may fetch it); the button's POST acknowledges.
    const confirm = await fetch(oscar.ack!);
    expect(confirm.status).toBe(200);
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain('Pool &lt;b&gt;full&lt;/b&gt;');
    expect(confirmHtml).toContain('<td><bdi>medium</bdi></td>');
    expect(confirmHtml).toContain('You act as <strong><bdi>Oscar Kim</bdi></strong>');
    expect(confirmHtml).toContain('<form method="post">');
    expect(confirm.headers.get('x-frame-options')).toBe('DENY');
    expect((await state()).acknowledgedBy).toBeUndefined();
    const acked = await fetch(oscar.ack!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    const ackedHtml = await acked.text();
    expect(acked.status, ackedHtml).toBe(200);
    expect(ackedHtml).toContain('Acknowledged as <strong><bdi>Oscar Kim</bdi></strong>');
    const after = await state();
    expect(after.phase).toBe('acknowledged');
    expect(after.acknowledgedBy).toBe('oscar');
    const events = await eventually(
      'the acknowledged event',
      () => readIncidentEvents(suite.harness.db.pool, incidentId),
      (e) => e.some((x) => x.kind === 'acknowledged'),
    );
    const ackEvent = events.find((e) => e.kind === 'acknowledged')!;
    expect(ackEvent.actor).toBe('oscar');
    expect(ackEvent.data).toMatchObject({ note: expect.stringMatching(/page link/), rosterVersion: expect.any(String) });

    // Once only: a second POST (and GET) is refused; dana's own link meets the validator's "already acknowledged".
    const again = await fetch(oscar.ack!, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already used');
    expect((await fetch(oscar.ack!)).status).toBe(409);
    const late = await fetch(dana.ack!, { method: 'POST' });
    expect(late.status).toBe(409);
    expect(await late.text()).toMatch(/already acknowledged by <bdi>Oscar Kim<\/bdi> at .*Nothing was changed/);
    expect((await suite.harness.db.pool.query('SELECT person FROM used_page_links WHERE incident_id = $1', [incidentId])).rows).toEqual([
      { person: 'oscar' },
    ]);
    expect((await readIncidentEvents(suite.harness.db.pool, incidentId)).filter((e) => e.kind === 'acknowledged')).toHaveLength(1);

    // Each delivery is visible in the API's incident and in `incident show`.
    const token = await api.tokenOf('dana');
    const shown = (await (await fetch(`${api.url}/incidents/${incidentId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      deliveries: Delivery[];
    };
    const pageRows = shown.deliveries.filter((d) => d.kind === 'page');
    const row = (channel: string, person?: string) => pageRows.find((d) => d.channel === channel && d.person === person);
    for (const id of ['dana', 'oscar']) expect(row('email', id), id).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(row('person-webhook', 'oscar')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(row('person-webhook', 'dana')).toBeUndefined();
    expect(row('webhook')).toMatchObject({ status: 'delivered' });
    expect(row('webhook')!.recipients.sort()).toEqual(['dana', 'oscar']);
    expect(row('signed-webhook')).toMatchObject({ status: 'pending', attempts: 1, lastError: 'signed-webhook answered 401' });
    const cli = await dbops(['incident', 'show', incidentId], { DBOPS_API_URL: api.url, DBOPS_TOKEN: token, DBOPS_ROSTER: rosterFile });
    expect(cli.code, cli.stderr).toBe(0);
    // People by name, as the roster names them.
    expect(cli.stdout).toMatch(/page\s+Oscar Kim\s+email\s+delivered\s+1 attempt\(s\)/);
    expect(cli.stdout).toMatch(
      /page\s+team: (Dana Ortiz, Oscar Kim|Oscar Kim, Dana Ortiz)\s+signed-webhook\s+pending\s+1 attempt\(s\).*last error: signed-webhook answered 401/,
    );
    await handle.terminate('test over');
    fs.rmSync(rosterFile, { force: true });
  });
});
