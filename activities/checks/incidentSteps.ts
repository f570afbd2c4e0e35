import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { OUTCOME_UNKNOWN, type Tier } from '../../runbooks/types';
import * as checks from './databaseChecks';
import type { NotificationChannel } from '../notify/channels';
import type { Outbox } from '../notify/outbox';
import { runShellCommand } from '../hooks/shellCommand';
import { whileHeartbeating } from '../hooks/whileHeartbeating';
import type { StepInput, StepResult } from '../contracts';
import { probePools, runProbeQuery } from './runProbe';
import { tierPoolOf } from './tierPool';
import type { TierPools } from '../../lib/tierPools';

export interface StepDependencies {
  outbox: Outbox;
  tierPools: TierPools;
  channels: NotificationChannel[];
  auditPool: Pool;
  adminStatusUrl?: string;
  failover: { command?: string; url?: string };
  thresholds: checks.Thresholds;
  allowedCidrs: string[];
  /** Superuser roles that are expected, not a security event (the embedded demo server runs everything as one). */
  allowedSuperusers?: string[];
}

const fromCheck = (r: checks.CheckResult): StepResult => ({
  outcome: r.outcome,
  summary: r.summary,
  evidence: { ...r.evidence, breaches: r.breaches },
});

/** The automated steps of the incident runbooks (runbooks/types.ts AUTOMATED_ACTIONS), one function each. */
export function createStepActivities(d: StepDependencies) {
  const tierPool = (tier: Tier) => tierPoolOf(d.tierPools, tier);
  const probePool = probePools((tier) => tierPool(tier));
  return {
    /** A runbook file's declarative SQL probe (runbooks/types.ts ProbeStep). */
    async runProbe(input: StepInput): Promise<StepResult> {
      if (!input.probe) throw ApplicationFailure.nonRetryable('runProbe needs the probe to run', 'NotConfigured');
      return runProbeQuery(probePool(input.tier, input.probe.connectionEnv), input.probe);
    },

    async checkServiceStatus(input: StepInput): Promise<StepResult> {
      if (!d.adminStatusUrl) {
        throw ApplicationFailure.nonRetryable('no admin panel status URL is configured: set DBOPS_ADMIN_STATUS_URL', 'NotConfigured');
      }
      const started = Date.now();
      try {
        const res = await fetch(d.adminStatusUrl, { signal: AbortSignal.timeout(5000) });
        const evidence = { status: res.status, latencyMs: Date.now() - started, checkedAt: input.now };
        return res.ok
          ? { outcome: 'pass', summary: `admin panel answered ${res.status}`, evidence }
          : { outcome: 'fail', summary: `admin panel unhealthy: HTTP ${res.status}`, evidence };
      } catch (err) {
        return { outcome: 'fail', summary: 'admin panel down', evidence: { error: (err as Error).message, checkedAt: input.now } };
      }
    },

    async checkMonitoringAlerts(input: StepInput): Promise<StepResult> {
      const pool = tierPool(input.tier);
      const [queries, pools] = await Promise.all([
        checks.checkActiveQueries(pool, { thresholds: d.thresholds, scope: 'database' }),
        checks.checkConnectionPools(pool, { tier: input.tier, thresholds: d.thresholds }),
      ]);
      const breaches = [...queries.breaches, ...pools.breaches];
      return {
        outcome: breaches.length ? 'fail' : queries.outcome === 'warn' || pools.outcome === 'warn' ? 'warn' : 'pass',
        summary: breaches.length ? breaches.map((b) => b.detail).join('; ') : 'no alert thresholds breached',
        evidence: { queries: queries.evidence, pools: pools.evidence, breaches },
      };
    },

    async checkConnectivity(input: StepInput): Promise<StepResult> {
      return fromCheck(await checks.checkConnectivity(tierPool(input.tier), { timeoutMs: 5000 }));
    },

    async checkActiveQueries(input: StepInput): Promise<StepResult> {
      return fromCheck(await checks.checkActiveQueries(tierPool(input.tier), { thresholds: d.thresholds, scope: 'database' }));
    },

    async checkConnectionPools(input: StepInput): Promise<StepResult> {
      return fromCheck(await checks.checkConnectionPools(tierPool(input.tier), { tier: input.tier, thresholds: d.thresholds }));
    },

    async checkIndexUsage(input: StepInput): Promise<StepResult> {
      return fromCheck(await checks.checkIndexUsage(tierPool(input.tier)));
    },

    async checkSecurityEvents(input: StepInput): Promise<StepResult> {
      return fromCheck(
        await checks.checkSecurityEvents(tierPool(input.tier), { allowedCidrs: d.allowedCidrs, allowedSuperusers: d.allowedSuperusers }),
      );
    },

    async notifyStakeholders(input: StepInput): Promise<StepResult> {
      const recipients = input.recipients ?? [];
      const sent = await d.outbox.send({
        notificationId: `${input.incidentId}:stakeholders`,
        subjectId: input.incidentId,
        kind: 'stakeholder',
        message: `Stakeholder notice for ${input.incidentId}: ${input.title}`,
        recipients,
        occurredAt: input.now,
      });
      return {
        outcome: 'pass',
        summary: `notified ${recipients.length} stakeholders`,
        evidence: { recipients: recipients.map((r) => r.id), ...sent },
      };
    },

    async executeFailover(input: StepInput): Promise<StepResult> {
      if (d.failover.command) return runFailoverCommand(d.failover.command, input);
      if (d.failover.url) return callFailoverUrl(d.failover.url, input);
      throw ApplicationFailure.nonRetryable(
        'no failover hook is configured: set DBOPS_FAILOVER_COMMAND or DBOPS_FAILOVER_URL',
        'NotConfigured',
      );
    },
  };
}

const mayHaveRun = (why: string) =>
  ApplicationFailure.retryable(`outcome unknown: the failover hook ${why} and may have run; check before retrying`, OUTCOME_UNKNOWN);

/** Runs the configured failover command with the tier, incident and idempotency key in its environment. */
function runFailoverCommand(command: string, input: StepInput): Promise<StepResult> {
  return whileHeartbeating(async (cancelled) => {
    const env = { DBOPS_TIER: input.tier, DBOPS_INCIDENT_ID: input.incidentId, DBOPS_IDEMPOTENCY_KEY: input.idempotencyKey };
    // Normally the attempt's cancellation stops the hook; this is for a worker that cannot hear it (server unreachable).
    const timeoutMs = Context.current().info.startToCloseTimeoutMs + 5000;
    const { exitCode, output, killedFor } = await runShellCommand(command, env, { timeoutMs, signal: cancelled });
    if (killedFor) throw mayHaveRun(`was killed mid-run (${killedFor})`);
    if (exitCode !== 0) throw new Error(`failover command exited with ${exitCode}: ${output}`);
    return { outcome: 'pass', summary: 'failover command succeeded', evidence: { exitCode, output } };
  });
}

/** POSTs the failover request, with its idempotency key, to the configured URL. */
function callFailoverUrl(url: string, input: StepInput): Promise<StepResult> {
  return whileHeartbeating(async (cancelled) => {
    const answeredWithin = AbortSignal.timeout(60_000);
    let res: Response;
    let body: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': input.idempotencyKey },
        body: JSON.stringify({
          tier: input.tier,
          incidentId: input.incidentId,
          requestedAt: input.now,
          idempotencyKey: input.idempotencyKey,
        }),
        signal: AbortSignal.any([cancelled, answeredWithin]),
      });
      body = (await res.text()).slice(0, 2000);
    } catch (err) {
      // The request may have reached the hook before we stopped waiting for its answer.
      if (answeredWithin.aborted) throw mayHaveRun('did not answer within 60 s');
      if (cancelled.aborted) throw mayHaveRun(`was abandoned mid-request (${(cancelled.reason as Error)?.message})`);
      throw err;
    }
    if (!res.ok) throw new Error(`failover hook answered ${res.status}: ${body}`);
    return { outcome: 'pass', summary: `failover hook answered ${res.status}`, evidence: { status: res.status, body } };
  });
}
