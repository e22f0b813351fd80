/**
 * (e) Limits a run may hit, reported as warnings unless clearly over.
 *
 * - Running On-Demand vCPUs: On-Demand quotas count the vCPUs of running instances per group of
 *   families; the Standard group (A, C, D, H, I, M, R, T, Z) is Service Quotas L-1216C47A (Amazon
 *   EC2 User Guide, "Amazon EC2 instance type quotas"). What a failover launches there is added to
 *   what already runs in the recovery region. vCPUs per type come from EC2 DescribeInstanceTypes
 *   (VCpuInfo.DefaultVCpus). The quota itself is read through `VcpuQuota` when one is given.
 * - Cross-region copies: EBS runs at most 20 concurrent snapshot copies per destination Region,
 *   not adjustable (Amazon EBS User Guide, "Quotas for Amazon EBS"); an AMI copy copies each of its
 *   snapshots. RDS allows up to 20 snapshot copy requests in progress to a single destination
 *   Region per account (Amazon RDS User Guide, "Copying a DB snapshot", Limitations). Protect
 *   copies a tier's points together.
 */
import { DescribeInstanceTypesCommand, type EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import type { PlanPath } from '../plan/plan-references';
import type { Plan } from '../plan/plan-schema';
import type { FoundDatabase, FoundInstance } from './check-sources';
import { type PreflightProblem, problem } from './preflight-problem';

export const STANDARD_VCPU_QUOTA_CODE = 'L-1216C47A';
export const EBS_CONCURRENT_COPIES = 20;
export const RDS_CONCURRENT_COPIES = 20;

/** The quota of running On-Demand Standard vCPUs in a region, when it can be read. */
export type VcpuQuota = (region: string) => Promise<number | undefined>;

/** Families of other On-Demand groups (F, G, Inf, P, Trn, X, DL, HPC, Mac, …), not L-1216C47A. */
const OTHER_GROUPS = new Set(['inf', 'trn', 'dl', 'hpc', 'mac', 'vt', 'u']);

/** Whether an instance type counts toward the Standard (A, C, D, H, I, M, R, T, Z) quota. */
export function isStandardType(instanceType: string): boolean {
  const prefix = /^[a-z]+/.exec(instanceType)?.[0] ?? '';
  if (OTHER_GROUPS.has(prefix) || prefix.startsWith('u-')) return false;
  return /^[acdhimrtz]/.test(prefix);
}

/** What a failover launches of one role: `count` instances of `instanceType`. */
export interface Launch {
  readonly path: PlanPath;
  readonly instanceType: string;
  readonly count: number;
}

/** The decision, pure: over the quota even alone is an error; over with what runs, a warning. */
export function vcpuProblem(q: {
  region: string;
  neededVcpus: number;
  runningVcpus: number;
  quota: number | undefined;
}): PreflightProblem | undefined {
  if (q.quota === undefined || q.neededVcpus + q.runningVcpus <= q.quota) return undefined;
  const alone = q.neededVcpus > q.quota;
  return problem(
    'capacity',
    ['recoveryRegion'],
    `a failover launches ${q.neededVcpus} Standard On-Demand vCPUs in ${q.region}, where ${q.runningVcpus} already run; the quota (${STANDARD_VCPU_QUOTA_CODE}) is ${q.quota}${alone ? ', less than the failover alone' : ''}`,
    `request an increase of Service Quotas ${STANDARD_VCPU_QUOTA_CODE} in ${q.region} to at least ${q.neededVcpus + q.runningVcpus}`,
    alone ? 'error' : 'warning',
  );
}

/** vCPUs per type, in as few describes as EC2 allows (100 types each); unknown types left out. */
async function vcpusOf(ec2: EC2Client, types: readonly string[]): Promise<Map<string, number>> {
  const vcpus = new Map<string, number>();
  const ask = async (chunk: string[]) => {
    const { InstanceTypes = [] } = await ec2.send(
      new DescribeInstanceTypesCommand({ InstanceTypes: chunk as never }),
    );
    for (const t of InstanceTypes)
      if (t.InstanceType && t.VCpuInfo?.DefaultVCpus) vcpus.set(t.InstanceType, t.VCpuInfo.DefaultVCpus);
  };
  for (let i = 0; i < types.length; i += 100) {
    const chunk = types.slice(i, i + 100);
    try {
      await ask(chunk);
    } catch (error) {
      // One type the region does not offer fails the whole describe: ask for each alone.
      if ((error as Error).name !== 'InvalidInstanceType') throw error;
      for (const type of chunk) await ask([type]).catch(() => undefined);
    }
  }
  return vcpus;
}

export async function checkVcpuCapacity(
  ec2: EC2Client,
  region: string,
  launches: readonly Launch[],
  quota?: VcpuQuota,
): Promise<PreflightProblem[]> {
  const standard = launches.filter((l) => isStandardType(l.instanceType));
  if (standard.length === 0) return [];
  const running: string[] = [];
  for await (const page of paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    { Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }] },
  ))
    for (const r of page.Reservations ?? [])
      for (const i of r.Instances ?? [])
        if (i.InstanceType && isStandardType(i.InstanceType)) running.push(i.InstanceType);
  const types = [...new Set([...standard.map((l) => l.instanceType), ...running])].sort();
  const vcpus = await vcpusOf(ec2, types);
  const problems: PreflightProblem[] = [];
  for (const launch of standard)
    if (!vcpus.has(launch.instanceType))
      problems.push(
        problem(
          'capacity',
          launch.path,
          `instance type ${launch.instanceType} is not offered in ${region}`,
          `choose a type ${region} offers (aws ec2 describe-instance-types --region ${region})`,
        ),
      );
  const neededVcpus = standard.reduce((n, l) => n + l.count * (vcpus.get(l.instanceType) ?? 0), 0);
  const runningVcpus = running.reduce((n, t) => n + (vcpus.get(t) ?? 0), 0);
  const over = vcpuProblem({ region, neededVcpus, runningVcpus, quota: await quota?.(region) });
  return over ? [...problems, over] : problems;
}

/** What a failover launches for the sources found: per role, the placement's type or the source's. */
export function launchesOf(plan: Plan, instances: readonly FoundInstance[]): Launch[] {
  const byRole = new Map<string, Launch>();
  for (const instance of instances) {
    const type = plan.placement[instance.role]?.instanceType ?? instance.type;
    if (!type) continue;
    const key = `${instance.role}|${type}`;
    const seen = byRole.get(key);
    const path = plan.placement[instance.role]?.instanceType
      ? ['placement', instance.role, 'instanceType']
      : instance.path;
    byRole.set(key, { path, instanceType: type, count: (seen?.count ?? 0) + 1 });
  }
  return [...byRole.values()];
}

/** Pure: tiers whose protection copies more at once than EBS or RDS runs to one region. */
export function copyLimitProblems(
  plan: Plan,
  sources: { instances: readonly FoundInstance[]; databases: readonly FoundDatabase[] },
): PreflightProblem[] {
  return plan.tiers.flatMap((tier, t) => {
    const snapshots = sources.instances
      .filter((i) => i.tierIndex === t)
      .reduce((n, i) => n + Math.max(1, i.volumes.length), 0);
    const dbCopies = sources.databases.filter((d) => d.tierIndex === t && !d.replicated).length;
    const found: PreflightProblem[] = [];
    if (snapshots > EBS_CONCURRENT_COPIES)
      found.push(
        problem(
          'copyLimits',
          ['tiers', t],
          `protecting tier ${tier.name} copies ${snapshots} EBS snapshots to ${plan.recoveryRegion} at once (its instances' AMIs); EBS runs at most ${EBS_CONCURRENT_COPIES} concurrent snapshot copies per destination region, not adjustable`,
          `expect the copies past ${EBS_CONCURRENT_COPIES} to wait for earlier ones (allow for it in protection.copyCap and the tier's RPO), or split the tier`,
          'warning',
        ),
      );
    if (dbCopies > RDS_CONCURRENT_COPIES)
      found.push(
        problem(
          'copyLimits',
          ['tiers', t],
          `protecting tier ${tier.name} copies ${dbCopies} DB snapshots to ${plan.recoveryRegion} at once; RDS allows ${RDS_CONCURRENT_COPIES} snapshot copy requests in progress per destination region`,
          'split the tier, or protect some databases with a cross-region replica (replicaIdentifier)',
          'warning',
        ),
      );
    return found;
  });
}
