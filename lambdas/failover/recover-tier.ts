/**
 * Brings one tier's resources up in a region from their chosen recovery points, reusing whatever
 * an earlier attempt of the same episode already made. Used by failover, failback and drills.
 */

import type { Instance } from '@aws-sdk/client-ec2';
import type { DBCluster, DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { copyTags, pendulumGivenName } from '../recovery-points/estate-tags';
import { TAG, tagMap } from '../recovery-points/recovery-point';
import type { AwsClients } from '../runtime/aws-clients';
import { mapWithConcurrency } from '../runtime/bounded-all';
import {
  clusterMemberIds,
  createClusterInstance,
  DEFAULT_CLUSTER_INSTANCE_CLASS,
  describeClusters,
  findCluster,
  restoreClusterFromSnapshot,
} from './aurora-recovery';
import { clusterReadiness, clusterWriter, membersToCreate } from './cluster-readiness-rules';
import { type ExpectedStorage, storageMismatch } from './database-storage-check';
import { describeInstancesById, findEpisodeInstances, launchInstance } from './ec2-recovery';
import { DEFAULT_INSTANCE_TYPE } from './failover-launches';
import { episodeSuffix } from './failover-run';
import { describeGlobalDatabase, globalPromotionDone } from './global-database';
import { memberInstanceIds, promoteGlobalCluster } from './global-recovery';
import { describeInstanceVolumes, volumeMismatch } from './instance-volume-check';
import type { ResolvedPlacement } from './placement';
import {
  describeDbInstances,
  episodeDbIdentifier,
  findDbInstance,
  promoteReplica,
  restoreDbFromSnapshot,
} from './rds-recovery';
import { databaseReadiness, instanceReadiness } from './readiness-rules';
import type { Episode, RecoveredResource } from './recovered-resource';
import type { SelectedResource } from './recovery-selection';

export interface RecoverTierRequest {
  readonly app: string;
  readonly region: string;
  readonly episode: Episode;
  readonly runId: string;
  readonly resources: readonly SelectedResource[];
  readonly placements: Record<string, ResolvedPlacement>;
  /** Extra tags, e.g. the drill marker. */
  readonly extraTags?: Record<string, string>;
  /** Marker in database identifiers: `pf` failover, `fb` failback, `dr` drill. */
  readonly dbMarker?: string;
  readonly concurrency?: number;
  /**
   * Each instance's position among its role's instances in the whole tier, so subnets are spread
   * the same way whichever batch launches it. @default its position in `resources`
   */
  readonly ordinals?: ReadonlyMap<string, number>;
}

type ResourceBase = Omit<RecoveredResource, 'recoveredId' | 'created' | 'seen'>;

/** `seen`: the instance came from a describe, not only from the RunInstances answer. */
function fromInstance(
  base: ResourceBase,
  instance: Instance,
  created: boolean,
  seen: boolean,
): RecoveredResource {
  return {
    ...base,
    recoveredId: instance.InstanceId ?? '',
    created,
    seen,
    state: instance.State?.Name,
    privateIp: instance.PrivateIpAddress,
    publicIp: instance.PublicIpAddress,
  };
}

function fromDb(base: ResourceBase, db: DBInstance, created: boolean, seen: boolean): RecoveredResource {
  return {
    ...base,
    recoveredId: db.DBInstanceIdentifier ?? '',
    created,
    seen,
    state: db.DBInstanceStatus,
    endpoint: db.Endpoint?.Address,
    port: db.Endpoint?.Port,
  };
}

/** A cluster's endpoints; its members' states and which is the writer, from the describes. */
function fromCluster(
  base: ResourceBase,
  cluster: DBCluster,
  created: boolean,
  seen: boolean,
  instances: ReadonlyMap<string, DBInstance> = new Map(),
): RecoveredResource {
  const writer = clusterWriter(cluster);
  return {
    ...base,
    recoveredId: cluster.DBClusterIdentifier ?? '',
    created,
    seen,
    state: cluster.Status,
    endpoint: cluster.Endpoint,
    readerEndpoint: cluster.ReaderEndpoint,
    port: cluster.Port,
    members: (base.members ?? []).map((m) => {
      const state = instances.get(m.id)?.DBInstanceStatus ?? m.state;
      return {
        id: m.id,
        writer: writer === undefined ? m.writer : writer === m.id,
        ...(state ? { state } : {}),
      };
    }),
  };
}

function withStorage<T extends object>(base: T, storage: ExpectedStorage | undefined): T {
  return storage ? { ...base, expectedStorage: storage } : base;
}

function ordinalsInRole(resources: readonly SelectedResource[]): Map<string, number> {
  const perRole = new Map<string, number>();
  return new Map(
    resources.map((r) => {
      const nth = perRole.get(r.role) ?? 0;
      perRole.set(r.role, nth + 1);
      return [r.source, nth];
    }),
  );
}

export async function recoverTier(
  clients: AwsClients,
  request: RecoverTierRequest,
): Promise<RecoveredResource[]> {
  const ec2 = clients.ec2(request.region);
  const rds = clients.rds(request.region);
  const limit = request.concurrency ?? 10;
  const instances = request.resources.filter((r) => r.kind === 'ec2');
  const databases = request.resources.filter((r) => r.kind === 'rds');
  const clusters = request.resources.filter((r) => r.kind === 'aurora');
  const existing =
    instances.length > 0
      ? await findEpisodeInstances(ec2, request.app, request.episode)
      : new Map<string, Instance>();
  const ordinals = request.ordinals ?? ordinalsInRole(instances);
  const suffix = episodeSuffix(request.episode.id);

  // The source's own tags, captured with its point (its Name included), and Pendulum's.
  const tagsFor = (resource: SelectedResource): Record<string, string> =>
    copyTags(
      resource.point.sourceTags,
      {
        [TAG.app]: request.app,
        [TAG.tier]: resource.tier,
        [TAG.role]: resource.role,
        [TAG.source]: resource.source,
        [request.episode.tagKey]: request.episode.id,
        [TAG.run]: request.runId,
        ...request.extraTags,
      },
      { fallbackName: pendulumGivenName(request.app, resource.role, resource.source) },
    );

  const recoveredInstances = await mapWithConcurrency(instances, limit, async (resource) => {
    const base = {
      kind: 'ec2' as const,
      source: resource.source,
      role: resource.role,
      tier: resource.tier,
      pointId: resource.point.id,
    };
    const volumes = resource.point.volumes ?? [];
    const expecting = volumes.length > 0 ? { ...base, expectedVolumes: volumes } : base;
    const found = existing.get(resource.source);
    if (found) return fromInstance(expecting, found, false, true);
    const placement = request.placements[resource.role];
    const nth = ordinals.get(resource.source) ?? 0;
    const subnets = placement?.subnetIds ?? [];
    const instance = await launchInstance(ec2, {
      imageId: resource.point.id,
      instanceType: placement?.instanceType ?? resource.point.sourceType ?? DEFAULT_INSTANCE_TYPE,
      subnetId: subnets.length > 0 ? subnets[nth % subnets.length] : undefined,
      securityGroupIds: placement?.securityGroupIds ?? [],
      instanceProfile: placement?.instanceProfile,
      keyName: placement?.keyName,
      tags: tagsFor(resource),
      clientToken: `${suffix}-${resource.source}`,
    });
    return fromInstance(expecting, instance, true, false);
  });

  const recoveredDatabases = await mapWithConcurrency(databases, limit, async (resource) => {
    const base = {
      kind: 'rds' as const,
      source: resource.source,
      role: resource.role,
      tier: resource.tier,
      pointId: resource.point.id,
    };
    if (resource.point.kind === 'db-replica') {
      // The replica existed before the run (promoteReplica described it): absent later means gone.
      const db = await promoteReplica(rds, resource.point.id);
      return fromDb({ ...base, promotedReplica: true }, db, false, true);
    }
    const identifier = episodeDbIdentifier(resource.source, suffix, request.dbMarker);
    const found = await findDbInstance(rds, identifier);
    if (found) return fromDb(withStorage(base, resource.point.storage), found, false, true);
    const placement = request.placements[resource.role];
    const db = await restoreDbFromSnapshot(rds, {
      identifier,
      snapshotIdentifier: resource.point.id,
      dbInstanceClass: placement?.dbInstanceClass ?? resource.point.sourceType,
      dbSubnetGroup: placement?.dbSubnetGroup,
      securityGroupIds: placement?.securityGroupIds ?? [],
      tags: tagsFor(resource),
    });
    return fromDb(withStorage(base, resource.point.storage), db, true, false);
  });

  // Only the cluster here: its instances can be created once it is available (assessTier does).
  const recoveredClusters = await mapWithConcurrency(clusters, limit, async (resource) => {
    if (resource.point.kind === 'global-member') {
      // A drill must leave production alone: promoting the member would move production's writer.
      if (request.dbMarker === 'dr')
        throw new Error(
          `a drill does not promote ${resource.point.id}: switching a global database over moves production's writer`,
        );
      // The recovery region's member of the global database is promoted, not restored.
      const { promotion, cluster } = await promoteGlobalCluster(
        clients,
        request.region,
        resource.point.id,
        request.episode.id,
      );
      const ids = memberInstanceIds(cluster);
      const base = {
        kind: 'aurora' as const,
        source: resource.source,
        role: resource.role,
        tier: resource.tier,
        pointId: resource.point.id,
        members: ids.map((id, i) => ({ id, writer: i === 0 })),
        globalPromotion: promotion,
      };
      return fromCluster(base, cluster, false, cluster.Status !== undefined);
    }
    const identifier = episodeDbIdentifier(resource.source, suffix, request.dbMarker);
    const placement = request.placements[resource.role];
    const shape = resource.point.cluster ?? { engine: 'aurora-postgresql', readers: 0 };
    const memberIds = clusterMemberIds(resource.source, suffix, request.dbMarker, shape.readers);
    const base = withStorage(
      {
        kind: 'aurora' as const,
        source: resource.source,
        role: resource.role,
        tier: resource.tier,
        pointId: resource.point.id,
        members: memberIds.map((id, i) => ({ id, writer: i === 0 })),
        instanceClass:
          placement?.dbInstanceClass ?? resource.point.sourceType ?? DEFAULT_CLUSTER_INSTANCE_CLASS,
      },
      resource.point.storage,
    );
    const found = await findCluster(rds, identifier);
    if (found) return fromCluster(base, found, false, true);
    const cluster = await restoreClusterFromSnapshot(rds, {
      identifier,
      snapshotIdentifier: resource.point.id,
      engine: shape.engine,
      engineVersion: shape.engineVersion,
      dbSubnetGroup: placement?.dbSubnetGroup,
      securityGroupIds: placement?.securityGroupIds ?? [],
      tags: tagsFor(resource),
    });
    return fromCluster(base, cluster, true, false);
  });

  return [...recoveredClusters, ...recoveredDatabases, ...recoveredInstances];
}

/**
 * Creates the instances a cluster is ready for (writer first, readers once the writer shows), with
 * the cluster's engine and tags (the cluster was restored with the source's and Pendulum's).
 */
async function addClusterMembers(
  rds: RDSClient,
  resource: RecoveredResource,
  cluster: DBCluster | undefined,
  instances: ReadonlyMap<string, DBInstance>,
): Promise<void> {
  const ids = (resource.members ?? []).map((m) => m.id);
  const existing = new Set([
    ...ids.filter((id) => instances.has(id)),
    ...(cluster?.DBClusterMembers ?? []).flatMap((m) => m.DBInstanceIdentifier ?? []),
  ]);
  const toCreate = membersToCreate(cluster, ids, existing);
  if (!cluster || toCreate.length === 0) return;
  const tags = tagMap(cluster.TagList);
  for (const identifier of toCreate)
    await createClusterInstance(rds, {
      identifier,
      cluster: resource.recoveredId,
      engine: cluster.Engine ?? 'aurora-postgresql',
      dbInstanceClass: resource.instanceClass ?? DEFAULT_CLUSTER_INSTANCE_CLASS,
      tags,
    });
}

export interface TierReadiness {
  readonly resources: RecoveredResource[];
  readonly ready: boolean;
  /** Resources not ready yet, with their state (`not-visible-yet`, `pending`, `promoting`, …). */
  readonly laggards: { readonly id: string; readonly state: string }[];
  /** Resources that can never become ready (terminated, failed, gone). */
  readonly broken: { readonly id: string; readonly state: string }[];
}

/** One describe per service for the whole tier: refreshes states, addresses and endpoints. */
export async function assessTier(
  clients: AwsClients,
  region: string,
  resources: readonly RecoveredResource[],
): Promise<TierReadiness> {
  const instanceIds = resources.filter((r) => r.kind === 'ec2').map((r) => r.recoveredId);
  const clusterResources = resources.filter((r) => r.kind === 'aurora');
  // A cluster's instances are described with the databases: one DescribeDBInstances for all.
  const dbIds = [
    ...resources.filter((r) => r.kind === 'rds').map((r) => r.recoveredId),
    ...clusterResources.flatMap((r) => (r.members ?? []).map((m) => m.id)),
  ];
  const [instances, dbs, clusters] = await Promise.all([
    instanceIds.length
      ? describeInstancesById(clients.ec2(region), instanceIds)
      : new Map<string, Instance>(),
    dbIds.length ? describeDbInstances(clients.rds(region), dbIds) : new Map<string, DBInstance>(),
    clusterResources.length
      ? describeClusters(
          clients.rds(region),
          clusterResources.map((r) => r.recoveredId),
        )
      : new Map<string, DBCluster>(),
  ]);
  // Each check makes progress on a cluster's instances, so the readiness loop brings them up.
  for (const resource of clusterResources.filter((r) => !r.globalPromotion))
    await addClusterMembers(clients.rds(region), resource, clusters.get(resource.recoveredId), dbs);
  // A promoted global member is ready once the global database names it writer and is settled.
  const promotionsDone = new Set<string>();
  for (const resource of clusterResources.filter((r) => r.globalPromotion)) {
    const id = resource.globalPromotion?.globalClusterIdentifier ?? '';
    if (globalPromotionDone(await describeGlobalDatabase(clients.rds(region), id), region))
      promotionsDone.add(resource.recoveredId);
  }
  // The volumes of running instances that have a promise to keep (one describe for all of them).
  const toCheck = resources.filter(
    (r) => r.kind === 'ec2' && r.expectedVolumes && instances.get(r.recoveredId)?.State?.Name === 'running',
  );
  const volumes =
    toCheck.length > 0
      ? await describeInstanceVolumes(
          clients.ec2(region),
          toCheck.map((r) => r.recoveredId),
        )
      : new Map();
  const laggards: { id: string; state: string }[] = [];
  const broken: { id: string; state: string }[] = [];
  const refreshed = resources.map((resource): RecoveredResource => {
    const seenBefore = resource.seen === true;
    if (resource.kind === 'ec2') {
      const instance = instances.get(resource.recoveredId);
      const readiness = instanceReadiness(instance, seenBefore);
      const mismatch =
        readiness.verdict === 'ready' && resource.expectedVolumes
          ? volumeMismatch(
              resource.recoveredId,
              volumes.get(resource.recoveredId) ?? [],
              resource.expectedVolumes,
            )
          : undefined;
      const { verdict, state } = mismatch ? { verdict: 'broken' as const, state: mismatch } : readiness;
      if (verdict !== 'ready')
        (verdict === 'broken' ? broken : laggards).push({ id: resource.recoveredId, state });
      return instance ? fromInstance(resource, instance, resource.created, true) : { ...resource, state };
    }
    if (resource.kind === 'aurora') {
      const cluster = clusters.get(resource.recoveredId);
      const ids = (resource.members ?? []).map((m) => m.id);
      const readiness = resource.globalPromotion
        ? globalMemberReadiness(cluster, ids, dbs, seenBefore, promotionsDone.has(resource.recoveredId))
        : clusterReadiness(cluster, ids, dbs, seenBefore);
      const mismatch =
        cluster && readiness.verdict === 'ready' && resource.expectedStorage
          ? storageMismatch(cluster, { kmsKeyId: resource.expectedStorage.kmsKeyId })
          : undefined;
      const { verdict, state } = mismatch ? { verdict: 'broken' as const, state: mismatch } : readiness;
      if (verdict !== 'ready')
        (verdict === 'broken' ? broken : laggards).push({ id: resource.recoveredId, state });
      return cluster
        ? { ...fromCluster(resource, cluster, resource.created, true, dbs), state }
        : { ...resource, state };
    }
    const db = dbs.get(resource.recoveredId);
    const readiness = databaseReadiness(db, {
      seenBefore,
      promotedReplica: resource.promotedReplica === true,
    });
    const mismatch =
      db && readiness.verdict === 'ready' && resource.expectedStorage
        ? storageMismatch(db, resource.expectedStorage)
        : undefined;
    const { verdict, state } = mismatch ? { verdict: 'broken' as const, state: mismatch } : readiness;
    if (verdict !== 'ready')
      (verdict === 'broken' ? broken : laggards).push({ id: resource.recoveredId, state });
    return db ? { ...fromDb(resource, db, resource.created, true), state } : { ...resource, state };
  });
  return { resources: refreshed, ready: laggards.length === 0 && broken.length === 0, laggards, broken };
}

/**
 * A promoted global member: ready as a cluster (available, its instances available, a writer among
 * them) once the promotion is done. A member with no instances (a headless secondary) has no
 * writer to serve from and Pendulum does not create instances in it yet: broken, not waited for.
 */
function globalMemberReadiness(
  cluster: DBCluster | undefined,
  ids: readonly string[],
  dbs: ReadonlyMap<string, DBInstance>,
  seenBefore: boolean,
  promotionDone: boolean,
): ReturnType<typeof clusterReadiness> {
  if (cluster && ids.length === 0) return { verdict: 'broken', state: HEADLESS_MEMBER };
  if (!promotionDone) return { verdict: 'waiting', state: PROMOTING };
  return clusterReadiness(cluster, ids, dbs, seenBefore);
}

/** A global member whose promotion RDS has not finished (the global database not yet settled). */
export const PROMOTING = 'global-promotion-in-progress';
export const HEADLESS_MEMBER = 'global-member-has-no-instances';
