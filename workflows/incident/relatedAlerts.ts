import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { requireText, storableText } from '../shared/inputChecks';
import { iso } from '../shared/time';
import { isResolved, type IncidentContext } from './context';
import { pagedRungs } from './ladder';
import { linkedIntoUpdate, maintenanceEndedUpdate, relateAlertUpdate, relatedAlertSignal, type RelatedAlert } from './messages';

/** Related alerts kept in the state (carried across continue-as-new); the audit store keeps every one. */
const RELATED_KEPT = 20;

/**
 * What alert grouping and maintenance windows ask of an open incident (alert-grouping runs, versions.ts). These come
 * from the dbops API and the maintenance workflow's activity, never from a person: the validators check that the
 * incident is open (a resolved one refuses, and the caller pages instead) and that the text is storable.
 */
export function registerRelatedAlertHandlers(ctx: IncidentContext): void {
  const { plan, s, audit } = ctx;
  const requireOpen = () => {
    if (isResolved(s)) throw ApplicationFailure.nonRetryable(`incident ${s.incidentId} is already resolved`, 'AlreadyResolved');
  };

  const relate = (a: Omit<RelatedAlert, 'at'>) => {
    const related: RelatedAlert = {
      ...a,
      at: iso(Date.now()),
      by: storableText('actor', a.by) || 'dbops',
      title: storableText('title', a.title) ?? '',
      summary: storableText('summary', a.summary),
      why: storableText('reason', a.why) ?? '',
    };
    s.related ??= { count: 0, recent: [] };
    s.related.count++;
    s.related.recent.push(related);
    if (s.related.recent.length > RELATED_KEPT) s.related.recent.splice(0, s.related.recent.length - RELATED_KEPT);
    const what = related.incidentId ? `incident ${related.incidentId}` : `${related.type} on ${related.node ?? related.tier}`;
    // A signal cannot be refused: one that reaches the incident after it resolved is recorded as such.
    const late = isResolved(s) ? ' (arrived after the incident was resolved)' : '';
    void audit.record('related-alert', related.by, { ...related, count: s.related.count }, `${what}: ${related.why}${late}`);
    return { count: s.related.count, incidentId: s.incidentId };
  };

  setHandler(relateAlertUpdate, async (a) => relate(a), {
    validator: (a) => {
      requireText('actor', a.by);
      requireText('title', a.title);
      requireText('summary', a.summary, true);
      requireText('reason', a.why);
      requireOpen();
    },
    description: 'an alert of the same cause joins this incident instead of paging (grouping by topology)',
  });
  // Never throws (a signal handler that throws fails the incident's task): its text is made storable instead.
  setHandler(relatedAlertSignal, (a) => void relate(a), {
    description: 'the same as relateAlert, sent once this incident has confirmed it is open and groups alerts',
  });

  setHandler(
    linkedIntoUpdate,
    async (l) => {
      s.linkedTo = { incidentId: l.incidentId, workflowId: l.workflowId, why: l.why };
      void audit.record('linked-into', l.by, { ...s.linkedTo }, `same cause as ${l.incidentId}: ${l.why}`);
      return { incidentId: s.incidentId };
    },
    {
      validator: (l) => {
        requireText('actor', l.by);
        requireText('reason', l.why);
        requireOpen();
      },
      description: 'a later incident of the same cause took this one in as related (both stay open; this one’s pages stand)',
    },
  );

  setHandler(
    maintenanceEndedUpdate,
    async (m) => {
      const rungs = pagedRungs(plan, s);
      void audit.record(
        'maintenance-ended',
        'dbops',
        { ...m },
        `maintenance window ${m.windowId} ended with its alerts still firing: paged again`,
      );
      await audit.send(
        'escalation',
        rungs.flatMap((r) => r.contacts),
        `[${s.severity.toUpperCase()}] ${plan.type.name} on ${s.tier}: ${s.title} — still firing after maintenance window ${m.windowId} ended (${m.firing} of its alerts; ${m.alerts} held during the window) (${s.incidentId})`,
        [...new Set(rungs.flatMap((r) => r.roles))],
        false,
        `maintenance-${m.windowId}-${m.from}`,
      );
      return { incidentId: s.incidentId };
    },
    {
      validator: (m) => {
        requireText('reason', m.reason);
        requireOpen();
      },
      description: 'a maintenance window ended with alerts on this key still firing: page again, once',
    },
  );
}
