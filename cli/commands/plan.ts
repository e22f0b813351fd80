import { Argument, type Command } from 'commander';
import type { CliContext } from '../cli-context';
import { showDryRun } from '../dry-run-output';
import { type CommonOptions, LOCAL_HELP, PLAN_HELP, workflowAction } from '../workflow-command';

export function registerPlan(program: Command, cli: CliContext): void {
  program
    .command('plan')
    .description('show exactly what a failover or failback would change now (a dry run: nothing is written)')
    .addArgument(new Argument('<workflow>', 'which move to plan').choices(['failover', 'failback']))
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .option('--json', 'print the run as JSON; the change set is its output')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum plan failover --plan pendulum.yaml',
        '  pendulum plan failback --plan pendulum.yaml --json',
        '',
        'Runs the workflow itself with dryRun: true, so the change set is worked out by the same code',
        'that would make the change: recovery points chosen, resources to create, DNS before → after.',
      ].join('\n'),
    )
    .action((workflow: 'failover' | 'failback', options: CommonOptions) =>
      workflowAction(cli, options, (plan) => ({
        workflow,
        input: { dryRun: true },
        quiet: true,
        describeOutput: (run, out) => showDryRun(workflow, run, out, plan, options.local),
      })),
    );
}
