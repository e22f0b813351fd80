/**
 * Whether one recovered resource is ready, still on its way, or never going to be ready, from
 * what a describe returned. Pure, so the rules are tested as rules. AWS is eventually consistent:
 * right after RunInstances or RestoreDBInstance... a describe may not return the new resource,
 * and right after PromoteReadReplica it may still show the replica as it was.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import type { DBInstance } from '@aws-sdk/client-rds';

export type ReadinessVerdict = 'ready' | 'waiting' | 'broken';

export interface ResourceReadiness {
  readonly verdict: ReadinessVerdict;
  readonly state: string;
}

/** A resource we asked for that no describe has returned yet. */
export const NOT_VISIBLE_YET = 'not-visible-yet';
/** A promoted replica that still names its source: the promotion has not taken effect yet. */
export const PROMOTING = 'promoting';
/** A resource a describe returned before and no longer does: deleted under us. */
export const MISSING = 'missing';

const BROKEN_INSTANCE = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);
export const BROKEN_DB = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'deleting',
  'storage-full',
]);

/** Absent from a describe: not yet visible if it never was, gone if it was. */
function absent(seenBefore: boolean): ResourceReadiness {
  return seenBefore ? { verdict: 'broken', state: MISSING } : { verdict: 'waiting', state: NOT_VISIBLE_YET };
}

export function instanceReadiness(instance: Instance | undefined, seenBefore: boolean): ResourceReadiness {
  if (!instance) return absent(seenBefore);
  const state = instance.State?.Name ?? 'pending';
  if (state === 'running') return { verdict: 'ready', state };
  return { verdict: BROKEN_INSTANCE.has(state) ? 'broken' : 'waiting', state };
}

/** A replica still names its source instance (or, for a replica of an Aurora cluster, its cluster). */
export function isStillReplica(db: DBInstance): boolean {
  return Boolean(db.ReadReplicaSourceDBInstanceIdentifier || db.ReadReplicaSourceDBClusterIdentifier);
}

/**
 * A restored database is ready when `available`. A promoted replica is ready only when it is
 * `available` and no longer a replica: early describes after PromoteReadReplica still show it
 * `available` with its source set, before it goes `modifying` and reboots as a standalone.
 */
export function databaseReadiness(
  db: DBInstance | undefined,
  options: { readonly seenBefore: boolean; readonly promotedReplica: boolean },
): ResourceReadiness {
  if (!db) return absent(options.seenBefore);
  const status = db.DBInstanceStatus ?? 'creating';
  if (BROKEN_DB.has(status)) return { verdict: 'broken', state: status };
  if (options.promotedReplica && isStillReplica(db))
    return { verdict: 'waiting', state: status === 'available' ? PROMOTING : status };
  return { verdict: status === 'available' ? 'ready' : 'waiting', state: status };
}
