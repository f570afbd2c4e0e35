/** A seeded generator of alert bodies for the intake: mostly wrong, some right, all reproducible from the seed. */

export interface FuzzCase {
  body: string;
  contentType?: string;
}

/** mulberry32: a small, seedable PRNG, so a failing case can be replayed from its seed and index. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const FIELDS = ['type', 'tier', 'severity', 'fingerprint', 'title', 'summary', 'by', 'source'] as const;
const CONTENT_TYPES = [undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''];

function weirdString(r: Rng): string {
  switch (r.int(8)) {
    case 0:
      return 'x'.repeat(1 + r.int(100 * 1024)); // up to 100 KB
    case 1:
      return `nul\u0000inside`;
    case 2:
      return `lone \uD800 high`;
    case 3:
      return `lone \uDC00 low`;
    case 4:
      return '🔥'.repeat(1 + r.int(200));
    case 5:
      return '\u0001\u001f\u007f\u2028\u2029';
    case 6:
      return '';
    default:
      return `  ${r.int(1e9).toString(36)}  `;
  }
}

function randomJson(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1e308, 3.5, Number.MAX_SAFE_INTEGER]);
    case 3:
    case 4:
      return weirdString(r);
    case 5:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.pick([...FIELDS, 'x', '__proto__']), randomJson(r, depth + 1)]));
  }
}

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** The only alerts the fuzz may open incidents with: one type and tier, a few fingerprints (a few incidents). */
export function validAlert(r: Rng): Record<string, unknown> {
  return { type: 'data-integrity', tier: 'olap', fingerprint: `fuzz-${r.int(3)}`, summary: 'fuzzed alert' };
}

export function fuzzCase(r: Rng): FuzzCase {
  const contentType = r.next() < 0.8 ? 'application/json' : r.pick(CONTENT_TYPES);
  const base = validAlert(r);
  switch (r.int(10)) {
    case 0:
      return { body: JSON.stringify(base), contentType };
    case 1:
      return { body: JSON.stringify(randomJson(r)), contentType };
    case 2:
    case 3:
      return { body: JSON.stringify({ ...base, [r.pick(FIELDS)]: randomJson(r) }), contentType };
    case 4:
    case 5: {
      // Now and then a new incident opens with the odd text, not only a repeat of an open one.
      const fingerprint = r.next() < 0.05 ? `fuzz-new-${r.int(1e6)}` : base.fingerprint;
      return { body: JSON.stringify({ ...base, fingerprint, [r.pick(FIELDS)]: weirdString(r) }), contentType };
    }
    case 6:
      return { body: JSON.stringify({ ...base, [r.pick([...FIELDS, 'extra'])]: nested(10 + r.int(400)) }), contentType };
    case 7: {
      const text = JSON.stringify(base);
      return { body: text.slice(0, r.int(text.length)), contentType }; // truncated
    }
    case 8:
      return {
        body: r.pick(['', 'null', '[]', '"a"', '{', 'type=data-integrity&tier=olap', '\u0000', '{"type":"data-integrity",}']),
        contentType,
      };
    default:
      return { body: JSON.stringify(randomJson(r)).replace(/"/g, r.pick(['"', "'", '\\"'])), contentType };
  }
}
