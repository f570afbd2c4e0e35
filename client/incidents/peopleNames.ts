import { personName, type Roster } from '../../runbooks/roster';
import type { IncidentState } from '../../workflows/incident/messages';

/**
 * The names of the people an incident's state names by roster id (who acknowledged, resolved, wrote a note, acted in
 * its timeline, was paged, a delivery was for), so a reader sees "Oscar Kim", not "oscar". An id the roster no longer
 * has is left out (the reader then sees the id).
 */
export function peopleNamesOf(state: IncidentState & { deliveries?: { recipients: string[] }[] }, roster: Roster): Record<string, string> {
  const ids = new Set<string>(
    [
      state.acknowledgedBy,
      state.resolvedBy,
      ...state.notes.map((n) => n.actor),
      ...state.timeline.map((t) => t.actor),
      ...(state.paged ?? []),
      ...(state.deliveries ?? []).flatMap((d) => d.recipients),
    ].filter((id): id is string => Boolean(id)),
  );
  const names: Record<string, string> = {};
  for (const id of ids) {
    const name = personName(roster, id, '');
    if (name) names[id] = name;
  }
  return names;
}
