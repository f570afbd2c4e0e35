-- Flapping (issue 25): an alert that cleared within its hold paged nobody; its incident's trail holds a
-- `flap-suppressed` event. `dbops report` leaves those out of MTTA, MTTR and counts (nobody was asked to respond) and
-- lists them on their own, read from this small partial index instead of every incident's events.
CREATE INDEX IF NOT EXISTS incident_events_flap_suppressed_idx ON incident_events (incident_id) WHERE kind = 'flap-suppressed';
