import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { UsageError } from '../exit-codes';
import { type CommonOptions, LOCAL_HELP, PLAN_HELP, workflowAction } from '../workflow-command';

interface ProtectOptions extends CommonOptions {
  readonly tier?: string[];
}

interface ProtectTierResult {
  tier?: string;
  captured?: number;
  reused?: number;
  pruned?: number;
  missing?: number;
  newestTakenAt?: string | null;
}

export function registerProtect(program: Command, cli: CliContext): void {
  program
    .command('protect')
    .description(
      'make recovery points now: capture each tier in the primary region and copy it to the recovery region',
    )
    .requiredOption('--plan <file>', PLAN_HELP)
    .option('--local', LOCAL_HELP)
    .option('--tier <name...>', 'protect only these tiers (default: every tier, in plan order)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum protect --plan pendulum.yaml',
        '  pendulum protect --plan pendulum.yaml --tier data',
        '  AWS_ENDPOINT_URL=http://127.0.0.1:5000 pendulum protect --plan pendulum.yaml --local --json',
      ].join('\n'),
    )
    .action((options: ProtectOptions) =>
      workflowAction(cli, options, (plan) => {
        const known = plan.tiers.map((t) => t.name);
        const unknown = (options.tier ?? []).filter((t) => !known.includes(t));
        if (unknown.length > 0)
          throw new UsageError(
            `no tier ${unknown.join(', ')} in the plan; its tiers are ${known.join(', ')}`,
          );
        return {
          workflow: 'protect',
          input: options.tier ? { tiers: [...new Set(options.tier)] } : {},
          describeOutput: (run, out) => {
            const skipped = (run.output as { skipped?: unknown } | undefined)?.skipped;
            if (typeof skipped === 'string') out.line(`  ${skipped}: nothing was protected`);
            const results = (
              (run.output as { results?: ProtectTierResult[] } | undefined)?.results ?? []
            ).filter((r) => r && typeof r === 'object');
            for (const r of results)
              out.line(
                `  tier ${r.tier}: ${r.captured ?? 0} captured, ${r.reused ?? 0} already done, ${r.pruned ?? 0} pruned${r.missing ? `, ${r.missing} missing` : ''}; newest point ${r.newestTakenAt ?? 'none'}`,
              );
          },
        };
      }),
    );
}
