/**
 * `npm run rehearse`: the whole failover and failback story on this machine, against a local AWS,
 * verified in it, with reports. Exit status: 0 every check passed, 1 a check or a phase failed,
 * 2 bad usage or an invalid plan, 130 interrupted (Ctrl-C). The story itself is in
 * cli/rehearsal/run-rehearsal.ts.
 */
import './quiet-handlers';
import { Command, CommanderError, Option } from 'commander';
import { EXIT } from './exit-codes';
import { consoleOutput } from './output';
import { RehearsalPlanError, SAMPLE_PLAN_FILE } from './rehearsal/rehearsal-plan';
import { RehearsalInterrupted, runRehearsal } from './rehearsal/run-rehearsal';

const INTERRUPTED = 130;

interface RehearseOptions {
  iam?: 'enforce' | 'off';
  aws?: 'instant' | 'realistic';
  readonly plan: string;
  readonly keepReportsDir: string;
  readonly json?: boolean;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('rehearse')
    .description(
      'Rehearse failover and failback locally: moto, the sample estate, the synthesized workflows, checks and reports',
    )
    .option('--plan <file>', 'the protection plan to rehearse', SAMPLE_PLAN_FILE)
    .option('--keep-reports-dir <dir>', 'where to write the reports', 'reports')
    .option('--json', 'print a machine-readable summary instead of progress')
    .addOption(
      new Option('--iam <mode>', "authorize every task's AWS calls against its synthesized role")
        .choices(['enforce', 'off'])
        .default('enforce'),
    )
    .addOption(
      new Option(
        '--aws <mode>',
        'instant: moto as it is; realistic: AWS durations, eventual consistency, throttling and latency on a virtual clock, with modeled times',
      )
        .choices(['instant', 'realistic'])
        .default('instant'),
    )
    .exitOverride();
  let options: RehearseOptions;
  try {
    options = program.parse([...argv]).opts<RehearseOptions>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }

  const out = consoleOutput(options.json === true);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      // A second Ctrl-C: leave now; moto's exit hook still kills the emulator.
      process.exit(INTERRUPTED);
    }
    out.error(`\n${signal}: stopping the workflow, moto and the health endpoint… (again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runRehearsal({
      planFile: options.plan,
      reportsDir: options.keepReportsDir,
      out,
      signal: controller.signal,
      iam: options.iam,
      ...(options.aws ? { aws: options.aws } : {}),
    });
    if (out.json) out.data(result);
    return result.ok ? EXIT.ok : EXIT.failed;
  } catch (error) {
    if (error instanceof RehearsalInterrupted) {
      out.error('Interrupted: moto and the health endpoint are stopped.');
      return INTERRUPTED;
    }
    if (error instanceof RehearsalPlanError) {
      out.error(error.message);
      return EXIT.usage;
    }
    out.error(`rehearse: ${(error as Error).stack ?? (error as Error).message}`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const code = await main(process.argv);
// Interrupted mid-task, a handler's promise may still hold the event loop: leave at once then.
// Otherwise let stdout drain (it is asynchronous on some platforms) and end naturally.
if (code === INTERRUPTED) process.exit(code);
process.exitCode = code;
