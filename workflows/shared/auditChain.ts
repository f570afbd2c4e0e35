import type { AuditEvent } from '../../activities/contracts';

/**
 * A workflow's audit events, written one after another in sequence order so the store's hash chain links them.
 * Each append is scheduled behind the previous write; `tail` settles when the last one has landed. The sequence
 * counter and the last event's hash live in the workflow's state (`auditSeq`, `auditHash`), carried across
 * continue-as-new.
 */
export class AuditChain<Snapshot> {
  tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly subjectId: string,
    private readonly counter: { auditSeq: number; auditHash?: string },
    private readonly write: (event: AuditEvent, snapshot: Snapshot) => Promise<{ hash?: string } | void>,
  ) {}

  append(kind: string, actor: string | undefined, occurredAt: string, data: Record<string, unknown>, snapshot: Snapshot): Promise<void> {
    const event: AuditEvent = { subjectId: this.subjectId, seq: ++this.counter.auditSeq, kind, actor, occurredAt, data };
    this.tail = this.tail.then(async () => {
      const written = await this.write(event, snapshot);
      // The head of the chain, kept where no edit of the store reaches: `audit verify` compares it with the store.
      if (written?.hash) this.counter.auditHash = written.hash;
    });
    return this.tail;
  }
}
