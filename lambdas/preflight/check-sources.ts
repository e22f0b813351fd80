/**
 * (a) The sources the plan names, as they are in the primary region: every instance id and tag
 * selector finds live instances, every RDS identifier a DB instance, every Aurora cluster
 * identifier a cluster; and each is a kind Pendulum protects. An instance an Auto Scaling group
 * manages carries the group's `aws:autoscaling:groupName` tag (Amazon EC2 Auto Scaling User Guide,
 * "Tag Auto Scaling groups and instances"): the group would replace what Pendulum recovers, so it
 * is refused until groups are supported. A DB instance with a DBClusterIdentifier is an Aurora
 * cluster member (RDS API Reference, DBInstance): its data is the cluster's, so the cluster is
 * what the plan must name (`aurora:`). DescribeDBClusters also lists Multi-AZ DB clusters, whose
 * engine is `mysql` or `postgres` rather than `aurora-*` (RDS User Guide, "Multi-AZ DB cluster
 * deployments"): they have no writer and readers to recreate, so they are refused. One describe
 * per 200 ids, per tag selector, per database.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { type DBCluster, DescribeDBClustersCommand, type RDSClient } from '@aws-sdk/client-rds';
import { describeInstanceVolumes } from '../failover/instance-volume-check';
import { findDbInstance } from '../failover/rds-recovery';
import type { PlanPath } from '../plan/plan-references';
import type { Plan, PlanResource } from '../plan/plan-schema';
import {
  describeInstances,
  FILTER_VALUES_MAX,
  type LiveInstance,
} from '../recovery-points/resolve-protected-sources';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { type PreflightProblem, problem } from './preflight-problem';

export const ASG_TAG = 'aws:autoscaling:groupName';

export interface SourceVolume {
  readonly id: string;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
}

export interface FoundInstance {
  readonly id: string;
  readonly type?: string;
  /** Where the plan names it: its id, or the tag selector that found it. */
  readonly path: PlanPath;
  readonly tierIndex: number;
  readonly role: string;
  readonly resource: PlanResource;
  /** Its EBS volumes, when asked for. */
  readonly volumes: SourceVolume[];
}

export interface FoundDatabase {
  readonly identifier: string;
  readonly path: PlanPath;
  readonly tierIndex: number;
  readonly resource: PlanResource;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  /** Protected by its cross-region replica: no snapshot is copied. */
  readonly replicated: boolean;
}

export interface SourceFindings {
  readonly problems: PreflightProblem[];
  readonly instances: FoundInstance[];
  readonly databases: FoundDatabase[];
}

export interface SourceScope {
  readonly region: string;
  /** Only these tiers. @default every tier */
  readonly tiers?: readonly string[];
  /** Read each instance's EBS volumes (for the key and copy-limit checks). */
  readonly volumes?: boolean;
  /** Check that Aurora clusters exist, and read their encryption (for the key and copy-limit checks). */
  readonly aurora?: boolean;
}

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';

async function findCluster(rds: RDSClient, identifier: string): Promise<DBCluster | undefined> {
  try {
    const { DBClusters = [] } = await rds.send(
      new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }),
    );
    return DBClusters[0];
  } catch (error) {
    if (['DBClusterNotFoundFault', 'DBClusterNotFound'].includes(errorName(error))) return undefined;
    throw error;
  }
}

/** Every volume attached to the instances, by instance: one describe per 200 instances. */
async function volumesOf(
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<Map<string, SourceVolume[]>> {
  const byInstance = new Map<string, SourceVolume[]>();
  for (const [instanceId, volumes] of await describeInstanceVolumes(ec2, instanceIds)) {
    const found = volumes.flatMap((volume) =>
      volume.VolumeId
        ? [
            {
              id: volume.VolumeId,
              encrypted: volume.Encrypted === true,
              ...(volume.KmsKeyId ? { kmsKeyId: volume.KmsKeyId } : {}),
            },
          ]
        : [],
    );
    if (found.length > 0) byInstance.set(instanceId, found);
  }
  return byInstance;
}

const ASG_FIX =
  "Pendulum does not protect Auto Scaling groups yet (the group would replace what it recovers): take the group's instances out of the plan (narrow a tag selector that matches them) and recreate the group in the recovery region from its launch template";

export async function checkSources(
  primary: { ec2: EC2Client; rds: RDSClient },
  plan: Plan,
  scope: SourceScope,
): Promise<SourceFindings> {
  const problems: PreflightProblem[] = [];
  const instances: FoundInstance[] = [];
  const where = scope.region;
  const tiers = plan.tiers
    .map((tier, index) => ({ tier, index }))
    .filter(({ tier }) => !scope.tiers || scope.tiers.includes(tier.name));

  // Instances named by id: every id of the scope, in as few describes as EC2 allows.
  const ids = tiers.flatMap(({ tier }) =>
    tier.resources.flatMap((r) => ('ec2' in r ? (r.ec2.ids ?? []) : [])),
  );
  const byId = new Map<string, LiveInstance>();
  for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX)
    for (const found of await describeInstances(primary.ec2, [
      { Name: 'instance-id', Values: ids.slice(i, i + FILTER_VALUES_MAX) },
    ]))
      byId.set(found.id, found);

  const asgProblems = (path: PlanPath, found: readonly LiveInstance[]) => {
    const byGroup = new Map<string, string[]>();
    for (const instance of found) {
      const group = instance.tags[ASG_TAG];
      if (group) byGroup.set(group, [...(byGroup.get(group) ?? []), instance.id]);
    }
    for (const [group, members] of byGroup)
      problems.push(
        problem(
          'unsupported',
          path,
          `${members.join(', ')} ${members.length === 1 ? 'is' : 'are'} managed by the Auto Scaling group ${group} (tag ${ASG_TAG}); expected instances no group manages`,
          ASG_FIX,
        ),
      );
    return new Set([...byGroup.values()].flat());
  };

  for (const { tier, index: t } of tiers) {
    for (const [r, resource] of tier.resources.entries()) {
      if (!('ec2' in resource)) continue;
      const base: PlanPath = ['tiers', t, 'resources', r, 'ec2'];
      const { role, ids: named, tag } = resource.ec2;
      const add = (instance: LiveInstance, path: PlanPath) =>
        instances.push({
          id: instance.id,
          type: instance.type,
          path,
          tierIndex: t,
          role,
          resource,
          volumes: [],
        });
      if (named) {
        named.forEach((id, i) => {
          const found = byId.get(id);
          if (!found) {
            problems.push(
              problem(
                'missing',
                [...base, 'ids', i],
                `no live instance ${id} in ${where}; expected a pending, running, stopping or stopped instance`,
                `remove ${id} from the plan, or name the instance that replaced it (aws ec2 describe-instances --region ${where} --instance-ids ${id})`,
              ),
            );
            return;
          }
          if (asgProblems([...base, 'ids', i], [found]).size === 0) add(found, [...base, 'ids', i]);
        });
      } else if (tag) {
        const found = await describeInstances(primary.ec2, [{ Name: `tag:${tag.key}`, Values: [tag.value] }]);
        if (found.length === 0)
          problems.push(
            problem(
              'missing',
              [...base, 'tag'],
              `no live instance in ${where} carries the tag ${tag.key}=${tag.value}; expected at least one`,
              `tag the role's instances ${tag.key}=${tag.value}, or correct the selector`,
            ),
          );
        const managed = asgProblems([...base, 'tag'], found);
        for (const instance of found) if (!managed.has(instance.id)) add(instance, [...base, 'tag']);
      }
    }
  }

  if (scope.volumes && instances.length > 0) {
    const volumes = await volumesOf(
      primary.ec2,
      instances.map((i) => i.id),
    );
    for (const instance of instances) instance.volumes.push(...(volumes.get(instance.id) ?? []));
  }

  const dbResources = tiers.flatMap(({ tier, index: t }) =>
    tier.resources.flatMap((resource, r) => (resource === undefined ? [] : [{ resource, t, r }])),
  );
  const rds = dbResources.flatMap((d) => ('rds' in d.resource ? [{ ...d, db: d.resource.rds }] : []));
  const described = await mapWithConcurrency(rds, 10, (d) => findDbInstance(primary.rds, d.db.identifier));
  const databases: FoundDatabase[] = [];
  rds.forEach((d, i) => {
    const path: PlanPath = ['tiers', d.t, 'resources', d.r, 'rds', 'identifier'];
    const db = described[i];
    if (!db) {
      problems.push(
        problem(
          'missing',
          path,
          `no DB instance ${d.db.identifier} in ${where}; expected an RDS DB instance of that identifier`,
          `correct the identifier, or remove the database from the plan (aws rds describe-db-instances --region ${where})`,
        ),
      );
      return;
    }
    if (db.DBClusterIdentifier) {
      problems.push(
        problem(
          'unsupported',
          path,
          `${d.db.identifier} is a member of the Aurora cluster ${db.DBClusterIdentifier}, not a standalone DB instance; its data is the cluster's`,
          `name the cluster instead: aurora: { clusterIdentifier: ${db.DBClusterIdentifier} } (its writer and readers are recovered with it)`,
        ),
      );
      return;
    }
    databases.push({
      identifier: d.db.identifier,
      path,
      tierIndex: d.t,
      resource: d.resource,
      encrypted: db.StorageEncrypted === true,
      ...(db.KmsKeyId ? { kmsKeyId: db.KmsKeyId } : {}),
      replicated: d.db.replicaIdentifier !== undefined,
    });
  });

  if (scope.aurora) {
    const clusters = dbResources.flatMap((d) =>
      'aurora' in d.resource ? [{ ...d, id: d.resource.aurora.clusterIdentifier }] : [],
    );
    const found = await mapWithConcurrency(clusters, 10, (c) => findCluster(primary.rds, c.id));
    clusters.forEach((c, i) => {
      const path: PlanPath = ['tiers', c.t, 'resources', c.r, 'aurora', 'clusterIdentifier'];
      const cluster = found[i];
      if (!cluster) {
        problems.push(
          problem(
            'missing',
            path,
            `no Aurora DB cluster ${c.id} in ${where}; expected a cluster of that identifier`,
            `correct the identifier (aws rds describe-db-clusters --region ${where})`,
          ),
        );
        return;
      }
      if (!cluster.Engine?.startsWith('aurora')) {
        problems.push(
          problem(
            'unsupported',
            path,
            `${c.id} is a Multi-AZ DB cluster (engine ${cluster.Engine ?? 'unknown'}), not an Aurora cluster`,
            `Pendulum protects Aurora clusters and DB instances: protect ${c.id} by other means (e.g. AWS Backup) and remove it from the plan`,
          ),
        );
        return;
      }
      // Its snapshots are copied like a database's: the same key checks and copy limits.
      databases.push({
        identifier: c.id,
        path,
        tierIndex: c.t,
        resource: c.resource,
        encrypted: cluster.StorageEncrypted === true,
        ...(cluster.KmsKeyId ? { kmsKeyId: cluster.KmsKeyId } : {}),
        replicated: false,
      });
    });
  }
  return { problems, instances, databases };
}
