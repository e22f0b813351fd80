import type { ExpectedVolume } from '../recovery-points/recovery-point';
import type { ResourceKind } from '../recovery-points/resource-kind';
import type { ExpectedStorage } from './database-storage-check';
import type { GlobalPromotion } from './global-recovery';

/** One resource brought up from a recovery point, as recorded in a tier's inventory. */
export interface RecoveredResource {
  readonly kind: ResourceKind;
  /** The protected resource in the region we left. */
  readonly source: string;
  readonly role: string;
  readonly tier: string;
  /** Instance id or DB identifier in the region we moved to. */
  readonly recoveredId: string;
  /** The AMI, snapshot or replica it came from. */
  readonly pointId: string;
  /** True when this run created it; false when an earlier attempt had and it was reused. */
  readonly created: boolean;
  /** A cross-region replica promoted in place, rather than something restored or launched. */
  readonly promotedReplica?: boolean;
  /** A describe has returned it at least once; until then, absent from a describe is not alarming. */
  readonly seen?: boolean;
  readonly state?: string;
  readonly privateIp?: string;
  readonly publicIp?: string;
  /** A database's endpoint; for an Aurora cluster, its writer (cluster) endpoint. */
  readonly endpoint?: string;
  /** An Aurora cluster's reader endpoint. */
  readonly readerEndpoint?: string;
  readonly port?: number;
  /** An Aurora cluster: its DB instances, the writer first. */
  readonly members?: readonly ClusterMember[];
  /** An Aurora cluster: the class its instances are created with (they come after the cluster). */
  readonly instanceClass?: string;
  /** A restored database: what its recovery point says it must be (encryption, size). */
  readonly expectedStorage?: ExpectedStorage;
  /** An Aurora global database member promoted to writer: how (nothing was restored). */
  readonly globalPromotion?: GlobalPromotion;
  /** A launched instance: the volumes its recovery point promises (devices, sizes, keys). */
  readonly expectedVolumes?: ExpectedVolume[];
}

/** One DB instance of a recovered Aurora cluster. */
export interface ClusterMember {
  readonly id: string;
  readonly writer: boolean;
  readonly state?: string;
}

/** A tag that marks what one episode (failover, failback or drill) created, and its id. */
export interface Episode {
  readonly tagKey: string;
  readonly id: string;
}

export interface Laggard {
  readonly id: string;
  readonly state: string;
}

/** The first readiness check past the tier's RTO that found it not ready: recovery went on. */
export interface RtoMiss {
  readonly at: string;
  /** Seconds from the start of the run. */
  readonly elapsedSeconds: number;
  /** How many resources were not ready then, and the first of them. */
  readonly laggardCount: number;
  readonly laggards: Laggard[];
}

export interface TierInventory {
  readonly tierIndex: number;
  readonly tier: string;
  readonly region: string;
  readonly startedAt: string;
  /** Every resource started so far, in the order they were started. */
  readonly resources: RecoveredResource[];
  /** RecoverTier works in batches: how far it has got. Absent in inventories from before batches. */
  readonly progress?: { readonly total: number; readonly started: number; readonly done: boolean };
  /** When every resource was first seen ready. */
  readonly readyAt?: string;
  readonly rtoMissed?: RtoMiss;
}
