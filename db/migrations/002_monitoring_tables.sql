-- The monitoring tables the runbook's queries read (database-operations-guide.md). In production they live in
-- each tier's database; dbops creates them here for the demo and the tests.
CREATE TABLE IF NOT EXISTS connection_pool_config (
  id              serial PRIMARY KEY,
  tier            text NOT NULL,
  pool_name       text NOT NULL,
  min_connections integer NOT NULL,
  max_connections integer NOT NULL,
  UNIQUE (tier, pool_name)
);

CREATE TABLE IF NOT EXISTS connection_pool_metrics (
  id                    bigserial PRIMARY KEY,
  pool_config_id        integer NOT NULL REFERENCES connection_pool_config (id),
  active_connections    integer NOT NULL,
  idle_connections      integer NOT NULL,
  connection_usage_rate numeric(5, 2) NOT NULL,
  pending_acquires      integer NOT NULL DEFAULT 0,
  collected_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS connection_pool_metrics_recent_idx ON connection_pool_metrics (collected_at DESC);

CREATE TABLE IF NOT EXISTS email_messages (
  id      bigserial PRIMARY KEY,
  created timestamptz NOT NULL DEFAULT now(),
  content text NOT NULL
);

CREATE TABLE IF NOT EXISTS jobs (
  id        bigserial PRIMARY KEY,
  priority  text NOT NULL CHECK (priority IN ('critical', 'high', 'normal', 'low')),
  status    text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  created   timestamptz NOT NULL DEFAULT now(),
  completed timestamptz
);
CREATE INDEX IF NOT EXISTS jobs_status_idx ON jobs (status, priority);
