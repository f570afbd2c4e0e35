-- On-call handoff notices and calendar feed revocations.
-- Handoff notices (issue 23): one row per person told at a handoff of a role, written in the activity that queues
-- the notice, keyed by its notification id (role, instant, person), so a retried or repeated telling adds nothing.
-- The open incidents that changed hands are kept as they were told (INC id, title, severity, phase).
CREATE TABLE IF NOT EXISTS oncall_handoff_notices (
  notification_id  text PRIMARY KEY,
  role             text NOT NULL,
  handoff_at       timestamptz NOT NULL,
  person           text NOT NULL,
  direction        text NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  outgoing         text[] NOT NULL,
  incoming         text[] NOT NULL,
  incidents        jsonb NOT NULL,
  roster_version   text NOT NULL,
  schedule_version text NOT NULL,
  told_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS oncall_handoff_notices_at_idx ON oncall_handoff_notices (handoff_at, role);

-- Calendar feed URLs revoked one feed at a time (issue 23): a feed's URL carries its generation, the number of
-- revocations of that feed when it was made; one made before the latest revocation is refused. Each row says who
-- revoked and under which roster.
CREATE TABLE IF NOT EXISTS calendar_feed_revocations (
  id             bigserial PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('person', 'role')),
  subject        text NOT NULL,
  revoked_by     text NOT NULL,
  roster_version text NOT NULL,
  revoked_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS calendar_feed_revocations_feed_idx ON calendar_feed_revocations (kind, subject);
