/**
 * The runbook catalog's version, frozen into every incident when it opens and recorded in its audit trail.
 * Bump it with any change under runbooks/; incidents already open keep the plan they were opened with.
 */
export const RUNBOOK_VERSION = '2025-11-01.2';
