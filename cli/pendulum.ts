/**
 * The `pendulum` command line. Each command lives in cli/commands/ and registers itself here.
 * Usage errors exit 2 with one or two plain sentences; failed runs exit 1.
 */
import './quiet-handlers';
import { Command, CommanderError } from 'commander';
import type { CliContext } from './cli-context';
import { registerApprove } from './commands/approve';
import { registerDrill } from './commands/drill';
import { registerFailback } from './commands/failback';
import { registerFailover } from './commands/failover';
import { registerPlan } from './commands/plan';
import { registerProtect } from './commands/protect';
import { registerRegister } from './commands/register';
import { registerReport } from './commands/report';
import { registerRunbook } from './commands/runbook';
import { registerStatus } from './commands/status';
import { registerValidate } from './commands/validate';
import { EXIT, UsageError } from './exit-codes';
import { consoleOutput, type Output } from './output';

export function buildProgram(cli: CliContext): Command {
  const program = new Command('pendulum')
    .description('Cross-region failover and failback for applications on AWS')
    .showHelpAfterError('(run with --help for usage and examples)')
    .configureOutput({
      // Through Output, so tests see commander's messages and colour rules stay in one place.
      writeOut: (text) => cli.output(false).line(text.trimEnd()),
      writeErr: (text) => cli.output(false).error(text.trimEnd()),
    })
    .exitOverride();
  registerValidate(program, cli);
  registerRegister(program, cli);
  registerProtect(program, cli);
  registerPlan(program, cli);
  registerFailover(program, cli);
  registerFailback(program, cli);
  registerDrill(program, cli);
  registerApprove(program, cli);
  registerStatus(program, cli);
  registerReport(program, cli);
  registerRunbook(program, cli);
  program.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  pendulum validate --plan pendulum.yaml',
      '  pendulum status --plan pendulum.yaml',
      '  pendulum plan failover --plan pendulum.yaml',
      '  pendulum failover --plan pendulum.yaml --reason "INC-1234"',
      '  pendulum runbook --plan pendulum.yaml --out RUNBOOK.md',
      '',
      'Every command that acts on AWS takes --local to use the local AWS in AWS_ENDPOINT_URL instead.',
      'Exit status: 0 done, 1 the run failed, 2 bad usage or input (nothing was done).',
    ].join('\n'),
  );
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
