import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWebhookAlerts } from '../../client/alerts/alertmanagerPayload';
import { InvalidEventError, parsePagerDutyEvent } from '../../client/alerts/pagerdutyEvent';
import { fingerprintOfKey } from '../../lib/alertFingerprint';
import { loadRouting } from '../../lib/routingRules';
import { BUILT_IN_ROUTING, RoutingConfigSchema, renderTemplate, routeAlert, type RoutableAlert } from '../../runbooks/alertRouting';

const alert = (labels: Record<string, string>, more: Partial<RoutableAlert> = {}): RoutableAlert => ({
  intake: 'alertmanager',
  integration: 'prometheus',
  labels,
  severity: labels.severity,
  ...more,
});

const config = RoutingConfigSchema.parse({
  default: { tier: 'content', severity: 'high' },
  resolvePolicy: { 'database-outage': 'record' },
  rules: [
    {
      name: 'pg-down',
      match: { labels: { alertname: 'PostgresDown', env: { regex: 'prod(-.*)?' } } },
      type: 'database-outage',
      fingerprint: '{{alertname}}:{{instance}}',
    },
    { match: { intake: 'pagerduty', component: 'pgbouncer' }, type: 'connection-pool-exhaustion', tier: 'queue', severity: 'low' },
    { match: { class: { regex: 'SEC.*', ignoreCase: true } }, type: 'security-breach' },
  ],
});

describe('routing rules', () => {
  it('routes on labels (exact and whole-value regex), intake, component and class; the first match wins', () => {
    const pg = routeAlert(
      config,
      alert({ alertname: 'PostgresDown', env: 'prod-eu', instance: 'db1:5432', tier: 'olap', severity: 'warning' }),
    );
    expect(pg).toMatchObject({
      type: 'database-outage',
      tier: 'olap',
      severity: 'medium',
      rule: 'pg-down',
      fingerprintTemplate: '{{alertname}}:{{instance}}',
      resolvePolicy: 'record',
    });
    // The regex matches the whole value: "staging-prod" is not prod.
    expect(routeAlert(config, alert({ alertname: 'PostgresDown', env: 'staging-prod' })).triage).toMatch(/no routing rule matched/);
    const pd = routeAlert(config, alert({}, { intake: 'pagerduty', component: 'pgbouncer', severity: 'critical' }));
    expect(pd).toMatchObject({ type: 'connection-pool-exhaustion', tier: 'queue', severity: 'low', rule: '#1' });
    // The same component from Alertmanager does not match a pagerduty-only rule.
    expect(routeAlert(config, alert({}, { component: 'pgbouncer' })).rule).toBeUndefined();
    expect(routeAlert(config, alert({}, { class: 'security' }))).toMatchObject({
      type: 'security-breach',
      rule: '#2',
      resolvePolicy: 'record',
    });
  });

  it('sends an alert no rule routes to an unclassified incident (policy: never the steps of a type it was not), saying why and listing its labels', () => {
    const r = routeAlert(config, alert({ alertname: 'DiskFull', instance: 'db9' }));
    expect(r).toMatchObject({ type: 'unclassified', tier: 'content', severity: 'high', resolvePolicy: 'resolve' });
    expect(r.rule).toBeUndefined();
    expect(r.triage).toBe('no routing rule matched; labels: alertname=DiskFull, instance=db9');
  });

  it('maps PagerDuty severities (critical, error, warning, info) to dbops ones', () => {
    const sev = (s: string) => routeAlert(BUILT_IN_ROUTING, alert({ alertname: 'x' }, { severity: s })).severity;
    expect([sev('critical'), sev('error'), sev('warning'), sev('info'), sev('bogus')]).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      undefined,
    ]);
  });

  it('built-in routing works without a file and keeps security and integrity for a human to close', () => {
    expect(routeAlert(BUILT_IN_ROUTING, alert({ alertname: 'PostgresqlDown' }))).toMatchObject({
      type: 'database-outage',
      resolvePolicy: 'resolve',
    });
    expect(routeAlert(BUILT_IN_ROUTING, alert({ alertname: 'SuperuserLogin' }))).toMatchObject({
      type: 'security-breach',
      resolvePolicy: 'record',
    });
    expect(routeAlert(BUILT_IN_ROUTING, alert({ alertname: 'ChecksumFailure' }))).toMatchObject({
      type: 'data-integrity',
      resolvePolicy: 'record',
    });
    expect(routeAlert(BUILT_IN_ROUTING, alert({ alertname: 'Weird' }))).toMatchObject({ type: 'unclassified', tier: 'oltp' });
  });

  it('fills fingerprint templates from labels and maps any dedup key to a stable, valid fingerprint', () => {
    expect(renderTemplate('{{alertname}}:{{ instance }}', { alertname: 'A', instance: 'db1:5432' })).toBe('A:db1:5432');
    expect(renderTemplate('{{alertname}}-{{missing}}', { alertname: 'A' })).toBe('A-');
    expect(fingerprintOfKey('plain-key.1')).toBe('plain-key.1');
    const odd = fingerprintOfKey('srv01/HTTP 500 errors — über');
    expect(odd).toMatch(/^srv01-HTTP-500-errors-ber-[0-9a-f]{16}$/);
    expect(fingerprintOfKey('srv01/HTTP 500 errors — über')).toBe(odd);
    const long = 'k'.repeat(255);
    expect(fingerprintOfKey(long)).toMatch(/^k{103}-[0-9a-f]{16}$/);
    expect(fingerprintOfKey(long)).not.toBe(fingerprintOfKey('k'.repeat(254)));
  });

  it('refuses a bad routing file at load, naming the rule index and field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-routing-'));
    const file = path.join(dir, 'routing.json');
    const write = (data: unknown) => fs.writeFileSync(file, JSON.stringify(data));
    write({
      default: { tier: 'oltp' },
      rules: [
        { match: {}, type: 'database-outage' },
        { match: { labels: { a: { regex: '(' } } }, type: 'nope' },
      ],
    });
    expect(() => loadRouting(file)).toThrow(/rules\[1\]\.match\.labels\.a\.regex: not a valid regular expression/);
    expect(() => loadRouting(file)).toThrow(/rules\[1\]\.type: /);
    write({ default: { type: 'database-outage', tier: 'moon' }, rules: [] });
    expect(() => loadRouting(file)).toThrow(/default\.tier/);
    // A default type would give an alert nobody routed the steps of a type it may not be.
    expect(() => loadRouting(file)).toThrow(/default\.type: an alert no rule routes opens an unclassified incident/);
    fs.writeFileSync(file, '{ not json');
    expect(() => loadRouting(file)).toThrow(/routing file .*routing\.json/);
    // The shipped default path absent: the built-in routing; a path the operator set absent: an error.
    expect(loadRouting(path.join(dir, 'absent.json'))).toBe(BUILT_IN_ROUTING);
    expect(() => loadRouting(path.join(dir, 'absent.json'), { required: true })).toThrow(/ENOENT/);
    expect(loadRouting(path.resolve('config/routing.example.json')).rules.length).toBeGreaterThan(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('PagerDuty Events API v2 parsing', () => {
  const trigger = {
    routing_key: 'k',
    event_action: 'trigger',
    dedup_key: 'srv01/HTTP',
    payload: {
      summary: 'DB down',
      source: 'db1',
      severity: 'critical',
      component: 'postgres',
      group: 'prod',
      class: 'outage',
      custom_details: { alertname: 'PgDown', n: 3, nested: { a: 1 } },
    },
    links: [{ href: 'https://grafana/d/1', text: 'dash' }],
    images: [{ src: 'https://img/1.png' }],
  };

  it('reads a trigger: labels from source, component, group, class and scalar custom_details', () => {
    const e = parsePagerDutyEvent(trigger);
    expect(e.action).toBe('trigger');
    if (e.action !== 'trigger') return;
    expect(e.alert).toMatchObject({ intake: 'pagerduty', source: 'db1', component: 'postgres', class: 'outage', severity: 'critical' });
    expect(e.alert.labels).toEqual({
      alertname: 'PgDown',
      n: '3',
      source: 'db1',
      severity: 'critical',
      component: 'postgres',
      group: 'prod',
      class: 'outage',
    });
    expect(e.detail).toMatch(/links dash: https:\/\/grafana\/d\/1/);
    expect(e.detail).toMatch(/images https:\/\/img\/1.png/);
  });

  it('names every bad field', () => {
    const errors = (body: unknown) => {
      try {
        parsePagerDutyEvent(body);
      } catch (err) {
        if (err instanceof InvalidEventError) return err.errors.join(' | ');
      }
      return 'accepted';
    };
    expect(errors({ ...trigger, event_action: 'page' })).toMatch(/event_action: one of trigger, acknowledge, resolve/);
    expect(errors({ ...trigger, payload: { ...trigger.payload, severity: 'high' } })).toMatch(
      /payload\.severity: one of critical, error, warning, info/,
    );
    expect(errors({ ...trigger, payload: { ...trigger.payload, summary: '' } })).toMatch(/payload\.summary/);
    // A summary over PagerDuty's 1,024 characters (Alertmanager cuts at 1,024 runes, up to 2,048 UTF-16 units) is clipped.
    const long = parsePagerDutyEvent({ ...trigger, payload: { ...trigger.payload, summary: '🔥'.repeat(1024) } });
    expect(long.action === 'trigger' && long.summary).toMatch(/^(🔥){511}…$/u);
    expect(errors({ ...trigger, payload: undefined })).toMatch(/payload: required for a trigger/);
    expect(errors({ ...trigger, dedup_key: 'x'.repeat(256) })).toMatch(/dedup_key: at most 255/);
    expect(errors({ event_action: 'resolve' })).toMatch(/dedup_key: required to resolve/);
    // What routes and keys the alert may not hold unstorable text; what describes it is made storable (a tool does not
    // resend a refused event).
    expect(errors({ ...trigger, payload: { ...trigger.payload, source: 'a\u0000b' } })).toMatch(/payload\.source contains a NUL/);
    expect(errors({ ...trigger, dedup_key: 'k\u0000' })).toMatch(/dedup_key contains a NUL/);
    const described = parsePagerDutyEvent({
      ...trigger,
      payload: { ...trigger.payload, summary: 'a\u0000b', custom_details: { note: 'c\u0000d' } },
    });
    expect(described).toMatchObject({ summary: 'a\uFFFDb', detail: expect.stringContaining('c\uFFFDd') });
    expect(errors({ ...trigger, payload: { source: 'x', severity: 'info' } })).toMatch(
      /payload\.summary: required: text of 1 to 1024 characters/,
    );
    expect(errors({ ...trigger, payload: { ...trigger.payload, source: 7 } })).toMatch(/payload\.source: must be text/);
    expect(errors({ event_action: 'acknowledge', dedup_key: 'x' })).toBe('accepted');
  });
});

describe('Alertmanager and Grafana webhook parsing', () => {
  const payload = {
    version: '4',
    groupKey: '{}:{alertname="PgDown"}',
    status: 'firing',
    receiver: 'dbops',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'PgDown', instance: 'db1' },
        annotations: { summary: 'db1 is down' },
        startsAt: '2026-11-25T16:00:00.123456789Z',
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'abc123',
      },
      {
        status: 'resolved',
        labels: { alertname: 'PgSlow' },
        annotations: {},
        startsAt: '2026-11-25T15:00:00Z',
        endsAt: '2026-11-25T15:30:00Z',
      },
    ],
  };

  it('handles each alert on its own: firing → trigger, resolved → resolve, startsAt → firedAt', () => {
    const [a, b] = parseWebhookAlerts('alertmanager', payload).alerts;
    expect(a).toMatchObject({
      action: 'trigger',
      dedupKey: 'alertmanager:abc123',
      defaultKey: 'PgDown:abc123',
      summary: 'db1 is down',
      firedAt: '2026-11-25T16:00:00.123456789Z',
      endedAt: undefined,
    });
    expect(a!.alert).toMatchObject({ intake: 'alertmanager', source: 'db1', labels: { alertname: 'PgDown', instance: 'db1' } });
    expect(b).toMatchObject({ action: 'resolve', summary: 'PgSlow', endedAt: '2026-11-25T15:30:00Z' });
    // An empty summary annotation falls back to the description, then the alert's name: a title is never empty.
    const [c] = parseWebhookAlerts('alertmanager', {
      ...payload,
      alerts: [{ ...payload.alerts[0], annotations: { summary: ' ' } }],
    }).alerts;
    expect(c!.summary).toBe('PgDown');
    expect(b!.dedupKey).toMatch(/^alertmanager:[0-9a-f]{16}$/);
  });

  it("takes Grafana's extra fields and not Alertmanager's version", () => {
    const grafana = {
      ...payload,
      version: '1',
      orgId: 1,
      alerts: [{ ...payload.alerts[0], values: { B: 97.5 }, silenceURL: 'https://grafana/silence' }],
    };
    const [a] = parseWebhookAlerts('grafana', grafana).alerts;
    expect(a!.detail).toMatch(/values B=97.5; .*silence https:\/\/grafana\/silence/);
    expect(() => parseWebhookAlerts('alertmanager', grafana)).toThrow(/version: '4'/);
  });

  it('takes a payload in the shape Grafana documents: its envelope fields, a zone offset with microseconds, empty URLs, values', () => {
    const fromGrafana = {
      receiver: 'dbops',
      status: 'firing',
      orgId: 1,
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Replica lag', team: 'dba', zone: 'eu-2' },
          annotations: { description: 'Replica lag above 30 s', runbook_url: 'https://runbooks.example/lag', summary: 'Lag on eu-2' },
          startsAt: '2026-11-25T09:51:03.157076+02:00',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: 'https://grafana.example/alerting/abc/edit',
          fingerprint: '0a1b2c3d4e5f6071',
          silenceURL: 'https://grafana.example/alerting/silence/new?matchers=alertname%3DReplica%20lag',
          dashboardURL: '',
          panelURL: '',
          values: { B: 31.5, C: 1 },
          valueString: "[ var='B' labels={} value=31.5 ]",
        },
      ],
      groupLabels: { alertname: 'Replica lag' },
      commonLabels: { alertname: 'Replica lag', team: 'dba' },
      commonAnnotations: {},
      externalURL: 'https://grafana.example/',
      version: '1',
      groupKey: '{}:{alertname="Replica lag"}',
      truncatedAlerts: 0,
      title: '[FIRING:1] Replica lag (dba)',
      state: 'alerting',
      message: '**Firing**',
    };
    const { alerts, refused } = parseWebhookAlerts('grafana', fromGrafana);
    expect(refused).toEqual([]);
    expect(alerts).toEqual([
      expect.objectContaining({
        action: 'trigger',
        dedupKey: 'grafana:0a1b2c3d4e5f6071',
        summary: 'Lag on eu-2',
        firedAt: '2026-11-25T09:51:03.157076+02:00',
        detail: expect.stringMatching(/values B=31.5, C=1; source https:\/\/grafana.example\/alerting\/abc\/edit; silence https:/),
      }),
    ]);
  });

  it('refuses a bad envelope, or a payload none of whose alerts can be read, whole, naming every bad field', () => {
    expect(() => parseWebhookAlerts('alertmanager', { ...payload, alerts: [] })).toThrow(/alerts: at least one alert/);
    expect(() => parseWebhookAlerts('alertmanager', { ...payload, alerts: [{ ...payload.alerts[0], labels: { alertname: 3 } }] })).toThrow(
      /alerts\[0\]\.labels\.alertname/,
    );
    expect(() => parseWebhookAlerts('grafana', { ...payload, status: 'ok' })).toThrow(/status: firing or resolved/);
    expect(() => parseWebhookAlerts('alertmanager', { ...payload, alerts: Array(10_001).fill(payload.alerts[0]) })).toThrow(
      /alerts: at most 10000 alerts/,
    );
  });

  it('in a group, refuses an alert it cannot read alone and takes the rest (Alertmanager never resends a refused group)', () => {
    const { alerts, refused } = parseWebhookAlerts('alertmanager', {
      ...payload,
      alerts: [
        payload.alerts[0],
        { ...payload.alerts[1], startsAt: 'yesterday' },
        { ...payload.alerts[1], labels: { alertname: 'Pg\u0000Down' } },
        payload.alerts[1],
      ],
    });
    expect(alerts.map((x) => x.summary)).toEqual(['db1 is down', 'PgSlow']);
    expect(refused).toEqual([
      expect.stringMatching(/^alerts\[1\]\.startsAt: an ISO 8601/),
      expect.stringMatching(/^alerts\[2\]\.labels\.alertname contains a NUL character .*cannot hold$/),
    ]);
  });

  it('clips long annotations and makes them storable instead of refusing the alert (they describe it; labels name it)', () => {
    const [a] = parseWebhookAlerts('alertmanager', {
      ...payload,
      alerts: [{ ...payload.alerts[0], annotations: { summary: 'db1 \u0000 down', description: 'd'.repeat(100_000) } }],
    }).alerts;
    expect(a.summary).toBe('db1 \uFFFD down');
    expect(a.detail.length).toBeLessThan(4200);
    expect(a.detail).toContain('description ddd');
  });
});
