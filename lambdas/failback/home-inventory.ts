/**
 * The home inventory: every resource failback brings up in the target region, where it came from
 * and how far it has got. Written by every sync-home call and by finalise-home; read by the DNS
 * shift (addresses, endpoints), the report, and the retirement of recovery copies.
 */
import { type ArtifactStore, runArtifactKey } from '../artifacts/artifact-store';
import { InvalidInputError } from '../runtime/task-errors';
import { FAILBACK_ARTIFACTS, type FailbackResourcePlan, type FailbackRun } from './failback-run';
import type { LeftToCopy } from './reverse-points';

export interface HomeInventoryEntry {
  /** An instance, an RDS DB instance, or an Aurora cluster (its instances listed in `members`). */
  readonly kind: 'ec2' | 'rds' | 'aurora';
  readonly role: string;
  readonly tier: string;
  /**
   * Instances: the stale primary instance it replaces (absent for one added during failover).
   * Databases: the plan's identifier, which the home database takes at finalise.
   */
  readonly source?: string;
  /** The resource in the recovery region it was made from. */
  readonly recoveryId: string;
  /** Instance id or DB identifier in the target region, once it exists. */
  readonly homeId?: string;
  /** Instances: the AMI (copied into the target region) it was launched from. */
  readonly imageId?: string;
  /** Databases: `replica`, `snapshot`, or `switchover` (an Aurora global database member). */
  readonly strategy?: 'replica' | 'snapshot' | 'switchover';
  /** `switchover`: the global database switched back to this home member. */
  readonly globalClusterIdentifier?: string;
  /** Databases brought by snapshot: the snapshot in the target region it was restored from. */
  readonly snapshotId?: string;
  /**
   * Where it is: `imaging`, `copying` (the AMI or snapshot on its way), `snapshotting`, then the
   * instance state or DB status (`running`, `available`, …); `missing` when it cannot be found.
   */
  readonly state: string;
  readonly privateIp?: string;
  readonly publicIp?: string;
  readonly endpoint?: string;
  /** Aurora clusters: the reader endpoint (records with `endpoint: reader` target it). */
  readonly readerEndpoint?: string;
  readonly port?: number;
  /** Aurora clusters: the home cluster's instances, the writer first. */
  readonly members?: readonly string[];
  /** True when this run made it; false when an earlier run of the same failback episode had. */
  readonly created: boolean;
  /** Databases, after finalise-home: the replica was promoted (or was no replica). */
  readonly promoted?: boolean;
  /** Databases, after finalise-home: the stale primary's identifier once set aside. */
  readonly staleId?: string;
  /**
   * Databases: the moment the home copy holds every write up to: when the final snapshot was taken,
   * or when the lag reading a replica was promoted on was measured. Failback's RPO is judged on it.
   */
  readonly syncPointAt?: string;
  /**
   * What the last copy into the target region carried: incremental on top of the newest reverse
   * point (made while failed over) or full (see failback/reverse-points).
   */
  readonly leftToCopy?: LeftToCopy;
}

export interface HomeInventory {
  readonly app: string;
  readonly runId: string;
  readonly failbackId: string;
  /** The target region, where the resources are. */
  readonly region: string;
  readonly recoveryRegion: string;
  /** The first sync-home call of this run: failback.syncCap counts from here, through finalise-home. */
  readonly startedAt: string;
  readonly updatedAt: string;
  /** When every resource was first found ready. */
  readonly readyAt?: string;
  /** When finalise-home had promoted and renamed every database. */
  readonly finalisedAt?: string;
  readonly resources: HomeInventoryEntry[];
}

export function homeInventoryKey(run: Pick<FailbackRun, 'app' | 'runId'>): string {
  return runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.homeInventory);
}

/** The reconciliation's resource plan, checked against the run it is meant for. */
export async function readResourcePlan(
  artifacts: ArtifactStore,
  run: FailbackRun,
): Promise<FailbackResourcePlan> {
  const reconciliation = await artifacts.getJsonIfExists<{ resources?: FailbackResourcePlan }>(
    runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation),
  );
  const resources = reconciliation?.resources;
  if (!resources)
    throw new InvalidInputError(`run ${run.runId} of ${run.app} has no reconciliation with a resource plan`);
  if (resources.targetRegion !== run.targetRegion || resources.recoveryRegion !== run.sourceRegion)
    throw new InvalidInputError(
      `the resource plan moves ${resources.recoveryRegion} → ${resources.targetRegion}, the run ${run.sourceRegion} → ${run.targetRegion}`,
    );
  return resources;
}
