-- A page reaches every channel of every person on the rung: a per-person channel (e-mail, a person's signed
-- webhook) has one outbox row per person, `<notificationId>@<channel>:<person>`, with the person here. Team
-- channels (the log, the team webhook) keep one row, `<notificationId>@<channel>`, and person NULL.
ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS person text;
-- `incident show` lists an incident's deliveries.
CREATE INDEX IF NOT EXISTS notification_outbox_subject_idx ON notification_outbox (subject_id, created_at);

-- Acknowledge links from pages work once: the link's id is kept when it acknowledged the incident, in the same
-- transaction as the claim, so two clicks racing each other acknowledge once and the second is refused.
CREATE TABLE IF NOT EXISTS used_page_links (
  link_id     text PRIMARY KEY,
  incident_id text NOT NULL,
  person      text NOT NULL,
  used_at     timestamptz NOT NULL DEFAULT now()
);
