import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../../lib/logger';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { SchedulesInForce } from '../../lib/schedules';
import type { SecretKeys } from '../../lib/secretKeys';
import type { Runbook } from '../../runbooks/runbook';
import type { BusinessCalendar } from '../../runbooks/types';
import type { ConsoleSettings } from './consoleSettings';

/** What the console reads and acts through: the API's own context (Temporal, the audit store, the roster in force). */
export interface ConsoleDeps {
  client: Client;
  /** Where workflows the console starts run (a maintenance window's clock). */
  taskQueue: string;
  pool: Pool;
  roster: () => RosterInForce;
  schedules?: () => SchedulesInForce;
  calendar: BusinessCalendar;
  secretKeys?: SecretKeys;
  now?: () => number;
  console?: ConsoleSettings;
  /** The runbook in force (its action policy shows who may press what); the built-in one when absent. */
  runbook?: () => Runbook;
  log: Logger;
}
