/**
 * The `dbops` command line: open and work incidents, read audits, checklists and SLA reports, through the dbops API;
 * administer tokens, keys and schedules. The commands are declared in program.ts; this file runs them and turns every
 * way they can end into one line on stderr and an exit code (exitCodes.ts, listed by `dbops --help`).
 */
import { CommanderError, type Command } from 'commander';
import { EXIT } from './exitCodes';
import { tell } from './output';
import { allCommands, buildProgram, commandPath } from './program';

const program = buildProgram();

/** The command being run, once its options parsed: a usage error from its action names its help. */
let running: Command = program;
program.hook('preAction', (_program, command) => {
  running = command;
});

const hint = (command: Command) => `hint: ${commandPath(command)} --help shows what it accepts`;

// A usage error is one line and a hint, not the whole help: commander's own (an unknown option, a bad value) too.
for (const command of allCommands(program)) {
  command.configureOutput({
    outputError: (message, write) => write(`dbops: ${message.replace(/^error: /, '').trim()}\n${hint(command)}\n`),
  });
}

// `dbops … | head` closes the pipe early: that is the reader being done, not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

program.parseAsync().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // Help asked for is success; help shown because a command needs a subcommand, or a usage error, is a usage error.
    process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    return;
  }
  const e = err as Error & { exitCode?: number; command?: Command };
  // The message may carry the API's or a server's words: printed inert, one line. An Update's refusal (an admin
  // command reaching Temporal) names its cause; matched by name, so this file need not load the Temporal client.
  if (e?.name === 'WorkflowUpdateFailedError') {
    tell(`dbops: refused: ${(e.cause as Error)?.message ?? e.message}`);
    process.exitCode = EXIT.refused;
    return;
  }
  tell(`dbops: ${e?.message ?? err}`);
  if (e?.exitCode === EXIT.usage) tell(hint(e.command ?? running));
  // Our errors carry their code (cliErrors.ts); a configuration error (one line naming the variable) or anything
  // else is a failure.
  process.exitCode = typeof e?.exitCode === 'number' ? e.exitCode : EXIT.failed;
});
