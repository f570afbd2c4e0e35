/** A firing Alertmanager alert (webhook payload version 4) with these labels, firing since now. */
export const firingAlert = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels,
  annotations: { summary: `${labels.alertname ?? 'alert'} on ${labels.instance ?? 'somewhere'}` },
  startsAt: new Date().toISOString(),
  endsAt: '0001-01-01T00:00:00Z',
  ...extra,
});

/** Alertmanager's webhook body for one group of alerts (Grafana's webhook takes the same shape). */
export const alertGroup = (alerts: unknown[]) => ({ version: '4', groupKey: '{}:{}', status: 'firing', receiver: 'dbops', alerts });
