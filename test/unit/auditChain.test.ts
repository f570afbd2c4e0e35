import { describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH, stableStringify, verifyChain, type ChainedFields } from '../../db/audit/chain';

/** Builds a chain of n rows the way the audit store writes them. */
function chain(n: number) {
  const rows: (ChainedFields & { prevHash: string; hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = {
      eventId: `INC-1#${seq}`,
      subjectId: 'INC-1',
      seq,
      kind: `k${seq}`,
      actor: 'dana',
      occurredAt: `2026-01-01T00:0${seq}:00.000Z`,
      data: { seq },
    };
    const hash = eventHash(prev, fields);
    rows.push({ ...fields, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('the audit hash chain', () => {
  it('hashes the same value the same way whatever its key order (jsonb reorders keys)', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      stableStringify({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('finds an intact chain intact', () => {
    expect(verifyChain(chain(4))).toEqual([]);
  });

  it('names an edited row', () => {
    const rows = chain(4);
    rows[1].actor = 'mallory';
    expect(verifyChain(rows)).toEqual([{ seq: 2, eventId: 'INC-1#2', problem: 'row content does not match its hash (edited)' }]);
  });

  it('names the gap a deleted row leaves', () => {
    const rows = chain(4);
    rows.splice(1, 1);
    const breaks = verifyChain(rows);
    expect(breaks.map((b) => b.seq)).toEqual([3, 3]);
    expect(breaks.map((b) => b.problem).join('; ')).toMatch(/sequence gap: expected 2.*previous-hash link/);
  });

  it('names swapped rows', () => {
    const rows = chain(3);
    [rows[1], rows[2]] = [rows[2], rows[1]];
    expect(verifyChain(rows).length).toBeGreaterThan(0);
  });
});
