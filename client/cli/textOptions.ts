import type { Command } from 'commander';
import { textProblem, type LimitedField } from '../../runbooks/limits';

/** Which limit bounds each free-text option and argument of the CLI (runbooks/limits). */
const OPTION_LIMITS: Record<string, LimitedField> = {
  note: 'note',
  text: 'note',
  reason: 'reason',
  summary: 'summary',
  title: 'title',
  fingerprint: 'fingerprint',
};
const ARGUMENT_LIMITS: Record<string, LimitedField> = { stepId: 'stepId', itemId: 'itemId' };

/**
 * Why a command's free text cannot be accepted (too long, or text the audit store cannot hold), naming the option
 * or argument and what is accepted; undefined when all is well. Checked before the command reaches any server.
 */
export function textOptionProblem(command: Command): string | undefined {
  for (const [key, value] of Object.entries(command.opts())) {
    const field = OPTION_LIMITS[key];
    if (!field || value === undefined) continue;
    const problem = textProblem(field, value);
    if (problem) return `--${key}: ${problem}`;
  }
  for (const [i, argument] of command.registeredArguments.entries()) {
    const field = ARGUMENT_LIMITS[argument.name()];
    const value: unknown = command.processedArgs[i];
    if (!field || value === undefined) continue;
    const problem = textProblem(field, value);
    if (problem) return `<${argument.name()}>: ${problem}`;
  }
  return undefined;
}
