-- Maintenance windows (issue 25): alerts a window's scope matches are held while one of its occurrences is active,
-- recorded on their incident key, and opened (or re-paged) when it ends. A window is a single span or a weekly one;
-- its Temporal workflow (maintenance/<id>) activates each occurrence at its start and releases it at its end.
CREATE TABLE IF NOT EXISTS maintenance_windows (
  id          bigserial PRIMARY KEY,
  reason      text NOT NULL,
  scope       jsonb NOT NULL,
  timing      jsonb NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz,
  ended_by    text,
  end_reason  text
);

-- One occurrence of a window, from the moment its workflow activated it until it released its alerts. The intake
-- holds an alert only against an active, unreleased occurrence (FOR SHARE), and the release takes the row (FOR
-- UPDATE), so an alert is either held and then released, or paged: never held after its window let go.
CREATE TABLE IF NOT EXISTS maintenance_occurrences (
  id           bigserial PRIMARY KEY,
  window_id    bigint NOT NULL REFERENCES maintenance_windows (id),
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
  activated_at timestamptz NOT NULL,
  released_at  timestamptz,
  UNIQUE (window_id, starts_at)
);
CREATE INDEX IF NOT EXISTS maintenance_occurrences_active_idx ON maintenance_occurrences (ends_at) WHERE released_at IS NULL;

-- Each alert held (by integration and the source's dedup key) during an occurrence, on its incident key: counted,
-- its last words kept, and whether it was still firing when the occurrence ended; `outcome` says what the release
-- did with it (opened, re-paged, resolved in the window).
CREATE TABLE IF NOT EXISTS maintenance_held_alerts (
  id             bigserial PRIMARY KEY,
  occurrence_id  bigint NOT NULL REFERENCES maintenance_occurrences (id),
  integration    text NOT NULL,
  dedup_key      text NOT NULL,
  incident_key   text NOT NULL,
  alert          jsonb NOT NULL,
  count          integer NOT NULL DEFAULT 1,
  first_at       timestamptz NOT NULL,
  last_at        timestamptz NOT NULL,
  firing         boolean NOT NULL DEFAULT true,
  resolved_at    timestamptz,
  outcome        text,
  workflow_id    text,
  UNIQUE (occurrence_id, integration, dedup_key)
);
CREATE INDEX IF NOT EXISTS maintenance_held_alerts_key_idx ON maintenance_held_alerts (integration, dedup_key) WHERE outcome IS NULL;

-- The audit of windows: made, ended early, each occurrence released (with what it held), and who and why.
CREATE TABLE IF NOT EXISTS maintenance_window_events (
  id             bigserial PRIMARY KEY,
  window_id      bigint NOT NULL,
  action         text NOT NULL CHECK (action IN ('created', 'ended', 'released')),
  actor          text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  roster_version text,
  reason         text,
  data           jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS maintenance_window_events_window_idx ON maintenance_window_events (window_id);

-- Grouping by topology: each incident the intake opened for an outage of a tier's primary, or for a replica's symptom
-- (lag, connections), so that a replica's alert joins its primary's open outage, and a primary's outage that opens
-- soon after a replica's incident links it. Closed incidents are recognised by Temporal (the Update is refused).
CREATE TABLE IF NOT EXISTS topology_incidents (
  workflow_id  text NOT NULL,
  first_run_id text NOT NULL,
  incident_id  text,
  tier         text NOT NULL,
  node         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('primary-outage', 'replica-symptom')),
  opened_at    timestamptz NOT NULL,
  PRIMARY KEY (workflow_id, first_run_id)
);
CREATE INDEX IF NOT EXISTS topology_incidents_tier_idx ON topology_incidents (tier, role, opened_at);
