-- `dbops report` with thousands of incidents: the window on opened_at is read from an index instead of the whole
-- table, and "was its response SLA missed?" probes a small partial index instead of each incident's events.
CREATE INDEX IF NOT EXISTS incidents_opened_at_idx ON incidents (opened_at);
CREATE INDEX IF NOT EXISTS incident_events_response_missed_idx ON incident_events (incident_id) WHERE kind = 'response-sla-missed';
