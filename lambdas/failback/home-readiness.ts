/**
 * Whether the new primary is up: one describe per service for everything failback brings home,
 * refreshing states, addresses and endpoints in the inventory entries. A running instance is up
 * only with every volume its image promises (size, key); a database only under the key it was made
 * with (tagged on it as it was made); a cluster only with its writer and readers available, under
 * its key; otherwise it is broken.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { describeClusters } from '../failover/aurora-recovery';
import { clusterReadiness } from '../failover/cluster-readiness-rules';
import { storageMismatch } from '../failover/database-storage-check';
import { describeInstancesById } from '../failover/ec2-recovery';
import { describeGlobalDatabase, globalPromotionDone } from '../failover/global-database';
import { describeDbInstances } from '../failover/rds-recovery';
import { TAG, tagMap } from '../recovery-points/recovery-point';
import type { AwsClients } from '../runtime/aws-clients';
import { BROKEN_DB } from './home-databases';
import type { Problem } from './home-instances';
import type { HomeInventoryEntry } from './home-inventory';
import { homeVolumeMismatches } from './home-volume-check';

/** Instance states a new primary never comes back from by itself. */
const BROKEN_INSTANCE = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

export interface Laggard {
  /** The home resource, or the recovery resource it is being made from. */
  readonly id: string;
  readonly kind: 'ec2' | 'rds' | 'aurora';
  readonly state: string;
}

export interface HomeReadiness {
  readonly entries: HomeInventoryEntry[];
  readonly ready: boolean;
  readonly laggards: Laggard[];
  readonly broken: Problem[];
}

export async function assessHome(
  clients: AwsClients,
  region: string,
  entries: readonly HomeInventoryEntry[],
  problems: readonly Problem[],
): Promise<HomeReadiness> {
  const instanceIds = entries.flatMap((e) => (e.kind === 'ec2' && e.homeId ? [e.homeId] : []));
  const clusterIds = entries.flatMap((e) => (e.kind === 'aurora' && e.homeId ? [e.homeId] : []));
  // A cluster's instances are described with the databases: one DescribeDBInstances for all.
  const dbIds = entries.flatMap((e) =>
    e.kind === 'rds' && e.homeId ? [e.homeId] : e.kind === 'aurora' && e.homeId ? [...(e.members ?? [])] : [],
  );
  const [instances, dbs, clusters] = await Promise.all([
    instanceIds.length > 0
      ? describeInstancesById(clients.ec2(region), instanceIds)
      : new Map<string, Instance>(),
    dbIds.length > 0 ? describeDbInstances(clients.rds(region), dbIds) : new Map<string, DBInstance>(),
    clusterIds.length > 0 ? describeClusters(clients.rds(region), clusterIds) : new Map<string, DBCluster>(),
  ]);
  // A member switched back is ready once the global database names it writer and is settled.
  const switchedBack = new Set<string>();
  for (const entry of entries)
    if (entry.kind === 'aurora' && entry.strategy === 'switchover' && entry.homeId) {
      const db = await describeGlobalDatabase(clients.rds(region), entry.globalClusterIdentifier ?? '');
      if (globalPromotionDone(db, region)) switchedBack.add(entry.homeId);
    }
  const running = [...instances.values()].flatMap((i) =>
    i.InstanceId && i.ImageId && i.State?.Name === 'running'
      ? [{ instanceId: i.InstanceId, imageId: i.ImageId }]
      : [],
  );
  const volumeMismatches = await homeVolumeMismatches(clients.ec2(region), running);
  const failed = new Set(problems.map((p) => p.id));
  const broken: Problem[] = [...problems];
  const laggards: Laggard[] = [];
  const refreshed = entries.map((entry): HomeInventoryEntry => {
    if (failed.has(entry.recoveryId)) return entry;
    let next = entry;
    if (entry.homeId && entry.kind === 'ec2') {
      const instance = instances.get(entry.homeId);
      next = instance
        ? {
            ...entry,
            state: instance.State?.Name ?? 'pending',
            imageId: instance.ImageId ?? entry.imageId,
            privateIp: instance.PrivateIpAddress,
            publicIp: instance.PublicIpAddress,
          }
        : { ...entry, state: 'missing' };
      const mismatch = volumeMismatches.get(entry.homeId);
      if (BROKEN_INSTANCE.has(next.state))
        broken.push({
          id: entry.homeId,
          state: next.state,
          reason: `home instance ${entry.homeId} is ${next.state}`,
        });
      else if (mismatch)
        broken.push({
          id: entry.homeId,
          state: next.state,
          reason: `home instance ${entry.homeId}: ${mismatch}`,
        });
      else if (next.state !== 'running') laggards.push({ id: entry.homeId, kind: 'ec2', state: next.state });
      return next;
    }
    if (entry.homeId && entry.kind === 'rds') {
      const db = dbs.get(entry.homeId);
      next = db
        ? {
            ...entry,
            state: db.DBInstanceStatus ?? 'creating',
            endpoint: db.Endpoint?.Address,
            port: db.Endpoint?.Port,
          }
        : { ...entry, state: 'missing' };
      const madeUnder = tagMap(db?.TagList)[TAG.kmsKey];
      const keyMismatch =
        db && madeUnder && next.state === 'available'
          ? storageMismatch(db, { kmsKeyId: madeUnder })
          : undefined;
      if (BROKEN_DB.has(next.state))
        broken.push({
          id: entry.homeId,
          state: next.state,
          reason: `home database ${entry.homeId} is ${next.state}`,
        });
      else if (keyMismatch)
        broken.push({
          id: entry.homeId,
          state: next.state,
          reason: `home database ${entry.homeId}: ${keyMismatch}`,
        });
      else if (next.state !== 'available')
        laggards.push({ id: entry.homeId, kind: 'rds', state: next.state });
      return next;
    }
    if (entry.homeId && entry.kind === 'aurora') {
      const cluster = clusters.get(entry.homeId);
      next = cluster
        ? {
            ...entry,
            state: cluster.Status ?? 'creating',
            endpoint: cluster.Endpoint,
            readerEndpoint: cluster.ReaderEndpoint,
            port: cluster.Port,
          }
        : { ...entry, state: 'missing' };
      // Writer and readers each available, one of them the writer (as after failover).
      const readiness = clusterReadiness(cluster, entry.members ?? [], dbs, false);
      const madeUnder = tagMap(cluster?.TagList)[TAG.kmsKey];
      const keyMismatch =
        cluster && madeUnder && readiness.verdict === 'ready'
          ? storageMismatch(cluster, { kmsKeyId: madeUnder })
          : undefined;
      if (readiness.verdict === 'broken')
        broken.push({
          id: entry.homeId,
          state: readiness.state,
          reason: `home cluster ${entry.homeId} is ${readiness.state}`,
        });
      else if (keyMismatch)
        broken.push({
          id: entry.homeId,
          state: next.state,
          reason: `home cluster ${entry.homeId}: ${keyMismatch}`,
        });
      else if (readiness.verdict !== 'ready')
        laggards.push({ id: entry.homeId, kind: 'aurora', state: readiness.state });
      else if (entry.strategy === 'switchover' && !switchedBack.has(entry.homeId))
        laggards.push({ id: entry.homeId, kind: 'aurora', state: 'switching-over' });
      return next;
    }
    laggards.push({ id: entry.recoveryId, kind: entry.kind, state: entry.state });
    return entry;
  });
  return { entries: refreshed, ready: laggards.length === 0 && broken.length === 0, laggards, broken };
}
