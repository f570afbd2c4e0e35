import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookChannel } from '../../activities/notify/channels';
import type { NotificationRequest } from '../../activities/contracts';
import { createLogger } from '../../lib/logger';
import { startWebhookReceiver } from '../support/webhookReceiver';

const page: NotificationRequest = {
  notificationId: 'INC-1:page:1',
  subjectId: 'INC-1',
  kind: 'page',
  message: '[CRITICAL] Database Outage on oltp — please acknowledge',
  recipients: [{ id: 'dana', name: 'Dana Ortiz', role: 'database-lead', channels: { slack: '@dana' } }],
  occurredAt: '2026-01-01T00:00:00.000Z',
};

describe('webhook channel', () => {
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    receiver = await startWebhookReceiver('/hook/T0/SECRETPART');
  });
  afterAll(() => receiver.close());

  it('posts Slack-compatible JSON with the mentions and the notification id', async () => {
    await webhookChannel(receiver.url).deliver(page);
    expect(receiver.state.requests).toMatchObject([
      { id: 'INC-1:page:1', kind: 'page', text: expect.stringContaining('please acknowledge\n@dana') },
    ]);
  });

  it('names why a delivery failed without the URL, whose path is the secret', async () => {
    receiver.state.up = false;
    await expect(webhookChannel(receiver.url).deliver(page)).rejects.toThrow('webhook answered 503');
    receiver.state.delayMs = () => 500;
    await expect(webhookChannel(receiver.url, 100).deliver(page)).rejects.toThrow('webhook unreachable: no answer within 100 ms');
    const closed = await startWebhookReceiver('/hook/T0/SECRETPART');
    await closed.close();
    const refused = await webhookChannel(closed.url)
      .deliver(page)
      .catch((err: Error) => err.message);
    expect(refused).toBe('webhook unreachable: ECONNREFUSED');
  });
});

describe('logging', () => {
  it('never writes passwords, connection strings or tokens', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info', destination: sink });
    log.info(
      {
        databaseUrl: 'postgres://app:hunter2@db/x',
        config: { password: 'hunter2', webhookUrl: 'https://hooks.example/T0/SECRET' },
        headers: { authorization: 'Bearer abc' },
      },
      'starting',
    );
    expect(lines.join('')).not.toMatch(/hunter2|SECRET|Bearer abc/);
    expect(lines.join('')).toContain('[redacted]');
  });
});
