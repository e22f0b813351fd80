/**
 * Which KMS key the plan names for a resource in a region: the resource's own, else the plan's,
 * else — for a multi-Region key named for the other region — its replica there, which has the
 * same key id (`mrk-…`) in every region (KMS Developer Guide, "Multi-Region keys in AWS KMS").
 * Pure: the same answer at synth (for IAM) and in a task (for the call).
 */
import type { KmsKeys, Plan, PlanResource } from '../plan/plan-schema';

/** The `kmsKeys` a resource of the plan carries, whatever its kind. */
export function resourceKeys(resource: PlanResource): KmsKeys | undefined {
  if ('ec2' in resource) return resource.ec2.kmsKeys;
  if ('rds' in resource) return resource.rds.kmsKeys;
  return resource.aurora.kmsKeys;
}

const KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/(mrk-[0-9a-f]{32})$/;

/** The same multi-Region key's ARN in `region`, if `ref` is a multi-Region key ARN. */
export function multiRegionPartner(ref: string, region: string): string | undefined {
  const match = KEY_ARN.exec(ref);
  if (!match) return undefined;
  const [, partition, , account, id] = match;
  return `arn:${partition}:kms:${region}:${account}:key/${id}`;
}

/** The key reference (ARN or alias) for `region` among `keys`, or the partner of an MRK in another. */
export function keyIn(keys: KmsKeys | undefined, region: string): string | undefined {
  if (!keys) return undefined;
  const named = keys[region];
  if (named) return named;
  for (const other of Object.values(keys)) {
    const partner = multiRegionPartner(other, region);
    if (partner) return partner;
  }
  return undefined;
}

/** The key the plan names for `resource` in `region` (reference as written, or an MRK partner). */
export function planKeyFor(
  plan: Pick<Plan, 'encryption'>,
  resource: PlanResource | undefined,
  region: string,
): string | undefined {
  return (resource && keyIn(resourceKeys(resource), region)) ?? keyIn(plan.encryption.kmsKeys, region);
}

/** What a resource is encrypted by: EBS (an instance's volumes) or RDS (a database or cluster). */
export type KeyKind = 'ebs' | 'rds';

const kindOf = (resource: PlanResource): KeyKind => ('ec2' in resource ? 'ebs' : 'rds');

/**
 * Every key reference the plan may use in `region` (plan-wide and per resource, MRK partners
 * included); with `kind`, only the plan-wide key and those of resources of that kind, so an
 * instance's own key is never usable through RDS, nor a database's through EC2.
 */
export function planKeysIn(plan: Plan, region: string, kind?: KeyKind): string[] {
  const refs = new Set<string>();
  const add = (ref: string | undefined) => ref && refs.add(ref);
  add(keyIn(plan.encryption.kmsKeys, region));
  for (const tier of plan.tiers)
    for (const resource of tier.resources)
      if (!kind || kindOf(resource) === kind) add(keyIn(resourceKeys(resource), region));
  return [...refs].sort();
}

/** Whether a reference is an alias (by name or ARN) rather than a key ARN. */
export function isAliasRef(ref: string): boolean {
  return /(^|:)alias\//.test(ref);
}

/** The alias name (`alias/x`) of an alias reference. */
export function aliasName(ref: string): string {
  const at = ref.indexOf('alias/');
  return ref.slice(at);
}
