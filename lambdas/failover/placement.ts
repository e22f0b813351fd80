/**
 * Where recovered resources go: the plan names subnets and security groups by id or by tag;
 * this resolves them in the target region with one describe call per kind.
 */
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Placement, Plan } from '../plan/plan-schema';
import { InvalidInputError } from '../runtime/task-errors';

export interface ResolvedPlacement {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly instanceType?: string;
  readonly instanceProfile?: string;
  readonly keyName?: string;
  readonly dbSubnetGroup?: string;
  readonly dbInstanceClass?: string;
}

type Ref = string | { tag: { key: string; value: string } };

function tagKey(ref: { tag: { key: string; value: string } }): string {
  return `${ref.tag.key}=${ref.tag.value}`;
}

/** Resolves every role's placement at once. Unresolvable references name the role and the tag. */
export async function resolvePlacements(
  ec2: EC2Client,
  plan: Plan,
  region: string,
): Promise<Record<string, ResolvedPlacement>> {
  const entries = Object.entries(plan.placement) as [string, Placement][];
  const subnetTags = new Set<string>();
  const groupTags = new Set<string>();
  for (const [, placement] of entries) {
    for (const ref of (placement.subnets ?? []) as Ref[])
      if (typeof ref !== 'string') subnetTags.add(tagKey(ref));
    for (const ref of (placement.securityGroups ?? []) as Ref[])
      if (typeof ref !== 'string') groupTags.add(tagKey(ref));
  }
  const subnetsByTag = new Map<string, string[]>();
  if (subnetTags.size > 0) {
    const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({}));
    for (const subnet of Subnets) {
      for (const tag of subnet.Tags ?? []) {
        const key = `${tag.Key}=${tag.Value}`;
        if (subnetTags.has(key) && subnet.SubnetId)
          subnetsByTag.set(key, [...(subnetsByTag.get(key) ?? []), subnet.SubnetId]);
      }
    }
  }
  const groupsByTag = new Map<string, string[]>();
  if (groupTags.size > 0) {
    const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({}));
    for (const group of SecurityGroups) {
      for (const tag of group.Tags ?? []) {
        const key = `${tag.Key}=${tag.Value}`;
        if (groupTags.has(key) && group.GroupId)
          groupsByTag.set(key, [...(groupsByTag.get(key) ?? []), group.GroupId]);
      }
    }
  }
  const resolved: Record<string, ResolvedPlacement> = {};
  for (const [role, placement] of entries) {
    const resolve = (refs: Ref[] | undefined, byTag: Map<string, string[]>, what: string) =>
      (refs ?? []).flatMap((ref) => {
        if (typeof ref === 'string') return [ref];
        const ids = byTag.get(tagKey(ref));
        if (!ids?.length)
          throw new InvalidInputError(`placement.${role}: no ${what} tagged ${tagKey(ref)} in ${region}`);
        return ids.sort();
      });
    resolved[role] = {
      subnetIds: resolve(placement.subnets as Ref[] | undefined, subnetsByTag, 'subnet'),
      securityGroupIds: resolve(placement.securityGroups as Ref[] | undefined, groupsByTag, 'security group'),
      instanceType: placement.instanceType,
      instanceProfile: placement.instanceProfile,
      keyName: placement.keyName,
      dbSubnetGroup: placement.dbSubnetGroup,
      dbInstanceClass: placement.dbInstanceClass,
    };
  }
  return resolved;
}
