-- The head of each audit chain (how many events, and the last one's hash), kept on the subject's row in the same
-- transaction as each event: deleting the last event, or rewriting the chain, no longer looks intact.
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS event_count integer NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS last_hash text;
ALTER TABLE checklist_runs ADD COLUMN IF NOT EXISTS event_count integer NOT NULL DEFAULT 0;
ALTER TABLE checklist_runs ADD COLUMN IF NOT EXISTS last_hash text;
