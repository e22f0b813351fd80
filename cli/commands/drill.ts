import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { type Output, paint } from '../output';
import { type WorkflowClient, WorkflowMissingError, workflowClient } from '../workflow-client';
import {
  type ClientFactory,
  type CommonOptions,
  LOCAL_HELP,
  PLAN_HELP,
  workflowAction,
} from '../workflow-command';

/**
 * A stack may run drills as their own workflow (`drill`) or as the failover workflow in drill mode
 * (`{ "mode": "drill" }`): the first when the stack has it, else the second. A failover workflow
 * that knows no drill mode refuses the input before writing anything.
 */
function drillClient(out: Output): ClientFactory {
  return (plan, options) => {
    const inner: WorkflowClient = workflowClient(plan, options);
    return {
      ...inner,
      async run(workflow, input, runOptions) {
        try {
          return await inner.run(workflow, input, runOptions);
        } catch (error) {
          if (!(error instanceof WorkflowMissingError) || workflow !== 'drill') throw error;
          if (!out.json)
            out.line(
              paint(
                out,
                'dim',
                'No drill workflow in this stack: running the failover workflow in drill mode.',
              ),
            );
          return inner.run('failover', { ...input, mode: 'drill' }, runOptions);
        }
      },
    };
  };
}

export function registerDrill(program: Command, cli: CliContext): void {
  program
    .command('drill')
    .description(
      'rehearse a failover in the recovery region without touching production DNS, measure RTO/RPO, then tear it down',
    )
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .option('--json', 'print { status, runId, executionArn, rtoSeconds, output } as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum drill --plan pendulum.yaml',
        '  pendulum drill --plan pendulum.yaml --json',
        '',
        'Runs the stack\'s drill workflow, or the failover workflow with { "mode": "drill" } where there is none.',
      ].join('\n'),
    )
    .action((options: CommonOptions) =>
      workflowAction(
        cli,
        options,
        (_plan, out) => ({
          workflow: 'drill',
          input: {},
          describeOutput: (run) => {
            const o = run.output as
              | { rtoSeconds?: number; targetsMet?: boolean; outcomeKey?: string; recovered?: number }
              | undefined;
            if (typeof o?.rtoSeconds === 'number')
              out.line(
                `Drill RTO ${o.rtoSeconds}s${o.recovered !== undefined ? `, ${o.recovered} resource(s) recovered and torn down` : ''}${o.targetsMet === undefined ? '' : o.targetsMet ? ', targets met' : ', targets MISSED'}.`,
              );
            if (o?.outcomeKey) out.line(`Outcome: ${o.outcomeKey}`);
          },
        }),
        drillClient(cli.output(options.json === true)),
      ),
    );
}
