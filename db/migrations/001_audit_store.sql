-- The audit store: one row per incident (a projection kept current by the audit activity) and its event chain.
CREATE TABLE IF NOT EXISTS incidents (
  incident_id      text PRIMARY KEY,
  workflow_id      text NOT NULL,
  type             text NOT NULL,
  severity         text NOT NULL,
  tier             text NOT NULL,
  fingerprint      text NOT NULL,
  title            text NOT NULL,
  phase            text NOT NULL,
  runbook_version  text NOT NULL,
  opened_at        timestamptz NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  resolved_at      timestamptz,
  resolution       text,
  trigger_count    integer NOT NULL DEFAULT 1,
  escalation_level integer NOT NULL DEFAULT 0,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS incidents_open_idx ON incidents (phase, type, severity);

-- Events are written by an idempotent activity: event_id is derived from the incident and its sequence
-- number, so a retried write is a no-op. Each row carries the hash of the one before it.
CREATE TABLE IF NOT EXISTS incident_events (
  event_id     text PRIMARY KEY,
  incident_id  text NOT NULL REFERENCES incidents (incident_id),
  seq          integer NOT NULL,
  kind         text NOT NULL,
  actor        text,
  occurred_at  timestamptz NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (incident_id, seq)
);

-- Every page, reminder and escalation is written here first, then delivered; a channel that is down leaves
-- the row pending for a later attempt instead of losing it.
CREATE TABLE IF NOT EXISTS notification_outbox (
  notification_id text PRIMARY KEY,
  subject_id      text NOT NULL,
  kind            text NOT NULL,
  recipient       text NOT NULL,
  channel         text NOT NULL,
  message         text NOT NULL,
  payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
  status          text NOT NULL DEFAULT 'pending',
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz
);
CREATE INDEX IF NOT EXISTS notification_outbox_pending_idx ON notification_outbox (status) WHERE status <> 'delivered';
