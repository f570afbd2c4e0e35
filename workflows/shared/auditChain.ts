import type { AuditEvent } from '../../activities/contracts';

type Written = { hash?: string } | void;

/**
 * A workflow's audit events, written in sequence order so the store's hash chain links them. Each write waits for
 * the previous one; `tail` settles when the last event appended has landed. The sequence counter and the last
 * event's hash live in the workflow's state (`auditSeq`, `auditHash`), carried across continue-as-new.
 *
 * With `writeMany`, the events appended while a write is on its way (or within one workflow activation) go out
 * together in the next write: one activity and one transaction instead of one each (a performance-degradation
 * incident acknowledged and worked through: 17 workflow tasks and 13 activities where it had 21 and 15).
 */
export class AuditChain<Snapshot> {
  tail: Promise<void> = Promise.resolve();
  private pending: AuditEvent[] = [];
  private pendingSnapshot: Snapshot | undefined;

  constructor(
    private readonly subjectId: string,
    private readonly counter: { auditSeq: number; auditHash?: string },
    private readonly writeOne: (event: AuditEvent, snapshot: Snapshot) => Promise<Written>,
    private readonly writeMany?: (events: AuditEvent[], snapshot: Snapshot) => Promise<Written>,
    /**
     * What a batch waits for before it is taken (or nothing): the events recorded meanwhile join it. The opening
     * batch of an incident waits for its opening pages (see IncidentAudit).
     */
    private readonly beforeBatch?: () => Promise<void> | undefined,
  ) {}

  append(kind: string, actor: string | undefined, occurredAt: string, data: Record<string, unknown>, snapshot: Snapshot): Promise<void> {
    const event: AuditEvent = { subjectId: this.subjectId, seq: ++this.counter.auditSeq, kind, actor, occurredAt, data };
    const writeMany = this.writeMany;
    if (!writeMany) {
      this.tail = this.tail.then(async () => {
        const written = await this.writeOne(event, snapshot);
        if (written?.hash) this.counter.auditHash = written.hash;
      });
      return this.tail;
    }
    this.pendingSnapshot = snapshot;
    // The first event of a batch queues its write behind the previous one; the rest join it until it leaves.
    if (this.pending.push(event) === 1) {
      this.tail = this.tail.then(async () => {
        const waitFor = this.beforeBatch?.();
        if (waitFor) await waitFor;
        const events = this.pending;
        this.pending = [];
        const written = await writeMany(events, this.pendingSnapshot!);
        // The head of the chain, kept where no edit of the store reaches: `audit verify` compares it with the store.
        if (written?.hash) this.counter.auditHash = written.hash;
      });
    }
    return this.tail;
  }
}
