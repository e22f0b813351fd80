/**
 * The `pendulum` command line. Each command lives in cli/commands/ and registers itself here.
 * Usage errors exit 2 with one or two plain sentences; failed runs exit 1.
 */
import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context';
import { registerValidate } from './commands/validate';
import { EXIT, UsageError } from './exit-codes';
import { consoleOutput, type Output } from './output';

export function buildProgram(cli: CliContext): Command {
  const program = new Command('pendulum')
    .description('Cross-region failover and failback for applications on AWS')
    .showHelpAfterError('(run with --help for usage and examples)')
    .exitOverride();
  registerValidate(program, cli);
  return program;
}

export async function main(
  argv: readonly string[],
  output: (json: boolean) => Output = consoleOutput,
): Promise<number> {
  let exitCode: number = EXIT.ok;
  const cli: CliContext = { output, setExit: (code) => (exitCode = code) };
  const program = buildProgram(cli);
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      output(false).error(`pendulum: ${error.message}`);
      return EXIT.usage;
    }
    output(false).error(`pendulum: ${(error as Error).message}`);
    return EXIT.failed;
  }
}
