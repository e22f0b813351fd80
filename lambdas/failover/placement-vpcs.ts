/**
 * The VPCs recovered instances land in: those of the plan's placement subnets (by id or by tag)
 * in the recovery region. Several roles may use subnets of several VPCs; each VPC is named once.
 */
import { DescribeSubnetsCommand, type EC2Client, type Filter, type Subnet } from '@aws-sdk/client-ec2';
import type { Placement, Plan } from '../plan/plan-schema';
import { InvalidInputError } from '../runtime/task-errors';

type SubnetRef = string | { tag: { key: string; value: string } };

async function describeSubnets(
  ec2: EC2Client,
  query: { SubnetIds?: string[]; Filters?: Filter[] },
): Promise<Subnet[]> {
  const subnets: Subnet[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeSubnetsCommand({ ...query, NextToken }));
    subnets.push(...(page.Subnets ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return subnets;
}

/** Distinct VPC ids of every role's placement subnets, sorted; problems name the role and the reference. */
export async function placementVpcIds(ec2: EC2Client, plan: Plan, region: string): Promise<string[]> {
  const refs = (Object.entries(plan.placement) as [string, Placement][]).flatMap(([role, placement]) =>
    ((placement.subnets ?? []) as SubnetRef[]).map((ref) => ({ role, ref })),
  );
  if (refs.length === 0)
    throw new InvalidInputError(
      `the plan has a private hosted zone, but no placement names subnets in ${region}: Pendulum cannot tell which VPC to associate with it; add subnets to placement.<role>`,
    );
  const vpcs = new Set<string>();
  const ids = [...new Set(refs.flatMap(({ ref }) => (typeof ref === 'string' ? [ref] : [])))];
  if (ids.length > 0) {
    const found = await describeSubnets(ec2, { SubnetIds: ids }).catch((error: Error) => {
      if (error.name !== 'InvalidSubnetID.NotFound') throw error;
      throw new InvalidInputError(`placement: ${error.message} (in ${region})`);
    });
    for (const id of ids) {
      const subnet = found.find((s) => s.SubnetId === id);
      if (!subnet?.VpcId) {
        const roles = refs.filter((r) => r.ref === id).map((r) => r.role);
        throw new InvalidInputError(`placement.${roles[0]}: no subnet ${id} in ${region}`);
      }
      vpcs.add(subnet.VpcId);
    }
  }
  const byTag = new Map<string, Subnet[]>();
  for (const { role, ref } of refs) {
    if (typeof ref === 'string') continue;
    const key = `${ref.tag.key}=${ref.tag.value}`;
    const found =
      byTag.get(key) ??
      (await describeSubnets(ec2, {
        Filters: [{ Name: `tag:${ref.tag.key}`, Values: [ref.tag.value] }],
      }));
    byTag.set(key, found);
    if (found.length === 0)
      throw new InvalidInputError(
        `placement.${role}: no subnet tagged ${ref.tag.key}=${ref.tag.value} in ${region}`,
      );
    for (const subnet of found) if (subnet.VpcId) vpcs.add(subnet.VpcId);
  }
  return [...vpcs].sort();
}
