import { allHandlersFinished, condition } from '@temporalio/workflow';

/**
 * Waits until no Update or signal handler is mid-flight and the audit chain has nothing pending, so a workflow can
 * end or continue as new without cutting off an accepted Update or an unwritten event. Checks again after each
 * wait: work may arrive while the last write finishes.
 */
export async function settle(auditChain: () => Promise<void>, morePending: () => boolean = () => false): Promise<void> {
  let chain: Promise<void>;
  do {
    chain = auditChain();
    await condition(allHandlersFinished);
    await chain;
  } while (!allHandlersFinished() || chain !== auditChain() || morePending());
}
