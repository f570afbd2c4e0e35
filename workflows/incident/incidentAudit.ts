import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { DbopsActivities } from '../../activities';
import type { NotificationRequest } from '../../activities/contracts';
import type { NotifyResult } from '../../activities/notify/notifyActivity';
import type { Contact } from '../../runbooks/plan';
import type { Role } from '../../runbooks/types';
import { AuditChain } from '../shared/auditChain';
import { pagesTaskQueue } from '../shared/taskQueues';
import { iso } from '../shared/time';
import type { IncidentState, IncidentTrigger } from './messages';
import { snapshotOf } from './state';

const TIMELINE_KEPT = 200;

/** Audit and notification writes: short, retried until they succeed (they are idempotent). */
const WRITES = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
} as const;
const { recordIncidentEvent, recordIncidentEvents, notify } = proxyActivities<DbopsActivities>(WRITES);
/**
 * The opening page, run by the worker that runs the incident's first task, at once: no round trip through the
 * server and no wait in the task queue behind other incidents' audit writes and checks (see ladder.ts).
 */
const { notify: notifyAtOnce } = proxyLocalActivities<DbopsActivities>({
  ...WRITES,
  // A failed attempt (the store down: the page went out directly and the attempt fails so that a retry records it)
  // waits for its retry on a workflow timer, not inside the first task: the audit and the ladder's clock go on, and
  // a worker told to stop is not held by a task that retries for as long as the store is away.
  localRetryThreshold: '100 milliseconds',
});

/**
 * The opening audit batch, written in the first workflow task (OPENING_AT_ONCE), tried once and briefly: an Update
 * (an acknowledgement) that arrives meanwhile waits for the task, so a store that does not answer at once (stalled
 * by a lock, down) must not hold it. Such a batch goes on as an ordinary write, retried through the server.
 */
const { recordIncidentEvents: recordOpeningAtOnce } = proxyLocalActivities<DbopsActivities>({
  startToCloseTimeout: '2 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * What an incident records and sends: the timeline, its audit events in order, and notifications. Counts the
 * activities it has in flight, so the workflow continues as new only when none is running.
 */
export class IncidentAudit {
  activitiesInFlight = 0;
  // An alert storm must not become a storm of audit writes: repeats are counted at once and written as one
  // 'retriggered' event per burst, always ahead of the next event the incident records.
  private repeatsUnrecorded = 0;
  private lastRepeat: IncidentTrigger | undefined;
  private readonly chain: AuditChain<ReturnType<typeof snapshotOf>>;
  private readonly notifyLater: typeof notify;
  /** The opening pages sent at once and not yet answered, while the opening batch waits for them. */
  private readonly openingPages = new Set<Promise<unknown>>();

  /**
   * `stormReady` (see versions.ts): events gathered while a write is on its way go out together, and pages after the
   * opening one go to the pages task queue. `openingAtOnce` (OPENING_AT_ONCE: a critical incident's first start): the
   * first batch waits for the opening pages and is written as a local activity in the same workflow task.
   */
  constructor(
    private readonly s: IncidentState,
    stormReady: boolean,
    private openingAtOnce = false,
  ) {
    this.notifyLater = stormReady
      ? proxyActivities<DbopsActivities>({ ...WRITES, taskQueue: pagesTaskQueue(workflowInfo().taskQueue) }).notify
      : notify;
    this.chain = new AuditChain(
      s.incidentId,
      s,
      (event, snapshot) => this.tracked(() => recordIncidentEvent(event, snapshot)),
      stormReady ? (events, snapshot) => this.tracked(() => this.writeBatch(events, snapshot)) : undefined,
      () => (this.openingAtOnce ? this.openingPagesSent() : undefined),
    );
  }

  private async writeBatch(events: Parameters<typeof recordIncidentEvents>[0], snapshot: Parameters<typeof recordIncidentEvents>[1]) {
    if (!this.openingAtOnce) return recordIncidentEvents(events, snapshot);
    this.openingAtOnce = false;
    try {
      return await recordOpeningAtOnce(events, snapshot);
    } catch {
      // The write is idempotent (event ids): one that landed after its attempt timed out is not written twice.
      return await recordIncidentEvents(events, snapshot);
    } finally {
      // The repeats the opening held back (flushRepeats) follow it.
      void this.flushRepeats();
    }
  }

  /**
   * Until the opening pages are answered. Two local activities at once end in an order replay cannot repeat, and the
   * `paged` events a page's answer records belong in the opening batch: so the batch's write starts after them.
   */
  private async openingPagesSent(): Promise<void> {
    while (this.openingPages.size) await Promise.allSettled([...this.openingPages]);
  }

  /** Settles when every event appended so far has been written. */
  get tail(): Promise<void> {
    return this.chain.tail;
  }

  get hasUnrecordedRepeats(): boolean {
    return this.repeatsUnrecorded > 0;
  }

  /** Appends to the timeline and writes the audit event (behind any repeats not yet recorded). */
  record(kind: string, actor: string | undefined, data: Record<string, unknown> = {}, detail?: string): Promise<void> {
    void this.flushRepeats();
    return this.append(kind, actor, data, detail);
  }

  /** A repeat of the trigger: counted now, recorded with the rest of its burst. */
  countRepeat(trigger: IncidentTrigger): void {
    this.lastRepeat = trigger;
    // The first repeat of a burst schedules a write once the pending ones land; later ones join it.
    if (++this.repeatsUnrecorded === 1) void this.chain.tail.then(() => this.flushRepeats());
  }

  /**
   * `roles`: the notify activity sends to who holds them in the roster in force, `recipients` being the fallback.
   * `atOnce`: as a local activity (the opening page only). `cause`: what makes this notification the one it is (a
   * page's rung and pass): its id then never depends on the audit sequence, which repeats arriving during a retried
   * task can move. `page`: a page's fallback rungs and diagnosis (oncall-pages runs). Resolves to who the notification
   * reached, when the worker knows the roster in force, and the gaps it went around.
   */
  send(
    kind: NotificationRequest['kind'],
    recipients: Contact[],
    message: string,
    roles?: Role[],
    atOnce = false,
    cause?: string,
    page?: Pick<NotificationRequest, 'fallback' | 'diagnosis'>,
  ): Promise<NotifyResult> {
    const s = this.s;
    const notificationId = `${s.incidentId}:${kind}:${cause ?? s.auditSeq}:${recipients.map((r) => r.id).join(',')}`;
    const request = {
      notificationId,
      subjectId: s.incidentId,
      kind,
      // A drill says so in every notification, before anything else a person reads.
      message: s.drill ? `[DRILL] ${message}` : message,
      ...(s.drill && { drill: true }),
      recipients,
      occurredAt: iso(Date.now()),
      ...(roles && { roles }),
      ...page,
    };
    const sent = this.tracked(() => (atOnce ? notifyAtOnce(request) : this.notifyLater(request)));
    if (atOnce && this.openingAtOnce) {
      this.openingPages.add(sent);
      void sent.finally(() => this.openingPages.delete(sent)).catch(() => undefined);
    }
    return sent;
  }

  async tracked<T>(fn: () => Promise<T>): Promise<T> {
    this.activitiesInFlight++;
    try {
      return await fn();
    } finally {
      this.activitiesInFlight--;
    }
  }

  private flushRepeats(): Promise<void> {
    // Repeats never join an opening written at once: a first task retried after its worker died, with repeats arrived
    // meanwhile, then writes the same opening (the same events under the same sequence numbers) that the lost task's
    // local activity may already have stored, and the repeats after it.
    if (!this.repeatsUnrecorded || this.openingAtOnce) return this.chain.tail;
    const repeats = this.repeatsUnrecorded;
    this.repeatsUnrecorded = 0;
    const last = this.lastRepeat!;
    return this.append('retriggered', last.by, { source: last.source, summary: last.summary, repeats, count: this.s.triggerCount });
  }

  private append(kind: string, actor: string | undefined, data: Record<string, unknown>, detail?: string): Promise<void> {
    const s = this.s;
    const at = iso(Date.now());
    s.timeline.push({ at, kind, actor, detail });
    if (s.timeline.length > TIMELINE_KEPT) s.timeline.splice(0, s.timeline.length - TIMELINE_KEPT);
    return this.chain.append(kind, actor, at, data, snapshotOf(s));
  }
}
