/**
 * What moto makes final at once, AWS takes minutes to finish: each resource a modeled operation
 * creates or changes gets a timeline in virtual time, and describes show the status that
 * timeline says (pending, creating, backing-up, modifying, PENDING) until it ends; a resource just
 * made is missing from describes for a few seconds; and operations on a resource not yet ready
 * fail as AWS fails them.
 */
import { awsError } from './aws-errors';

/** A status shown while `now < until`; after the last phase, moto's own (final) status shows. */
export interface Phase {
  readonly status: string;
  readonly until: number;
}

export type ResourceKind =
  | 'instance'
  | 'image'
  | 'ebs-snapshot'
  | 'db-snapshot'
  | 'db-cluster-snapshot'
  | 'db-instance'
  | 'db-cluster'
  | 'global-promotion'
  | 'change';

export interface Timeline {
  readonly kind: ResourceKind;
  readonly startedAt: number;
  /** Missing from describes before this. */
  readonly visibleAt: number;
  readonly phases: readonly Phase[];
  /** For a promoted read replica: its source stays set until this. */
  readonly promotedAt?: number;
  /** For a global database switchover or failover: the cluster (ARN) becoming its writer. */
  readonly promotingTo?: string;
}

/** The timeline key of a global database's promotion (global databases have no region). */
export function globalPromotionKey(globalClusterIdentifier: string): string {
  return `global-cluster:${globalClusterIdentifier}`;
}

export class ResourceTimelines {
  private readonly timelines = new Map<string, Timeline>();

  private static key(region: string, id: string): string {
    return `${region}|${id}`;
  }

  set(region: string, id: string, timeline: Timeline): void {
    this.timelines.set(ResourceTimelines.key(region, id), timeline);
  }

  get(region: string, id: string): Timeline | undefined {
    return this.timelines.get(ResourceTimelines.key(region, id));
  }

  clear(): void {
    this.timelines.clear();
  }

  /** The modeled status now, or undefined once the timeline is over (moto's answer stands). */
  status(region: string, id: string, now: number): string | undefined {
    const timeline = this.get(region, id);
    return timeline?.phases.find((phase) => now < phase.until)?.status;
  }

  /** The fraction of the work done, for the `Progress` fields. */
  progress(region: string, id: string, now: number): number {
    const timeline = this.get(region, id);
    const end = timeline?.phases.at(-1)?.until;
    if (!timeline || end === undefined || end <= timeline.startedAt) return 1;
    return Math.min(1, Math.max(0, (now - timeline.startedAt) / (end - timeline.startedAt)));
  }

  visible(region: string, id: string, now: number): boolean {
    const timeline = this.get(region, id);
    return !timeline || now >= timeline.visibleAt;
  }

  stillReplica(region: string, id: string, now: number): boolean {
    const promotedAt = this.get(region, id)?.promotedAt;
    return promotedAt !== undefined && now < promotedAt;
  }

  promoted(region: string, id: string): boolean {
    return this.get(region, id)?.promotedAt !== undefined;
  }
}

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const percent = (fraction: number) => `${Math.floor(fraction * 100)}%`;

/** A Route 53 change id with or without its `/change/` prefix. */
export function changeKey(id: unknown): string {
  return String(id ?? '').replace(/^\/change\//, '');
}

/** The identifier in an RDS ARN or a bare identifier, and the region it names (if an ARN). */
export function rdsIdentifier(value: string): { id: string; region?: string } {
  const arn = /^arn:[\w-]+:rds:([\w-]+):\d*:[\w-]+:(.+)$/.exec(value);
  return arn ? { id: arn[2] as string, region: arn[1] as string } : { id: value };
}

/** Rewrites a describe's answer to what AWS would show now (in place); may throw AWS's not-found. */
export function overlayDescribe(
  timelines: ResourceTimelines,
  service: string,
  operation: string,
  input: Json,
  output: Json,
  region: string,
  now: number,
): void {
  if (service === 'EC2' && operation === 'DescribeInstances') {
    const asked = (input.InstanceIds as string[] | undefined) ?? [];
    const hidden = asked.find((id) => !timelines.visible(region, id, now));
    if (hidden)
      throw awsError('InvalidInstanceID.NotFound', 400, `The instance ID '${hidden}' does not exist`);
    const reservations = list(output.Reservations).map((reservation) => {
      const instances = list(reservation.Instances).filter((instance) =>
        timelines.visible(region, String(instance.InstanceId), now),
      );
      for (const instance of instances) {
        if (timelines.status(region, String(instance.InstanceId), now) === 'pending')
          instance.State = { Code: 0, Name: 'pending' };
      }
      return { ...reservation, Instances: instances };
    });
    output.Reservations = reservations.filter((reservation) => list(reservation.Instances).length > 0);
  }
  if (service === 'EC2' && operation === 'DescribeImages') {
    const asked = (input.ImageIds as string[] | undefined) ?? [];
    const hidden = asked.find((id) => !timelines.visible(region, id, now));
    if (hidden) throw awsError('InvalidAMIID.NotFound', 400, `The image id '[${hidden}]' does not exist`);
    output.Images = list(output.Images).filter((image) =>
      timelines.visible(region, String(image.ImageId), now),
    );
    for (const image of list(output.Images)) {
      if (timelines.status(region, String(image.ImageId), now) === 'pending') image.State = 'pending';
    }
  }
  if (service === 'EC2' && operation === 'DescribeSnapshots') {
    for (const snapshot of list(output.Snapshots)) {
      const id = String(snapshot.SnapshotId);
      if (timelines.status(region, id, now) === 'pending') {
        snapshot.State = 'pending';
        snapshot.Progress = percent(timelines.progress(region, id, now));
      }
    }
  }
  if (service === 'RDS' && operation === 'DescribeDBInstances') {
    const instances = list(output.DBInstances);
    const promotedDone = new Set<string>();
    for (const instance of instances) {
      const id = String(instance.DBInstanceIdentifier);
      const status = timelines.status(region, id, now);
      if (status) instance.DBInstanceStatus = status;
      if (timelines.promoted(region, id) && !timelines.stillReplica(region, id, now)) {
        // A promoted replica is standalone (moto 5.2.1 keeps the source identifier for ever).
        delete instance.ReadReplicaSourceDBInstanceIdentifier;
        promotedDone.add(id);
      }
    }
    for (const instance of instances) {
      const replicas = instance.ReadReplicaDBInstanceIdentifiers as string[] | undefined;
      if (replicas) instance.ReadReplicaDBInstanceIdentifiers = replicas.filter((r) => !promotedDone.has(r));
    }
  }
  if (service === 'RDS' && operation === 'DescribeDBClusters') {
    const asked = input.DBClusterIdentifier;
    if (typeof asked === 'string' && !timelines.visible(region, rdsIdentifier(asked).id, now))
      throw awsError('DBClusterNotFoundFault', 404, `DBCluster ${asked} not found.`);
    output.DBClusters = list(output.DBClusters).filter((cluster) =>
      timelines.visible(region, String(cluster.DBClusterIdentifier), now),
    );
    for (const cluster of list(output.DBClusters)) {
      const status = timelines.status(region, String(cluster.DBClusterIdentifier), now);
      if (status) cluster.Status = status;
    }
  }
  if (service === 'RDS' && operation === 'DescribeGlobalClusters') {
    // A switchover or failover under way shows as the global database's FailoverState.
    for (const global of list(output.GlobalClusters)) {
      const key = globalPromotionKey(String(global.GlobalClusterIdentifier));
      const status = timelines.status('global', key, now);
      const to = timelines.get('global', key)?.promotingTo;
      if (status && to) global.FailoverState = { Status: status, ToDbClusterArn: to };
    }
  }
  if (service === 'RDS' && operation === 'DescribeDBSnapshots') {
    for (const snapshot of list(output.DBSnapshots)) {
      const id = String(snapshot.DBSnapshotIdentifier);
      const status = timelines.status(region, id, now);
      if (status) {
        snapshot.Status = status;
        snapshot.PercentProgress = Math.floor(timelines.progress(region, id, now) * 100);
      }
    }
  }
  if (service === 'RDS' && operation === 'DescribeDBClusterSnapshots') {
    for (const snapshot of list(output.DBClusterSnapshots)) {
      const id = String(snapshot.DBClusterSnapshotIdentifier);
      const status = timelines.status(region, id, now);
      if (status) {
        snapshot.Status = status;
        snapshot.PercentProgress = Math.floor(timelines.progress(region, id, now) * 100);
      }
    }
  }
  if (service === 'Route53' && operation === 'GetChange') {
    const change = output.ChangeInfo as Json | undefined;
    const id = change?.Id ?? input.Id;
    if (change && timelines.status('global', changeKey(id), now)) change.Status = 'PENDING';
  }
}

/** Fails an operation on a resource that is not ready for it, as AWS does; else nothing. */
export function checkPreconditions(
  timelines: ResourceTimelines,
  service: string,
  operation: string,
  input: Json,
  region: string,
  now: number,
): void {
  if (service !== 'RDS') return;
  const snapshotNotReady = (value: unknown, fallbackRegion: string) => {
    if (typeof value !== 'string') return;
    const { id, region: named } = rdsIdentifier(value);
    const status = timelines.status(named ?? fallbackRegion, id, now);
    if (status)
      throw awsError(
        'InvalidDBSnapshotStateFault',
        400,
        `Snapshot ${id} is not in available state (currently ${status}).`,
      );
  };
  const instanceNotReady = (value: unknown) => {
    if (typeof value !== 'string') return;
    const { id } = rdsIdentifier(value);
    const status = timelines.status(region, id, now);
    if (status && status !== 'available')
      throw awsError(
        'InvalidDBInstanceStateFault',
        400,
        `Instance ${id} is not in available state (${status}).`,
      );
  };
  if (operation === 'RestoreDBInstanceFromDBSnapshot') snapshotNotReady(input.DBSnapshotIdentifier, region);
  // RDS refuses an instance in a cluster that is still being restored.
  if (operation === 'CreateDBInstance' && typeof input.DBClusterIdentifier === 'string') {
    const status = timelines.status(region, rdsIdentifier(input.DBClusterIdentifier).id, now);
    if (status && status !== 'available')
      throw awsError(
        'InvalidDBClusterStateFault',
        400,
        `DBCluster ${input.DBClusterIdentifier} is not in available state (${status}).`,
      );
  }
  if (operation === 'CopyDBSnapshot')
    snapshotNotReady(input.SourceDBSnapshotIdentifier, String(input.SourceRegion ?? region));
  if (operation === 'CopyDBClusterSnapshot') {
    const { id, region: named } = rdsIdentifier(String(input.SourceDBClusterSnapshotIdentifier ?? ''));
    const status = timelines.status(named ?? String(input.SourceRegion ?? region), id, now);
    if (status)
      throw awsError(
        'InvalidDBClusterSnapshotStateFault',
        400,
        `Snapshot ${id} is not in available state (currently ${status}).`,
      );
  }
  if (['PromoteReadReplica', 'ModifyDBInstance', 'CreateDBSnapshot'].includes(operation))
    instanceNotReady(input.DBInstanceIdentifier);
}
