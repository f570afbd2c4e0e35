import type { ConsoleSettings } from '../console/consoleSettings';
import type { Pool } from 'pg';
import type { RosterInForce } from '../../lib/rosterInForce';
import type { SecretKeys } from '../../lib/secretKeys';
import type { SchedulesInForce } from '../../lib/schedules';
import type { RoutingConfig } from '../../runbooks/alertRouting';
import type { OpenIncidentContext } from '../incidents/openIncident';

/** What the API needs: Temporal (to open and act), the audit store (credentials), and the roster in force. */
export interface ApiContext extends Omit<OpenIncidentContext, 'roster'> {
  pool: Pool;
  roster: () => RosterInForce;
  /** The on-call schedules in force (DBOPS_SCHEDULES); absent: every role is held by its people on the roster. */
  schedules?: () => SchedulesInForce;
  /** Requests a minute per credential (bursts up to as many); more get 429 with Retry-After. */
  rateLimitPerMinute: number;
  /** How monitoring alerts become incidents (DBOPS_ROUTING); default: the built-in routing. */
  routing?: RoutingConfig | (() => RoutingConfig);
  now?: () => number;
  /** The Temporal server's time, where it is not this machine's (a time-skipping test server); default Date.now. */
  temporalClock?: () => number | Promise<number>;
  /** DBOPS_PUBLIC_URL: where people reach this API and its console (pages link incidents there); default: the request's origin. */
  publicUrl?: string;
  /** DBOPS_LINK_SECRET: verifies the ack and open links in pages (/links/…); unset, those links are refused. */
  pageLinkSecret?: string;
  /** How long a request may wait on Temporal and the store before it answers 503 (DBOPS_API_DEADLINE_SECONDS). */
  deadlineMs?: number;
  /** DBOPS_SECRET_KEY: opens the integrations' signing keys the store keeps sealed; unset, signed alerts are refused. */
  secretKeys?: SecretKeys;
  /** DBOPS_DRILL_OVERDUE_DAYS: a runbook with no drill in this many days is listed as overdue (default 90). */
  drillOverdueDays?: number;
  /** The web console's sign-in and links (client/console/consoleSettings.ts); absent: personal-token sign-in only. */
  console?: ConsoleSettings;
}
