-- Drills (issue 26; docs/drills.md): an incident opened as a drill is marked on its row, so the SLA report leaves it
-- out, and has a row here, written with its audit events (db/audit/writeEvents.ts): who acknowledged it and how
-- long that took. A runbook's (incident type's) last test is its latest drill here; `dbops report` lists the
-- runbooks with none within the configured days.
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS drill boolean NOT NULL DEFAULT false;

CREATE TABLE IF NOT EXISTS drills (
  incident_id      text PRIMARY KEY REFERENCES incidents (incident_id),
  type             text NOT NULL,
  tier             text NOT NULL,
  opened_at        timestamptz NOT NULL,
  acknowledged_by  text,
  acknowledged_at  timestamptz,
  -- acknowledged_at - opened_at, kept so a person's times read without arithmetic in every report
  ack_seconds      double precision,
  resolved_at      timestamptz
);
CREATE INDEX IF NOT EXISTS drills_type_opened_idx ON drills (type, opened_at DESC);
