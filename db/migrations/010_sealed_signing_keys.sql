-- A copy of the store alone must not sign an alert (issue 22). A signed alert is keyed with sha256hex(integration
-- key), and secret_hash held exactly that. From here secret_hash is the SHA-256 of it (existing keys and tokens keep
-- working as bearer credentials: the API hashes what it is given twice), and an integration's signing key is kept
-- only sealed (AES-256-GCM) with DBOPS_SECRET_KEY, which the store never holds: signing_key is base64 of IV, tag and
-- ciphertext, signing_key_id the id of the key that sealed it (rotation). Keys issued before this migration have no
-- sealed signing key: their signatures are refused until they are issued again (README, "Signed alerts").
ALTER TABLE api_credentials ADD COLUMN IF NOT EXISTS signing_key text;
ALTER TABLE api_credentials ADD COLUMN IF NOT EXISTS signing_key_id text;
UPDATE api_credentials SET secret_hash = encode(sha256(convert_to(secret_hash, 'UTF8')), 'hex');
