import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';
import { loadPlanForCommand } from '../load-plan';
import { buildRunbook } from '../runbook/render-runbook';
import { PLAN_HELP } from '../workflow-command';

export function registerRunbook(program: Command, cli: CliContext): void {
  program
    .command('runbook')
    .description(
      'write the operator runbook (Markdown) from the plan and the synthesized workflows: every step, its gates, and its manual fallback; makes no AWS call',
    )
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--out <file>', 'write it here (default: print it)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum runbook --plan pendulum.yaml --out RUNBOOK.md',
        '  pendulum runbook --plan examples/pendulum.yaml --out docs/runbook-example.md',
      ].join('\n'),
    )
    .action(async (options: { plan: string; out?: string }) => {
      const out = cli.output(false);
      const plan = loadPlanForCommand(options.plan, out);
      if (!plan) {
        cli.setExit(EXIT.usage);
        return;
      }
      const markdown = await buildRunbook(plan, options.plan);
      if (options.out) {
        mkdirSync(dirname(options.out), { recursive: true });
        writeFileSync(options.out, markdown);
        out.line(`wrote the runbook for ${plan.app} to ${options.out}`);
      } else out.line(markdown.trimEnd());
      cli.setExit(EXIT.ok);
    });
}
