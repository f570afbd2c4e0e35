/**
 * One numbering of the ladder wherever a person or the audit reads it: levels from 1, as the runbook names them,
 * and "repeat N" for each time the ladder started again from level 1 after its top went unanswered.
 */
export function levelLabel(rungIndex: number, pass = 0): string {
  return `level ${rungIndex + 1}${pass > 0 ? `, repeat ${pass}` : ''}`;
}

/**
 * Where the ladder goes after a missed deadline: the next rung, or level 1 of the next pass after the top. An immediate
 * severity pages every rung not paged yet at once (after a raise to critical), then the whole ladder on each repeat.
 * With `passes` spent, the top rung repeats alone.
 */
export function nextRung(
  at: { rung: number; pass: number },
  top: number,
  opts: { immediate: boolean; passes?: number },
): { levels: number[]; pass: number } {
  const range = (from: number) => Array.from({ length: top - from + 1 }, (_, i) => from + i);
  if (at.rung < top) return { levels: opts.immediate ? range(at.rung + 1) : [at.rung + 1], pass: at.pass };
  const mayRepeat = opts.passes === undefined || at.pass < opts.passes;
  if (!mayRepeat) return { levels: [top], pass: at.pass };
  return { levels: opts.immediate ? range(0) : [0], pass: at.pass + 1 };
}
