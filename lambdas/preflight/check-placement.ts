/**
 * (c) Where recovered resources go, in the region a run moves to: the subnets and security groups
 * the placement names (by id, or a tag that must match at least one), its key pairs and DB subnet
 * groups; and its instance profiles, which are global (IAM GetInstanceProfile). Subnet and group
 * ids differ per region: a primary-region id in a recovery placement fails only when a tier
 * launches (InvalidSubnetID.NotFound), after the tiers before it were recovered. One listing of
 * subnets and of security groups for the whole plan, one describe of key pairs.
 */
import {
  DescribeKeyPairsCommand,
  type EC2Client,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  type Tag,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, type IAMClient } from '@aws-sdk/client-iam';
import { DescribeDBSubnetGroupsCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { Placement, Plan } from '../plan/plan-schema';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { type PreflightProblem, problem } from './preflight-problem';

type Ref = string | { tag: { key: string; value: string } };

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';

/** Ids and `key=value` tags of what a listing found. */
interface Listing {
  readonly ids: Set<string>;
  readonly tags: Set<string>;
}

function listing(items: readonly { id?: string; tags?: Tag[] }[]): Listing {
  const ids = new Set<string>();
  const tags = new Set<string>();
  for (const item of items) {
    if (item.id) ids.add(item.id);
    for (const tag of item.tags ?? []) tags.add(`${tag.Key}=${tag.Value}`);
  }
  return { ids, tags };
}

async function subnets(ec2: EC2Client): Promise<Listing> {
  const found: { id?: string; tags?: Tag[] }[] = [];
  for await (const page of paginateDescribeSubnets({ client: ec2 }, {}))
    for (const s of page.Subnets ?? []) found.push({ id: s.SubnetId, tags: s.Tags });
  return listing(found);
}

async function securityGroups(ec2: EC2Client): Promise<Listing> {
  const found: { id?: string; tags?: Tag[] }[] = [];
  for await (const page of paginateDescribeSecurityGroups({ client: ec2 }, {}))
    for (const g of page.SecurityGroups ?? []) found.push({ id: g.GroupId, tags: g.Tags });
  return listing(found);
}

async function keyPairs(ec2: EC2Client, names: readonly string[]): Promise<Set<string>> {
  const { KeyPairs = [] } = await ec2.send(
    new DescribeKeyPairsCommand({ Filters: [{ Name: 'key-name', Values: [...names] }] }),
  );
  return new Set(KeyPairs.flatMap((k) => (k.KeyName ? [k.KeyName] : [])));
}

async function dbSubnetGroupExists(rds: RDSClient, name: string): Promise<boolean> {
  try {
    await rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name }));
    return true;
  } catch (error) {
    if (errorName(error) === 'DBSubnetGroupNotFoundFault') return false;
    throw error;
  }
}

/** The profile's name: `arn:aws:iam::123456789012:instance-profile/path/name` → `name`. */
export function instanceProfileName(ref: string): string {
  return ref.startsWith('arn:') ? (ref.split('/').pop() ?? ref) : ref;
}

async function instanceProfileExists(iam: IAMClient, ref: string): Promise<boolean> {
  try {
    await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: instanceProfileName(ref) }));
    return true;
  } catch (error) {
    if (errorName(error) === 'NoSuchEntity' || errorName(error) === 'NoSuchEntityException') return false;
    throw error;
  }
}

const entriesOf = (plan: Plan) => Object.entries(plan.placement) as [string, Placement][];

/** Subnets, security groups, key pairs and DB subnet groups of the placement, in `region`. */
export async function checkNetworkPlacement(
  clients: { ec2: EC2Client; rds: RDSClient },
  plan: Plan,
  region: string,
): Promise<PreflightProblem[]> {
  const entries = entriesOf(plan);
  const problems: PreflightProblem[] = [];
  const anySubnets = entries.some(([, p]) => (p.subnets ?? []).length > 0);
  const anyGroups = entries.some(([, p]) => (p.securityGroups ?? []).length > 0);
  const keyNames = [...new Set(entries.flatMap(([, p]) => (p.keyName ? [p.keyName] : [])))];
  const groupNames = [...new Set(entries.flatMap(([, p]) => (p.dbSubnetGroup ? [p.dbSubnetGroup] : [])))];
  const [subnetList, groupList, pairs, dbGroups] = await Promise.all([
    anySubnets ? subnets(clients.ec2) : undefined,
    anyGroups ? securityGroups(clients.ec2) : undefined,
    keyNames.length > 0 ? keyPairs(clients.ec2, keyNames) : new Set<string>(),
    mapWithConcurrency(groupNames, 5, (name) => dbSubnetGroupExists(clients.rds, name)),
  ]);
  const refs = (role: string, field: 'subnets' | 'securityGroups', what: string, found?: Listing) =>
    ((entriesOf(plan).find(([r]) => r === role)?.[1][field] ?? []) as Ref[]).forEach((ref, i) => {
      if (!found) return;
      const path = ['placement', role, field, i];
      if (typeof ref === 'string') {
        if (!found.ids.has(ref))
          problems.push(
            problem(
              'placement',
              path,
              `no ${what} ${ref} in ${region}; expected a ${what} of ${region} (ids differ per region)`,
              `name a ${what} that exists in ${region}, or select by tag: { tag: { key, value } }`,
            ),
          );
      } else if (!found.tags.has(`${ref.tag.key}=${ref.tag.value}`))
        problems.push(
          problem(
            'placement',
            path,
            `no ${what} in ${region} is tagged ${ref.tag.key}=${ref.tag.value}; expected at least one`,
            `tag the ${what}s to use in ${region} ${ref.tag.key}=${ref.tag.value}, or correct the selector`,
          ),
        );
    });
  for (const [role, placement] of entries) {
    refs(role, 'subnets', 'subnet', subnetList);
    refs(role, 'securityGroups', 'security group', groupList);
    if (placement.keyName && !pairs.has(placement.keyName))
      problems.push(
        problem(
          'placement',
          ['placement', role, 'keyName'],
          `no EC2 key pair ${placement.keyName} in ${region}; expected one (key pairs are per region)`,
          `import the key pair into ${region} (aws ec2 import-key-pair --region ${region} --key-name ${placement.keyName} …), or name one that is there`,
        ),
      );
    const groupIndex = placement.dbSubnetGroup ? groupNames.indexOf(placement.dbSubnetGroup) : -1;
    if (placement.dbSubnetGroup && groupIndex >= 0 && !dbGroups[groupIndex])
      problems.push(
        problem(
          'placement',
          ['placement', role, 'dbSubnetGroup'],
          `no DB subnet group ${placement.dbSubnetGroup} in ${region}; expected one for the restored database`,
          `create it in ${region} (aws rds create-db-subnet-group --region ${region} --db-subnet-group-name ${placement.dbSubnetGroup} …), or name one that is there`,
        ),
      );
  }
  return problems;
}

/** Instance profiles the placement names (IAM is global: one check whatever the region). */
export async function checkInstanceProfiles(iam: IAMClient, plan: Plan): Promise<PreflightProblem[]> {
  const named = entriesOf(plan).flatMap(([role, p]) =>
    p.instanceProfile ? [{ role, ref: p.instanceProfile }] : [],
  );
  const distinct = [...new Set(named.map((n) => n.ref))];
  const exists = await mapWithConcurrency(distinct, 5, (ref) => instanceProfileExists(iam, ref));
  return named.flatMap(({ role, ref }) =>
    exists[distinct.indexOf(ref)]
      ? []
      : [
          problem(
            'placement',
            ['placement', role, 'instanceProfile'],
            `no IAM instance profile ${instanceProfileName(ref)}; expected one recovered instances can run with`,
            `create it (aws iam create-instance-profile --instance-profile-name ${instanceProfileName(ref)}) and add the role ${instanceRoleOf(role, plan)}, or name one that exists`,
          ),
        ],
  );
}

const instanceRoleOf = (role: string, plan: Plan) =>
  plan.placement[role]?.instanceRole ?? 'of placement.instanceRole';
