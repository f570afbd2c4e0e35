/**
 * An incident's id: INC-<day>-<12 hex digits from the end of its first run id>. Run ids are UUIDv7, whose leading
 * digits are a timestamp (the first 8 are the same for 65 s, which once gave two incidents one id), so the id takes
 * the random end. Incidents opened before that carry the first 8 digits; both forms are recognised.
 */
export function incidentIdOf(openedAtMs: number, firstExecutionRunId: string): string {
  const day = new Date(openedAtMs).toISOString().slice(0, 10).replace(/-/g, '');
  return `INC-${day}-${firstExecutionRunId.replace(/-/g, '').slice(-12)}`;
}

const INCIDENT_ID = /^INC-\d{8}-([0-9a-f]{8}|[0-9a-f]{12})$/;

export const isIncidentId = (ref: string): boolean => INCIDENT_ID.test(ref);

/** Whether an incident id was made from this first run id (so a later incident on the same key is not mistaken for it). */
export function isIncidentOfRun(incidentId: string, firstRunId: string): boolean {
  const digits = INCIDENT_ID.exec(incidentId)?.[1];
  if (!digits) return false;
  return digits.length === 12 ? firstRunId.replace(/-/g, '').endsWith(digits) : firstRunId.startsWith(digits);
}
