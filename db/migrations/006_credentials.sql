-- Who may call the dbops API: personal tokens (kind 'person', subject = roster id) and alert-source keys (kind
-- 'integration', subject = the integration's name). Only SHA-256 hashes of the secrets are kept; revoking sets
-- revoked_at and keeps the row, so the audit trail's actors stay explained.
CREATE TABLE IF NOT EXISTS api_credentials (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('person', 'integration')),
  subject     text NOT NULL,
  label       text NOT NULL DEFAULT '',
  secret_hash text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX IF NOT EXISTS api_credentials_subject_idx ON api_credentials (kind, subject) WHERE revoked_at IS NULL;

-- Signed alerts seen within their window: a signature replayed inside the 5 minutes is refused, on every intake.
CREATE TABLE IF NOT EXISTS intake_signatures (
  signature text PRIMARY KEY,
  seen_at   timestamptz NOT NULL DEFAULT now()
);
