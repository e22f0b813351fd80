/**
 * After each leg, every copy of a planned database is encrypted as the plan says: under the key
 * the plan names for the region it now runs in, and encrypted whenever the original was. (Aurora
 * clusters are checked the same way in cluster-checks.ts.)
 */
import type { Instance, Volume } from '@aws-sdk/client-ec2';
import type { DBInstance } from '@aws-sdk/client-rds';
import { keyResolver } from '../../lambdas/encryption/key-resolver';
import { planResourceOf } from '../../lambdas/encryption/resource-of-role';
import { describeInstanceVolumes } from '../../lambdas/failover/instance-volume-check';
import type { Plan } from '../../lambdas/plan/plan-schema';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import type { Check, CheckPhase } from './rehearsal-checks';

/**
 * What the copy of `original` (a DB instance or an Aurora cluster) in `region` must be encrypted
 * with: a key ARN, or none.
 */
export async function expectedKey(
  plan: Plan,
  clients: AwsClients,
  identifier: string,
  original: { readonly StorageEncrypted?: boolean | undefined } | undefined,
  region: string,
): Promise<string | undefined> {
  if (!original?.StorageEncrypted && !plan.encryption.encryptUnencrypted) return undefined;
  const named = await keyResolver(plan, (r) => clients.kms(r)).named(
    planResourceOf(plan, identifier),
    region,
  );
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

/** An instance now running in `region` and the one it was made from. */
export interface InstanceCopy {
  readonly copy: Instance;
  readonly original: Instance | undefined;
  readonly role: string | undefined;
}

export interface VolumeShape {
  readonly device: string;
  readonly size: number;
  /** The key ARN, or undefined when not encrypted. */
  readonly key: string | undefined;
}

/** The volumes of each instance, by instance id (read before the originals may be retired). */
export async function readVolumes(
  clients: AwsClients,
  region: string,
  ids: readonly string[],
): Promise<Record<string, VolumeShape[]>> {
  const found = ids.length > 0 ? await describeInstanceVolumes(clients.ec2(region), ids) : new Map();
  return Object.fromEntries(
    ids.map((id) => [
      id,
      ((found.get(id) ?? []) as Volume[])
        .map((v) => ({
          device: v.Attachments?.find((a) => a.InstanceId === id)?.Device ?? '?',
          size: v.Size ?? 0,
          key: v.Encrypted ? (v.KmsKeyId ?? '?') : undefined,
        }))
        .sort((a, b) => a.device.localeCompare(b.device)),
    ]),
  );
}

/**
 * One check for all instances made in `region`: each has its original's volumes (devices and
 * sizes, as read in `originalVolumes`), and where the original's were encrypted, they are under the
 * plan's key of `region`.
 */
export async function instanceVolumeChecks(
  phase: CheckPhase,
  clients: AwsClients,
  plan: Plan,
  region: string,
  copies: readonly InstanceCopy[],
  originalVolumes: Readonly<Record<string, VolumeShape[]>>,
): Promise<Check[]> {
  const ofCopy = await readVolumes(
    clients,
    region,
    copies.map((c) => c.copy.InstanceId ?? ''),
  );
  const keys = keyResolver(plan, (r) => clients.kms(r));
  const wrong: string[] = [];
  let counted = 0;
  for (const { copy, original, role } of copies) {
    const want = originalVolumes[original?.InstanceId ?? ''];
    if (!want) continue;
    counted++;
    const got = ofCopy[copy.InstanceId ?? ''] ?? [];
    const encrypted = want.some((v) => v.key !== undefined);
    const key = encrypted ? (await keys.named(planResourceOf(plan, role), region))?.arn : undefined;
    const shape = (vs: readonly VolumeShape[]) => vs.map((v) => `${v.device} ${v.size}`).join(', ');
    if (shape(got) !== shape(want)) wrong.push(`${copy.InstanceId}: ${shape(got)}; expected ${shape(want)}`);
    else if (encrypted && got.some((v) => v.key !== key))
      wrong.push(`${copy.InstanceId}: keys ${got.map((v) => v.key ?? 'none').join(', ')}; expected ${key}`);
  }
  return [
    {
      phase,
      name: `Every instance made in ${region} has its original's volumes, under ${region}'s key where encrypted`,
      ok: counted > 0 && wrong.length === 0,
      detail: wrong.length > 0 ? wrong.slice(0, 3).join('; ') : `${counted} instance(s)`,
    },
  ];
}
