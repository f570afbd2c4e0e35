-- On-call overrides (issue 23): a person takes a role for a window, over the schedule and the roster. `replaces`
-- keeps who held the role in that window when it was made (they may remove it); the two overrides of a swap share
-- swap_id (the first one's id) and are made and removed together.
CREATE TABLE IF NOT EXISTS oncall_overrides (
  id          bigserial PRIMARY KEY,
  role        text NOT NULL,
  person      text NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
  replaces    text[] NOT NULL DEFAULT '{}',
  swap_id     bigint,
  reason      text NOT NULL DEFAULT '',
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS oncall_overrides_role_end_idx ON oncall_overrides (role, ends_at);

-- Every creation and removal of an override, with who did it and the roster and schedules versions they acted
-- under; the override as it was is kept here, so a removed one stays explained.
CREATE TABLE IF NOT EXISTS oncall_override_events (
  id               bigserial PRIMARY KEY,
  override_id      bigint NOT NULL,
  action           text NOT NULL CHECK (action IN ('created', 'deleted')),
  actor            text NOT NULL,
  at               timestamptz NOT NULL DEFAULT now(),
  roster_version   text NOT NULL,
  schedule_version text NOT NULL,
  override         jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS oncall_override_events_override_idx ON oncall_override_events (override_id);
