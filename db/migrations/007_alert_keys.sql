-- Which incident a monitoring tool's alert opened: (integration, the tool's dedup key) → the incident's workflow id
-- and first run id, so its later acknowledge and resolve reach that incident (and not a later one on the same key).
-- A trigger after the incident closed opens a new incident and moves the row to it.
CREATE TABLE IF NOT EXISTS alert_keys (
  integration  text NOT NULL,
  dedup_key    text NOT NULL CHECK (length(dedup_key) <= 255),
  workflow_id  text NOT NULL,
  first_run_id text NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (integration, dedup_key)
);
