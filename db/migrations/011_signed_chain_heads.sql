-- Each incident's chain head (event_count, last_hash) signed with a key the store does not hold (DBOPS_SECRET_KEY):
-- a forger who recomputes the chain and rewrites the anchor cannot sign it, so `audit verify` without Temporal sees it.
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS head_signature text;
