/** What a runbook entry may refer to: the plan, and names derived from it. */
import type { Plan } from '../../lambdas/plan/plan-schema';

export interface RunbookContext {
  readonly plan: Plan;
  readonly app: string;
  readonly primary: string;
  readonly recovery: string;
  readonly stackName: string;
  /** Shell snippets use `"$TABLE"` and `"$BUCKET"`; this sets them from the stack's outputs. */
  readonly variables: string;
  readonly tableLookup: string;
  readonly bucketLookup: string;
}

export function runbookContext(plan: Plan, stackName: string): RunbookContext {
  const output = (key: string) =>
    `$(aws cloudformation describe-stacks --region ${plan.recoveryRegion} --stack-name ${stackName} --query "Stacks[0].Outputs[?OutputKey=='${key}'].OutputValue" --output text)`;
  return {
    plan,
    app: plan.app,
    primary: plan.primaryRegion,
    recovery: plan.recoveryRegion,
    stackName,
    variables: [`TABLE=${output('StateTableName')}`, `BUCKET=${output('ArtifactBucketName')}`].join('\n'),
    tableLookup: '"$TABLE"',
    bucketLookup: '"$BUCKET"',
  };
}

/** `--hosted-zone-id` for a zone: its id, or a lookup by name. */
export function zoneIdExpression(zone: { id?: string; name: string }): string {
  return (
    zone.id ??
    `$(aws route53 list-hosted-zones-by-name --dns-name ${zone.name} --query 'HostedZones[0].Id' --output text)`
  );
}
