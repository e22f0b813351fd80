import type { Command } from 'commander';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { preflightClients } from '../../lambdas/preflight/preflight-clients';
import { errorsOf, warningsOf } from '../../lambdas/preflight/preflight-problem';
import { PREFLIGHT_SCOPES, runPreflight } from '../../lambdas/preflight/run-preflight';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { describePlanProblems, readPlanFile } from '../../lib/plan-file';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';
import type { Output } from '../output';
import { preflightJson, printPreflightProblems } from '../preflight-output';

export interface ValidateOptions {
  readonly plan: string;
  /** Also check the plan against the account, with the CLI's credentials (read-only calls). */
  readonly aws?: boolean;
}

function summaryOf(file: string, plan: Plan) {
  const resources = plan.tiers.reduce((sum, tier) => sum + tier.resources.length, 0);
  const records = plan.dns.zones.reduce((sum, zone) => sum + zone.records.length, 0);
  const summary = `${file}: valid plan for ${plan.app}, ${plan.primaryRegion} → ${plan.recoveryRegion}, ${plan.tiers.length} tier(s), ${resources} resource group(s), ${records} managed record(s) in ${plan.dns.zones.length} zone(s)`;
  return { app: plan.app, tiers: plan.tiers.length, resources, records, summary };
}

/** Checks a plan file; with `aws`, also against the account (nothing is written either way). */
export async function runValidate(options: ValidateOptions, out: Output): Promise<number> {
  const result = readPlanFile(options.plan);
  if (!result.ok) {
    if (out.json) {
      out.data({ valid: false, problems: result.problems });
    } else {
      out.error(`${options.plan} is not a valid plan (${result.problems.length} problem(s)):`);
      for (const line of describePlanProblems(options.plan, result.problems)) out.error(`  ${line}`);
    }
    return EXIT.usage;
  }
  const { plan } = result;
  const summary = summaryOf(options.plan, plan);
  if (!options.aws) {
    if (out.json) out.data({ valid: true, ...summary });
    else out.line(summary.summary);
    return EXIT.ok;
  }

  const report = await runPreflight(
    preflightClients(createAwsClients()),
    plan,
    PREFLIGHT_SCOPES.validate(plan),
  );
  const errors = errorsOf(report);
  const warnings = warningsOf(report);
  if (out.json) {
    out.data({
      valid: errors.length === 0,
      ...summary,
      checkedAgainstAws: true,
      problems: preflightJson(errors),
      warnings: preflightJson(warnings),
    });
    return errors.length > 0 ? EXIT.usage : EXIT.ok;
  }
  if (errors.length > 0) {
    out.error(
      `${options.plan} does not fit the account (${plan.primaryRegion} → ${plan.recoveryRegion}): ${errors.length} problem(s), nothing was changed:`,
    );
    printPreflightProblems(out, errors);
  } else out.line(`${summary.summary}; checked against the account: no problems`);
  if (warnings.length > 0) {
    out.line(`${warnings.length} warning(s):`);
    printPreflightProblems(out, warnings);
  }
  return errors.length > 0 ? EXIT.usage : EXIT.ok;
}

export function registerValidate(program: Command, cli: CliContext): void {
  program
    .command('validate')
    .description(
      'check a plan file: form, references between sections; with --aws, also against the account (read-only)',
    )
    .requiredOption('--plan <file>', 'the protection plan (YAML)')
    .option(
      '--aws',
      'also check the plan against AWS with your credentials: sources, keys, recovery placement, zones, quotas',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pendulum validate --plan pendulum.yaml',
        '  pendulum validate --plan pendulum.yaml --aws',
        '  pendulum validate --plan pendulum.yaml --aws --json',
        '',
        'Without --aws it makes no AWS call. Exit status 2 on any problem (warnings alone exit 0).',
      ].join('\n'),
    )
    .action(async (options: { plan: string; aws?: boolean; json?: boolean }) => {
      cli.setExit(await runValidate(options, cli.output(options.json === true)));
    });
}
