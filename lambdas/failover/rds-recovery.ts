/**
 * Restoring databases from snapshot recovery points, or promoting a cross-region replica.
 * Identifiers are deterministic per episode, so a retry finds the database it already asked for.
 */
import {
  type DBInstance,
  DescribeDBInstancesCommand,
  PromoteReadReplicaCommand,
  type RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { tagList } from '../recovery-points/recovery-point';
import { isStillReplica } from './readiness-rules';

/** `shop-db` in episode `1a2b3c4d` → `shop-db-pf-1a2b3c4d` (≤63 characters, no double dash). */
export function episodeDbIdentifier(source: string, suffix: string, marker = 'pf'): string {
  const tail = `-${marker}-${suffix}`;
  return `${source.slice(0, 63 - tail.length).replace(/-+$/, '')}${tail}`;
}

/** The IAM resource pattern of every `episodeDbIdentifier(source, *, marker)`. */
export function episodeDbIdentifierPattern(source: string, marker = 'pf'): string {
  return episodeDbIdentifier(source, '00000000', marker).replace(/00000000$/, '*');
}

export async function findDbInstance(rds: RDSClient, identifier: string): Promise<DBInstance | undefined> {
  try {
    const { DBInstances = [] } = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }),
    );
    return DBInstances[0];
  } catch (error) {
    if (isFault(error, 'DBInstanceNotFound')) return undefined;
    throw error;
  }
}

/** Many databases' states, a hundred identifiers per describe call. */
export async function describeDbInstances(
  rds: RDSClient,
  identifiers: readonly string[],
): Promise<Map<string, DBInstance>> {
  const result = new Map<string, DBInstance>();
  for (let i = 0; i < identifiers.length; i += 100) {
    let Marker: string | undefined;
    do {
      const page = await rds.send(
        new DescribeDBInstancesCommand({
          Filters: [{ Name: 'db-instance-id', Values: identifiers.slice(i, i + 100) }],
          Marker,
        }),
      );
      for (const db of page.DBInstances ?? [])
        if (db.DBInstanceIdentifier) result.set(db.DBInstanceIdentifier, db);
      Marker = page.Marker;
    } while (Marker);
  }
  return result;
}

export interface RestoreRequest {
  readonly identifier: string;
  readonly snapshotIdentifier: string;
  readonly dbInstanceClass?: string;
  readonly dbSubnetGroup?: string;
  readonly securityGroupIds: readonly string[];
  readonly tags: Record<string, string>;
}

/**
 * Asks RDS for the restore. A retry whose describe did not see the database yet (RDS is
 * eventually consistent) gets DBInstanceAlreadyExists: the earlier attempt's restore stands, and
 * readiness finds it once it is visible.
 */
export async function restoreDbFromSnapshot(rds: RDSClient, request: RestoreRequest): Promise<DBInstance> {
  try {
    const { DBInstance } = await rds.send(
      new RestoreDBInstanceFromDBSnapshotCommand({
        DBInstanceIdentifier: request.identifier,
        DBSnapshotIdentifier: request.snapshotIdentifier,
        DBInstanceClass: request.dbInstanceClass,
        DBSubnetGroupName: request.dbSubnetGroup,
        VpcSecurityGroupIds: request.securityGroupIds.length > 0 ? [...request.securityGroupIds] : undefined,
        MultiAZ: false,
        PubliclyAccessible: false,
        DeletionProtection: false,
        CopyTagsToSnapshot: true,
        Tags: tagList(request.tags),
      }),
    );
    if (!DBInstance)
      throw new Error(`RestoreDBInstanceFromDBSnapshot returned nothing for ${request.identifier}`);
    return DBInstance;
  } catch (error) {
    if (!isFault(error, 'DBInstanceAlreadyExists')) throw error;
    return { DBInstanceIdentifier: request.identifier, DBInstanceStatus: 'creating' };
  }
}

/** RDS names a fault `XFault` in some answers and `X` in others. */
function isFault(error: unknown, name: string): boolean {
  const actual = (error as Error | undefined)?.name;
  return actual === name || actual === `${name}Fault`;
}

/**
 * Promotes a read replica; a database that is no longer a replica was promoted already. A retry
 * soon after a promotion may still see the replica (the describe lags); RDS then refuses a second
 * promotion with InvalidDBInstanceState, which means the first one is under way. Readiness waits
 * for the replica to stop naming its source either way.
 */
export async function promoteReplica(rds: RDSClient, identifier: string): Promise<DBInstance> {
  const current = await findDbInstance(rds, identifier);
  if (!current) throw new Error(`replica ${identifier} does not exist`);
  if (!isStillReplica(current)) return current;
  try {
    const { DBInstance } = await rds.send(
      new PromoteReadReplicaCommand({ DBInstanceIdentifier: identifier }),
    );
    return DBInstance ?? current;
  } catch (error) {
    if (isFault(error, 'InvalidDBInstanceState')) return current;
    throw error;
  }
}
