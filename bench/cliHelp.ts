import { medianCliMs } from './cliTimings';
import type { BenchContext } from './context';
import type { BenchResult } from './report';
import { ms } from './stats';

/** `dbops --help`: what every person at a terminal pays before anything happens (no server is reached). */
export async function cliHelp(_ctx: BenchContext): Promise<BenchResult> {
  const help = await medianCliMs(['--help']);
  return {
    name: 'CLI start',
    setting: 'bin/dbops (tsx), median of 3 after a warm-up run',
    figures: [['dbops --help (goal < 300 ms)', ms(help.ms)]],
    metrics: { cli_help_ms: help.ms },
  };
}
