/**
 * Which operations each run task makes on Pendulum's own state table and artifact bucket, by what
 * its handler calls (StateTable: getApp/get → GetItem; acquire/release/updateRun → UpdateItem;
 * putRun/put/acquireDrill → PutItem; releaseDrill → DeleteItem. ArtifactStore: getJson → GetObject;
 * getJsonIfExists → GetObject and ListBucket, so a missing document reads as NoSuchKey; putJson →
 * PutObject). A task not listed here fails the synth: every task says what it needs.
 */
type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';
type BucketAction = 'GetObject' | 'PutObject' | 'ListBucket';

export interface StorageNeeds {
  readonly table: readonly TableAction[];
  readonly bucket: readonly BucketAction[];
}

const NONE: StorageNeeds = { table: [], bucket: [] };
const READ_IF_EXISTS: readonly BucketAction[] = ['GetObject', 'ListBucket', 'PutObject'];

export const STORAGE_NEEDS: Record<string, StorageNeeds> = {
  'failover-prepare': { table: ['GetItem'], bucket: [] },
  'failback-prepare': { table: ['GetItem'], bucket: [] },
  'plan-failover': NONE,
  'snapshot-dns': { table: ['UpdateItem'], bucket: READ_IF_EXISTS },
  'choose-recovery-points': { table: [], bucket: ['PutObject'] },
  'take-failover-lock': { table: ['GetItem', 'PutItem', 'UpdateItem'], bucket: [] },
  'take-failback-lock': { table: ['PutItem', 'UpdateItem'], bucket: [] },
  'recover-tier': { table: [], bucket: READ_IF_EXISTS },
  'check-tier-ready': { table: [], bucket: ['GetObject', 'PutObject'] },
  'check-health': NONE,
  'associate-private-zones': { table: ['UpdateItem'], bucket: READ_IF_EXISTS },
  'cut-over-dns': { table: ['UpdateItem'], bucket: READ_IF_EXISTS },
  'confirm-dns-sync': NONE,
  'record-failover': { table: ['PutItem', 'UpdateItem', 'DeleteItem'], bucket: READ_IF_EXISTS },
  // Reads every tier's inventory if it exists: a run that failed in an early tier has none for the rest.
  'record-failover-failure': { table: ['PutItem', 'UpdateItem', 'DeleteItem'], bucket: READ_IF_EXISTS },
  'tear-down-drill': { table: ['UpdateItem'], bucket: [] },
  'check-failover-gates': { table: ['GetItem', 'PutItem'], bucket: [] },
  // Reads the failover's record of private-zone associations if it exists (older failovers have none).
  'check-private-zones': { table: [], bucket: READ_IF_EXISTS },
  'reconcile-failback': { table: ['GetItem'], bucket: READ_IF_EXISTS },
  'sync-home': { table: [], bucket: READ_IF_EXISTS },
  'finalise-home': { table: [], bucket: READ_IF_EXISTS },
  'shift-dns': { table: ['GetItem'], bucket: READ_IF_EXISTS },
  // Reads the DNS shift if it exists: a failback that failed before DNS moved has none.
  'roll-back-dns': { table: [], bucket: READ_IF_EXISTS },
  'record-failback': { table: ['UpdateItem'], bucket: ['GetObject', 'PutObject'] },
  'freeze-writes': { table: [], bucket: READ_IF_EXISTS },
  'unfreeze-writes': { table: [], bucket: READ_IF_EXISTS },
  'record-failback-failure': { table: ['UpdateItem'], bucket: ['PutObject'] },
  'retire-stale-primary': { table: [], bucket: READ_IF_EXISTS },
  'retire-recovery-copies': { table: [], bucket: READ_IF_EXISTS },
  'schedule-retirement': { table: ['UpdateItem'], bucket: ['GetObject', 'PutObject'] },
  'check-retirement-due': { table: ['GetItem'], bucket: [] },
  'record-retirement': { table: ['UpdateItem'], bucket: [] },
  'register-app': { table: ['UpdateItem'], bucket: [] },
  // Takes each tier's lease (PutItem), reads a holder's (GetItem), gives back a partial set (DeleteItem).
  'take-protect-lease': { table: ['GetItem', 'PutItem', 'DeleteItem'], bucket: [] },
  'release-protect-lease': { table: ['DeleteItem'], bucket: [] },
};

export function storageNeedsOf(module: string): StorageNeeds {
  const needs = STORAGE_NEEDS[module];
  if (!needs)
    throw new Error(
      `task ${module} does not say what it needs of the state table and bucket (lib/iam/storage-needs.ts)`,
    );
  return needs;
}
