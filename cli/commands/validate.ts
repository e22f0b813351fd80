import type { Command } from 'commander';
import { describePlanProblems, readPlanFile } from '../../lib/plan-file';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';
import type { Output } from '../output';

export interface ValidateOptions {
  readonly plan: string;
}

/** Checks a plan file without touching AWS. */
export function runValidate(options: ValidateOptions, out: Output): number {
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
  const resources = plan.tiers.reduce((sum, tier) => sum + tier.resources.length, 0);
  const records = plan.dns.zones.reduce((sum, zone) => sum + zone.records.length, 0);
  const summary = `${options.plan}: valid plan for ${plan.app}, ${plan.primaryRegion} → ${plan.recoveryRegion}, ${plan.tiers.length} tier(s), ${resources} resource group(s), ${records} managed record(s) in ${plan.dns.zones.length} zone(s)`;
  if (out.json)
    out.data({ valid: true, app: plan.app, tiers: plan.tiers.length, resources, records, summary });
  else out.line(summary);
  return EXIT.ok;
}

export function registerValidate(program: Command, cli: CliContext): void {
  program
    .command('validate')
    .description('check a plan file: form, references between sections; makes no AWS call')
    .requiredOption('--plan <file>', 'the protection plan (YAML)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  pendulum validate --plan pendulum.yaml\n  pendulum validate --plan pendulum.yaml --json',
    )
    .action((options: { plan: string; json?: boolean }) => {
      cli.setExit(runValidate(options, cli.output(options.json === true)));
    });
}
