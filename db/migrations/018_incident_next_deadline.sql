-- Each incident's next deadline (workflows/incident/nextDeadline.ts), written with its audit events like the rest of
-- its row, so the console's list and `dbops incident list` read it here instead of asking 5,000 workflows (each a
-- replay when out of the worker's cache). next_deadline: 'response due', 'next escalation', 'snooze ends', 'none';
-- NULL for a row last written before this column (lists then ask the workflow).
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS next_deadline text;
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS next_deadline_at timestamptz;
