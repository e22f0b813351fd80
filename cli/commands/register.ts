import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { type CommonOptions, LOCAL_HELP, PLAN_HELP, workflowAction } from '../workflow-command';

function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'someone';
  }
}

export function registerRegister(program: Command, cli: CliContext): void {
  program
    .command('register')
    .description('register the app with its deployed Pendulum stack: the first thing to run after deploying')
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum register --plan pendulum.yaml',
        '  pendulum register --plan pendulum.yaml --local',
      ].join('\n'),
    )
    .action((options: CommonOptions) =>
      workflowAction(cli, options, () => ({
        workflow: 'register',
        input: { requestedBy: `${whoAmI()} (pendulum CLI)`.slice(0, 256) },
        describeOutput: (run, out) => {
          const o = run.output as { app?: string; status?: string; activeRegion?: string } | undefined;
          if (o?.status) out.line(`${o.app} is registered: ${o.status}, active in ${o.activeRegion}.`);
        },
      })),
    );
}
