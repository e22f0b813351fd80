/**
 * After each leg, every copy of a planned database is encrypted as the plan says: under the key
 * the plan names for the region it now runs in, and encrypted whenever the original was.
 */
import type { DBInstance } from '@aws-sdk/client-rds';
import { keyResolver } from '../../lambdas/encryption/key-resolver';
import type { Plan, PlanResource } from '../../lambdas/plan/plan-schema';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import type { Check, CheckPhase } from './rehearsal-checks';

function planDatabase(plan: Plan, identifier: string): PlanResource | undefined {
  for (const tier of plan.tiers)
    for (const resource of tier.resources)
      if ('rds' in resource && resource.rds.identifier === identifier) return resource;
  return undefined;
}

/** What the copy of `original` in `region` must be encrypted with: a key ARN, or none. */
async function expectedKey(
  plan: Plan,
  clients: AwsClients,
  identifier: string,
  original: DBInstance | undefined,
  region: string,
): Promise<string | undefined> {
  if (!original?.StorageEncrypted && !plan.encryption.encryptUnencrypted) return undefined;
  const named = await keyResolver(plan, (r) => clients.kms(r)).named(planDatabase(plan, identifier), region);
  return named?.arn ?? 'the AWS managed key (aws/rds)';
}

export interface DatabaseCopy {
  readonly identifier: string;
  readonly original: DBInstance | undefined;
  /** The copy that runs in `region` now. */
  readonly copy: DBInstance | undefined;
}

export async function databaseKeyChecks(
  phase: CheckPhase,
  clients: AwsClients,
  plan: Plan,
  region: string,
  copies: readonly DatabaseCopy[],
): Promise<Check[]> {
  const checks: Check[] = [];
  for (const { identifier, original, copy } of copies) {
    const want = await expectedKey(plan, clients, identifier, original, region);
    const got = copy?.StorageEncrypted ? copy.KmsKeyId : undefined;
    const ok =
      copy !== undefined &&
      (want === undefined
        ? !copy.StorageEncrypted
        : got === want || (want.startsWith('the AWS') && Boolean(got)));
    checks.push({
      phase,
      name: `The copy of ${identifier} in ${region} is ${want ? `encrypted with ${plan.primaryRegion === region ? 'the primary' : 'the recovery'} region's key` : 'unencrypted, as the original'}`,
      ok,
      ...(ok
        ? {}
        : {
            detail: copy
              ? `${copy.DBInstanceIdentifier}: ${got ?? 'unencrypted'}; expected ${want ?? 'unencrypted'}`
              : `no copy of ${identifier} in ${region}`,
          }),
    });
  }
  return checks;
}

/** The keys the sample estate makes: one per region the plan names by alias (`alias/x`). */
export function estateKeyAliases(plan: Plan): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const [region, ref] of Object.entries(plan.encryption.kmsKeys))
    if (ref.startsWith('alias/')) aliases[region] = ref;
  return aliases;
}
