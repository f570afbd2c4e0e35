import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/shared/searchAttributes';

/** Registers dbops' Keyword search attributes on a server that lacks them (idempotent: existing ones are kept). */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  // The Java test server implements add but not list: there, register everything.
  const existing = await connection.operatorService.listSearchAttributes({ namespace }).catch(() => ({ customAttributes: {} }));
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
  if (!missing.length) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
  });
}
