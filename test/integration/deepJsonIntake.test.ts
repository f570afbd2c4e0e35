import { describe, expect, it } from 'vitest';
import type { OpenIncidentInput } from '../../workflows/incident/messages';
import { TEXT_LIMITS } from '../../runbooks/limits';
import { alertGroup, firingAlert } from '../support/alertPayloads';
import { apiSuite } from '../support/api';

const DEPTH = 10_000;
/** JSON nested DEPTH deep, as text: JSON.parse takes it, JSON.stringify of the parsed value overflows the stack. */
const deepJson = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
/** `body` as JSON text with its string "<deep>" replaced by deepJson. */
const withDeep = (body: unknown) => JSON.stringify(body).replace('"<deep>"', deepJson);

/**
 * The hostile sender: free-form JSON (Grafana's values, PagerDuty's custom_details) nested thousands deep overflowed
 * the stack while the alert was described: 503 on every retry, and the healthy alerts of the same group were never
 * opened. It is kept as bounded text instead: every alert is taken.
 */
describe('deeply nested JSON at the intake', () => {
  const suite = apiSuite('deep-json');

  const post = (route: string, body: string) =>
    fetch(`${suite.api.url}${route}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${suite.api.integrationKey}` },
    });
  /** The incident's opening input, as Temporal holds it: what the alert became. */
  const openingOf = async (workflowId: string): Promise<OpenIncidentInput> => {
    const history = await suite.client.workflow.getHandle(workflowId).fetchHistory();
    const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
    return JSON.parse(Buffer.from(payload.data!).toString('utf8'));
  };

  it(`a Grafana group with one alert ${DEPTH} deep: every alert opens its incident, the deep one with its values clipped`, async () => {
    const run = Date.now();
    const alerts = Array.from({ length: 5 }, (_, i) =>
      firingAlert({ alertname: 'ReplicaLag', instance: `deep-${run}-${i}` }, i === 2 ? { values: { B: '<deep>' } } : {}),
    );
    const res = await post('/grafana', withDeep(alertGroup(alerts)));
    expect(res.status).toBe(202);
    const { results, refused } = (await res.json()) as { results: { workflowId: string }[]; refused?: string[] };
    expect(refused).toBeUndefined();
    expect(new Set(results.map((r) => r.workflowId)).size).toBe(5);
    for (const { workflowId } of results)
      expect((await suite.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    const summary = (await openingOf(results[2].workflowId)).trigger.summary!;
    expect(summary).toMatch(/values B=\{"a":\{"a":/);
    expect(summary.length).toBeLessThanOrEqual(TEXT_LIMITS.summary);
  });

  it(`a PagerDuty event whose custom_details are ${DEPTH} deep is taken (202), its details clipped`, async () => {
    const event = {
      routing_key: suite.api.integrationKey,
      event_action: 'trigger',
      dedup_key: `deep-${Date.now()}`,
      payload: { summary: 'replica lag', source: 'pg-2', severity: 'warning', custom_details: { region: 'eu', nested: '<deep>' } },
    };
    const res = await post('/v2/enqueue', withDeep(event));
    expect(res.status).toBe(202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    const summary = (await openingOf(workflowId)).trigger.summary!;
    expect(summary).toMatch(/details \{"region":"eu","nested":\{"a":\{"a":/);
    expect(summary.length).toBeLessThanOrEqual(TEXT_LIMITS.summary);
  });
});
