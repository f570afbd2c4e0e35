import { medianCliMs } from './cliTimings';
import type { BenchContext } from './context';
import type { BenchResult } from './report';
import { ms } from './stats';

/**
 * `dbops --help`: what every person at a terminal pays before anything happens (no server is reached). bench/run.ts
 * builds the CLI bundle first (`npm run build` does the same), so bin/dbops runs it; from the sources is beside it.
 */
export async function cliHelp(_ctx: BenchContext): Promise<BenchResult> {
  const help = await medianCliMs(['--help']);
  const fromSource = await medianCliMs(['--help'], { DBOPS_CLI_FROM_SOURCE: '1' });
  return {
    name: 'CLI start',
    setting: 'bin/dbops, median of 3 after a warm-up run',
    figures: [
      ['dbops --help, built by npm run build (goal < 300 ms)', ms(help.ms)],
      ['dbops --help from the sources (tsx)', ms(fromSource.ms)],
    ],
    metrics: { cli_help_ms: help.ms, cli_help_tsx_ms: fromSource.ms },
  };
}
