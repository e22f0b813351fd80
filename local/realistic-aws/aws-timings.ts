/**
 * How long AWS takes, in one table: the realistic local AWS draws every duration, visibility delay,
 * request rate and latency from here. Each entry names its source. Where AWS publishes a figure it
 * is used as published; where AWS publishes none (most asynchronous operations: "depends on the
 * amount of data"), the figure is a typical one chosen on the slow side, and says so, because a
 * model that is too fast hides exactly the defects this layer exists to find.
 */

/** A duration that grows with data: `baseMs + perGiBMs × GiB`, then ±`spread` (seeded). */
export interface SizedDuration {
  readonly baseMs: number;
  readonly perGiBMs: number;
  readonly spread: number;
  readonly source: string;
}

export interface FixedDuration {
  readonly ms: number;
  readonly spread: number;
  readonly source: string;
}

export interface TokenBucket {
  /** Burst: tokens when full. */
  readonly capacity: number;
  /** Sustained rate: tokens added per second. */
  readonly refillPerSecond: number;
  readonly source: string;
}

const S = 1000;
const MIN = 60 * S;

const NO_FIGURE = 'AWS publishes no figure (it depends on the data); typical value, on the slow side';

export const AWS_TIMINGS = {
  ec2: {
    /** RunInstances → `running`. */
    instancePending: {
      ms: 45 * S,
      spread: 0.3,
      source:
        'EC2 User Guide, "Amazon EC2 instance state changes": pending until running; no figure published, typically 30-60 s',
    } satisfies FixedDuration,
    /** A new instance or AMI is missing from describes (and `InvalidInstanceID.NotFound` by id) for this long. */
    visibilityDelay: {
      ms: 4 * S,
      spread: 0.5,
      source:
        'EC2 Developer Guide, "Eventual consistency in the Amazon EC2 API": a new resource\'s ID "might not have propagated"; no figure, seconds',
    } satisfies FixedDuration,
    /** CreateImage: `pending` → `available` (the volumes' snapshots), by total volume size. */
    createImage: {
      baseMs: 2 * MIN,
      perGiBMs: 6 * S,
      spread: 0.2,
      source: `EBS snapshots are made asynchronously; ${NO_FIGURE}: ~170 MiB/s for a first (full) snapshot`,
    } satisfies SizedDuration,
    /** CopyImage to another region, by total volume size. */
    copyImageCrossRegion: {
      baseMs: 5 * MIN,
      perGiBMs: 10 * S,
      spread: 0.2,
      source: `EC2 User Guide, "Copy an Amazon EC2 AMI": copy time depends on size and regions; ${NO_FIGURE}`,
    } satisfies SizedDuration,
  },
  rds: {
    createDbSnapshot: {
      baseMs: 3 * MIN,
      perGiBMs: 2 * S,
      spread: 0.2,
      source: `RDS User Guide, "Creating a DB snapshot": status creating until available; ${NO_FIGURE}`,
    } satisfies SizedDuration,
    copyDbSnapshotCrossRegion: {
      baseMs: 10 * MIN,
      perGiBMs: 6 * S,
      spread: 0.2,
      source: `RDS User Guide, "Copying a DB snapshot": cross-Region copies can take hours for large snapshots; ${NO_FIGURE}`,
    } satisfies SizedDuration,
    /** CreateDBClusterSnapshot: Aurora snapshots the cluster volume, not one instance's. */
    createDbClusterSnapshot: {
      baseMs: 3 * MIN,
      perGiBMs: 2 * S,
      spread: 0.2,
      source: `Aurora User Guide, "Creating a DB cluster snapshot": status creating until available; ${NO_FIGURE}`,
    } satisfies SizedDuration,
    copyDbClusterSnapshotCrossRegion: {
      baseMs: 10 * MIN,
      perGiBMs: 6 * S,
      spread: 0.2,
      source: `Aurora User Guide, "Copying a DB cluster snapshot": cross-Region copies depend on the amount of data; ${NO_FIGURE}`,
    } satisfies SizedDuration,
    /** RestoreDBInstanceFromDBSnapshot: `creating` (this long) … */
    restoreCreating: {
      baseMs: 12 * MIN,
      perGiBMs: 3 * S,
      spread: 0.2,
      source: `RDS User Guide, "Restoring to a DB instance": creating, then backing-up, then available; ${NO_FIGURE} (10-30 min is common for small instances)`,
    } satisfies SizedDuration,
    /** … then `backing-up` (the new instance's first automated backup) this long, then `available`. */
    restoreBackingUp: {
      ms: 4 * MIN,
      spread: 0.3,
      source: 'RDS User Guide, "Viewing Amazon RDS DB instance status" (backing-up); no figure published',
    } satisfies FixedDuration,
    createReadReplica: {
      baseMs: 15 * MIN,
      perGiBMs: 3 * S,
      spread: 0.2,
      source: `RDS User Guide, "Creating a read replica": a snapshot of the source, then a restore; ${NO_FIGURE}`,
    } satisfies SizedDuration,
    /** PromoteReadReplica: still `available` with its source set for this long (the race) … */
    promoteStillReplica: {
      ms: 20 * S,
      spread: 0.5,
      source:
        'RDS User Guide, "Promoting a read replica": the instance reboots and becomes modifying; the status change is not immediate',
    } satisfies FixedDuration,
    /** … then `modifying`, source still set, this long; then `available` and a standalone instance. */
    promoteModifying: {
      ms: 3 * MIN,
      spread: 0.3,
      source: 'RDS User Guide, "Promoting a read replica": "takes a few minutes" depending on the size',
    } satisfies FixedDuration,
    /** RestoreDBClusterFromSnapshot: the cluster is `creating` this long (storage only, no instance). */
    restoreClusterCreating: {
      ms: 10 * MIN,
      spread: 0.3,
      source: `Aurora User Guide, "Restoring from a DB cluster snapshot": the cluster is creating, then available; ${NO_FIGURE} (Aurora storage is restored lazily, so it barely grows with size)`,
    } satisfies FixedDuration,
    /** A restored cluster is missing from DescribeDBClusters (DBClusterNotFound by id) for this long. */
    clusterVisibilityDelay: {
      ms: 5 * S,
      spread: 0.5,
      source:
        'RDS API Reference, "Amazon RDS API eventual consistency" (as for EC2): a new resource may not be returned at once; no figure, seconds',
    } satisfies FixedDuration,
    /** ModifyDBCluster with NewDBClusterIdentifier: the cluster is `renaming` this long. */
    renameCluster: {
      ms: 2 * MIN,
      spread: 0.3,
      source:
        'RDS User Guide, "Renaming a Multi-AZ DB cluster": the new DNS name becomes effective in about two minutes; the renamed cluster is not available until then',
    } satisfies FixedDuration,
    /** CreateDBInstance in an Aurora cluster: the instance is `creating` this long. */
    clusterInstanceCreating: {
      ms: 8 * MIN,
      spread: 0.3,
      source:
        'Aurora User Guide, "Adding Aurora Replicas to a DB cluster": the instance is creating until available; no figure published (5-10 min is common)',
    } satisfies FixedDuration,
    /** DeleteDBInstance with a final snapshot: the snapshot is `creating` this long. */
    finalSnapshot: {
      baseMs: 3 * MIN,
      perGiBMs: 2 * S,
      spread: 0.2,
      source: `RDS User Guide, "Deleting a DB instance" (final snapshot before deletion); ${NO_FIGURE}`,
    } satisfies SizedDuration,
  },
  route53: {
    /** ChangeResourceRecordSets: `PENDING` → `INSYNC`. */
    propagation: {
      ms: 45 * S,
      spread: 0.3,
      source:
        'Route 53 Developer Guide, "Editing records": "Changes generally propagate to all Route 53 name servers within 60 seconds"',
    } satisfies FixedDuration,
  },
} as const;

/** Request rates: one bucket per key (service, account and region, and where AWS has one, the API). */
export const AWS_REQUEST_RATES = {
  ec2NonMutating: {
    capacity: 100,
    refillPerSecond: 20,
    source:
      'EC2 Developer Guide, "Request throttling for the Amazon EC2 API": non-mutating actions (Describe*) 100 tokens, 20/s, per API',
  } satisfies TokenBucket,
  ec2Mutating: {
    capacity: 50,
    refillPerSecond: 5,
    source:
      'EC2 Developer Guide, "Request throttling for the Amazon EC2 API": mutating actions 50 tokens, 5/s, per API',
  } satisfies TokenBucket,
  /** RunInstances also spends one resource token per instance. */
  ec2RunInstancesResource: {
    capacity: 1000,
    refillPerSecond: 2,
    source:
      'EC2 Developer Guide, "Request throttling for the Amazon EC2 API", resource token limits: RunInstances 1000 instances, 2/s',
  } satisfies TokenBucket,
  ec2TerminateInstancesResource: {
    capacity: 1000,
    refillPerSecond: 20,
    source:
      'EC2 Developer Guide, "Request throttling for the Amazon EC2 API", resource token limits: TerminateInstances 1000 instances, 20/s',
  } satisfies TokenBucket,
  rdsAccount: {
    capacity: 300,
    refillPerSecond: 12,
    source:
      'RDS User Guide, "Request throttling for the Amazon RDS API": "up to 300 requests in a burst and a sustained 12 requests per second"',
  } satisfies TokenBucket,
  route53Account: {
    capacity: 50,
    refillPerSecond: 10,
    source:
      'Route 53 Developer Guide, "Throttling for Amazon Route 53 API requests": all operations combined 50 tokens, 10/s per account',
  } satisfies TokenBucket,
  route53PerOperation: {
    capacity: 50,
    refillPerSecond: 10,
    source:
      'Route 53 Developer Guide, "Throttling for Amazon Route 53 API requests": default per operation 50 tokens, 10/s',
  } satisfies TokenBucket,
} as const;

/** Round-trip latency of one API call, by kind (client to a regional endpoint, same continent). */
export const AWS_LATENCY = {
  describe: {
    ms: 120,
    spread: 0.5,
    source: 'typical SDK round trip to a regional endpoint; no figure published',
  },
  mutate: { ms: 250, spread: 0.5, source: 'typical SDK round trip for a mutating call; no figure published' },
  runInstances: {
    ms: 1500,
    spread: 0.4,
    source: 'RunInstances answers after capacity is reserved; typically 1-2 s, no figure published',
  },
  dataPlane: {
    ms: 15,
    spread: 0.5,
    source: 'DynamoDB, S3 and SNS single-item calls in region: single-digit to tens of ms',
  },
} satisfies Record<string, FixedDuration>;

/** The cost of invoking a Lambda function, beyond its handler's own time. */
export const LAMBDA_INVOCATION = {
  warm: { ms: 25, spread: 0.5, source: 'Step Functions → Lambda invoke overhead, warm; no figure published' },
  coldStart: {
    ms: 600,
    spread: 0.4,
    source:
      'Lambda Developer Guide, "Lambda execution environment lifecycle" (Init phase); Node.js with the AWS SDK, typically hundreds of ms',
  },
} satisfies Record<string, FixedDuration>;

export function sizedMs(duration: SizedDuration, gib: number, factor: number): number {
  return Math.round((duration.baseMs + duration.perGiBMs * Math.max(0, gib)) * factor);
}
