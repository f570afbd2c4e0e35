import type { NotificationRequest } from '../../activities/contracts';
import type { StoredEvent } from '../../db/audit/readEvents';
import type { Roster } from '../../runbooks/roster';
import type { IncidentState } from '../../workflows/incident/messages';

/** One page of the dry run: when (from the opening), which level, which roles, which people, and its deadline. */
export interface DryRunPage {
  /** Milliseconds after the incident opened (its clocks' start). */
  atMs: number;
  /** From 1, as people read it, and its label ("level 1, repeat 1"). */
  level: number;
  label: string;
  /** How many times the ladder had started again from level 1 (0: its first pass). */
  repeat: number;
  roles: string[];
  people: string[];
  /** The response deadline the page asks for, ms after the opening. */
  respondByMs: number;
  /** When the next page goes unless someone acknowledges (the ladder's next rung), ms after the opening. */
  nextPageMs?: number;
}

export interface DryRunStep {
  id: string;
  title: string;
  kind: string;
  status: string;
  startedMs?: number;
  finishedMs?: number;
  dueMs?: number;
  summary?: string;
}

export interface DryRunTimeline {
  incidentType: string;
  severity: string;
  tier: string;
  runbookVersion: string;
  /** The incident's response SLA deadline, and when it was recorded missed (nobody acknowledges a dry run). */
  responseDueMs: number;
  responseMissedMs?: number;
  pages: DryRunPage[];
  steps: DryRunStep[];
  /** How far the dry run let the incident's clock run (until the ladder went round and the runbook finished). */
  walkedMs: number;
  /** Notifications the recorder kept instead of sending (pages, reminders): nobody was told. */
  notificationsRecorded: number;
}

/** The timeline of a dry run, from its incident's audit trail (pages) and state (steps), times relative to the opening. */
export function dryRunTimeline(
  s: IncidentState,
  events: StoredEvent[],
  sent: NotificationRequest[],
  roster: Roster,
  walkedMs: number,
): DryRunTimeline {
  const opened = Date.parse(s.openedAt);
  const rel = (iso: string | undefined) => (iso ? Date.parse(iso) - opened : undefined);
  const nameOf = (id: string) => roster.people.find((p) => p.id === id)?.name ?? id;
  const pageEvents = events.filter((e) => e.kind === 'paged' || e.kind === 'escalated');
  // When the ladder decided the page (its timer): the event itself is written once the page is sent.
  const when = (e: StoredEvent) => rel((e.data as { decidedAt?: string }).decidedAt ?? e.occurredAt)!;
  const times = [...new Set(pageEvents.map(when))].sort((a, b) => a - b);
  const pages = pageEvents.map((e) => {
    const d = e.data as { level: number; label?: string; repeat?: number; roles: string[]; paged?: string[] };
    const atMs = when(e);
    const next = times.find((t) => t > atMs);
    return {
      atMs,
      level: d.level,
      label: d.label ?? `level ${d.level}`,
      repeat: d.repeat ?? 0,
      roles: d.roles,
      people: (d.paged ?? []).map(nameOf),
      respondByMs: rel(s.escalation.responseDueAt)!,
      ...(next !== undefined && { nextPageMs: next }),
    };
  });
  pages.sort((a, b) => a.atMs - b.atMs || a.level - b.level);
  const missed = events.find((e) => e.kind === 'response-sla-missed');
  return {
    incidentType: s.type,
    severity: s.severity,
    tier: s.tier,
    runbookVersion: s.runbookVersion,
    responseDueMs: rel(s.escalation.responseDueAt)!,
    ...(missed && { responseMissedMs: rel(missed.occurredAt) }),
    pages,
    steps: s.steps.map((x) => ({
      id: x.id,
      title: x.title,
      kind: x.kind,
      status: x.status,
      ...(x.startedAt && { startedMs: rel(x.startedAt) }),
      ...(x.finishedAt && { finishedMs: rel(x.finishedAt) }),
      ...(x.dueAt && { dueMs: rel(x.dueAt) }),
      ...(x.summary && { summary: x.summary }),
    })),
    walkedMs,
    notificationsRecorded: sent.length,
  };
}

/** `+m:ss` (or `+h:mm:ss`) after the opening, as the timeline prints times. */
export function sinceOpening(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `+${h}:${String(m).padStart(2, '0')}:${sec}` : `+${m}:${sec}`;
}
