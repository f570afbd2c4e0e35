-- Daily checklist runs: one row per run (kept current by the audit activity), its items with their evidence,
-- its hash-chained events, and the storage samples the growth check compares against.
CREATE TABLE IF NOT EXISTS checklist_runs (
  run_id          text PRIMARY KEY,
  checklist_id    text NOT NULL,
  name            text NOT NULL,
  runbook_version text NOT NULL,
  status          text NOT NULL,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  pass_count      integer NOT NULL DEFAULT 0,
  warn_count      integer NOT NULL DEFAULT 0,
  fail_count      integer NOT NULL DEFAULT 0,
  report_markdown text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS checklist_runs_started_idx ON checklist_runs (started_at DESC);

CREATE TABLE IF NOT EXISTS checklist_items (
  run_id       text NOT NULL REFERENCES checklist_runs (run_id),
  item_key     text NOT NULL,
  item_id      text NOT NULL,
  tier         text,
  title        text NOT NULL,
  kind         text NOT NULL,
  outcome      text,
  summary      text,
  evidence     jsonb NOT NULL DEFAULT '{}'::jsonb,
  signed_by    text,
  note         text,
  incident_ids text[] NOT NULL DEFAULT '{}',
  finished_at  timestamptz,
  PRIMARY KEY (run_id, item_key)
);

CREATE TABLE IF NOT EXISTS checklist_events (
  event_id     text PRIMARY KEY,
  run_id       text NOT NULL REFERENCES checklist_runs (run_id),
  seq          integer NOT NULL,
  kind         text NOT NULL,
  actor        text,
  occurred_at  timestamptz NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'::jsonb,
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run_id, seq)
);

CREATE TABLE IF NOT EXISTS storage_samples (
  run_id     text NOT NULL,
  tier       text NOT NULL,
  database   text NOT NULL,
  bytes      bigint NOT NULL,
  sampled_at timestamptz NOT NULL,
  PRIMARY KEY (run_id, tier)
);
CREATE INDEX IF NOT EXISTS storage_samples_tier_idx ON storage_samples (tier, sampled_at DESC);
