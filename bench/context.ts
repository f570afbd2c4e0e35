import path from 'node:path';
import { loadRoster } from '../lib/roster';
import type { BusinessCalendar } from '../runbooks/types';
import type { BenchStack } from './provision';
import type { ScratchDatabase } from '../dev/scratchDatabase';
import type { WorkerTuning } from '../workers/createWorker';

/** What every benchmark gets from bench/run.ts: the running servers and the one scratch database. */
export interface BenchContext {
  stack: BenchStack;
  db: ScratchDatabase;
  /** Worker limits from the command line (--max-cached …), applied to dbops' and the baseline's workers alike. */
  tuning?: WorkerTuning;
  options: BenchOptions;
}

/** What `npm run bench -- …` asked for. */
export interface BenchOptions {
  /** --burst [N]: N distinct alerts at once (default 2,000); off by default, it takes minutes. */
  burst?: number;
  /** --storm [N]: N alerts over 10 keys through the HTTP intake (default 10,000); off by default. */
  storm?: number;
  /** --alertmanager-group [N]: N alerts as one group from a real Alertmanager (default 2,000); off by default. */
  alertmanagerGroup?: number;
  /** --alertmanager-severity S: the severity label of that group's alerts (default warning). */
  alertmanagerSeverity?: 'warning' | 'critical';
  /** --critical-in-storm: 20 critical alerts in the middle of 2,000 low ones; off by default. */
  criticalInStorm?: boolean;
  /** --outage-storm [N]: an oltp outage open, then N alerts on olap, half of them its symptoms (default 2,000). */
  outageStorm?: number;
  /** --open [N]: N open incidents, then worker RSS and CLI timings (default 5,000); off by default. */
  open?: number;
  /** --big-tier: the morning checklist against a tier of 1 M jobs and 0.5 M e-mail messages; off by default. */
  bigTier?: boolean;
}

export const roster = loadRoster(path.resolve(__dirname, '../config/roster.example.json'));
// UTC and Monday–Friday: the defaults of a fresh install, so "next business day" escalations match them.
export const calendar: BusinessCalendar = { timeZone: 'UTC', workdays: [1, 2, 3, 4, 5], dayStartHour: 9 };

/** A fingerprint no earlier run used: the dev server keeps completed workflows, and their ids would collide. */
export const uniqueFingerprint = (label: string) => `bench-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
