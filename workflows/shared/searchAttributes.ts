import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes on every dbops workflow: list open incidents by type, severity, tier and phase. */
export const SA_KIND = defineSearchAttributeKey('DbopsKind', SearchAttributeType.KEYWORD);
export const SA_TYPE = defineSearchAttributeKey('DbopsType', SearchAttributeType.KEYWORD);
export const SA_SEVERITY = defineSearchAttributeKey('DbopsSeverity', SearchAttributeType.KEYWORD);
export const SA_TIER = defineSearchAttributeKey('DbopsTier', SearchAttributeType.KEYWORD);
export const SA_PHASE = defineSearchAttributeKey('DbopsPhase', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [SA_KIND, SA_TYPE, SA_SEVERITY, SA_TIER, SA_PHASE];

/** An incident's search attributes: what `incident list` filters on. */
export const incidentAttributes = (i: { type: string; tier: string; severity: string; phase: string }) => [
  { key: SA_KIND, value: 'incident' },
  { key: SA_TYPE, value: i.type },
  { key: SA_TIER, value: i.tier },
  { key: SA_PHASE, value: i.phase },
  { key: SA_SEVERITY, value: i.severity },
];

/**
 * What an incident's workflow is started with, so it is listed from its first moment (a run of the storm-ready
 * version relies on it and does not set them again).
 */
export const incidentStartAttributes = (i: { type: string; tier: string; severity: string }) =>
  incidentAttributes({ ...i, phase: 'triggered' });
