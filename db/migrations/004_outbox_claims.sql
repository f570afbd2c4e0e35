-- Outbox rows are claimed before delivery (claimed_until: a lease, longer than any channel's delivery timeout),
-- so the immediate send and the flushers of every worker deliver each row once. A failed row waits until
-- next_attempt_at (exponential backoff); after the last attempt it is 'dead', and dead_reported_at records that
-- the responders and the incident's timeline were told.
ALTER TABLE notification_outbox
  ADD COLUMN IF NOT EXISTS claimed_until    timestamptz,
  ADD COLUMN IF NOT EXISTS next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN IF NOT EXISTS dead_at          timestamptz,
  ADD COLUMN IF NOT EXISTS dead_reported_at timestamptz;

ALTER TABLE notification_outbox
  ADD CONSTRAINT notification_outbox_status_check CHECK (status IN ('pending', 'delivered', 'dead'));

DROP INDEX IF EXISTS notification_outbox_pending_idx;
CREATE INDEX IF NOT EXISTS notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS notification_outbox_dead_unreported_idx ON notification_outbox (dead_at)
  WHERE status = 'dead' AND dead_reported_at IS NULL;
