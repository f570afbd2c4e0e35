-- The console's sign-ins (issue 24): sessions are kept here, not in the cookie, so signing out or revoking one ends it
-- at once. Only the SHA-256 of the cookie's secret is stored; credential_id ties a session made with a personal token
-- to that token (revoking the token ends its sessions). csrf_token is the session's synchronizer token for its forms.
CREATE TABLE IF NOT EXISTS console_sessions (
  id_hash       text PRIMARY KEY,
  person        text NOT NULL,
  signed_in_by  text NOT NULL CHECK (signed_in_by IN ('oidc', 'token')),
  credential_id bigint REFERENCES api_credentials (id),
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  revoked_at    timestamptz
);
CREATE INDEX IF NOT EXISTS console_sessions_person_idx ON console_sessions (person) WHERE revoked_at IS NULL;

-- An OpenID Connect sign-in under way: its PKCE verifier and nonce, by the hash of its state (which the browser carries
-- in a cookie and back from the provider). Used once; an attempt older than ten minutes is refused.
CREATE TABLE IF NOT EXISTS console_sign_in_attempts (
  state_hash    text PRIMARY KEY,
  code_verifier text NOT NULL,
  nonce         text NOT NULL,
  return_to     text NOT NULL DEFAULT '/',
  created_at    timestamptz NOT NULL DEFAULT now()
);
