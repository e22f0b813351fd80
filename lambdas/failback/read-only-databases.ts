/**
 * The `readOnly` write freeze: the recovery databases stop taking writes through their DB parameter
 * group, and get their own group back when the freeze is undone.
 *
 * A database's group may be shared with others, and default groups cannot be changed, so the freeze
 * never edits the group the database has: it copies it (`CopyDBParameterGroup`, every parameter the
 * application relies on kept), sets the read-only parameter in the copy, and gives the copy to the
 * database. A new group is associated with a DB instance only after a reboot (RDS User Guide,
 * "Associating a DB parameter group with a DB instance"): the database is rebooted once the
 * association shows `pending-reboot`, which is a short outage of a database that must not take
 * writes anyway. The freeze holds when every database is `available` with the copy `in-sync`.
 *
 * `default_transaction_read_only` (PostgreSQL) makes new transactions read-only; a session that sets
 * its own mode can still write, so it stops the application, not an operator. MySQL and MariaDB's
 * `read_only` stops every user without SUPER (the RDS master user has none).
 */
import {
  CopyDBParameterGroupCommand,
  type DBInstance,
  DeleteDBParameterGroupCommand,
  ModifyDBInstanceCommand,
  ModifyDBParameterGroupCommand,
  type RDSClient,
  RebootDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { describeDbInstances } from '../failover/rds-recovery';
import { tagList } from '../recovery-points/recovery-point';
import { InvalidInputError, ValidationFailedError } from '../runtime/task-errors';
import { errorName, frozenParameterGroupName } from './home-names';
import type { FrozenDatabase } from './write-freeze';

/** The parameter that stops writes, by engine. */
export const READ_ONLY_PARAMETER: Readonly<Record<string, string>> = {
  postgres: 'default_transaction_read_only',
  mysql: 'read_only',
  mariadb: 'read_only',
};

export function readOnlyParameterOf(engine: string | undefined): string | undefined {
  return engine ? READ_ONLY_PARAMETER[engine] : undefined;
}

export interface FreezeProgress {
  readonly databases: FrozenDatabase[];
  /** Why a database is not frozen (or unfrozen) yet; empty when done. */
  readonly waiting: string[];
}

interface FreezeContext {
  readonly app: string;
  readonly suffix: string;
  readonly tags: Record<string, string>;
}

function groupOf(db: DBInstance): { name: string; status: string } {
  const group = db.DBParameterGroups?.[0];
  return { name: group?.DBParameterGroupName ?? '', status: group?.ParameterApplyStatus ?? 'in-sync' };
}

const isGroupExists = (error: unknown) =>
  ['DBParameterGroupAlreadyExists', 'DBParameterGroupAlreadyExistsFault'].includes(errorName(error));
const isGroupGone = (error: unknown) =>
  ['DBParameterGroupNotFound', 'DBParameterGroupNotFoundFault'].includes(errorName(error));

/**
 * Moves each database one or more steps towards read-only. Checks every engine before changing
 * anything, so a database that cannot be frozen stops the run with nothing changed.
 */
export async function freezeDatabases(
  rds: RDSClient,
  recoveryIds: readonly string[],
  previous: readonly FrozenDatabase[],
  ctx: FreezeContext,
): Promise<FreezeProgress> {
  if (recoveryIds.length === 0) return { databases: [], waiting: [] };
  const found = await describeDbInstances(rds, [...recoveryIds]);
  const missing = recoveryIds.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new ValidationFailedError(
      `recovery database(s) ${missing.join(', ')} not found: cannot freeze writes`,
    );
  const unsupported = recoveryIds.filter((id) => !readOnlyParameterOf(found.get(id)?.Engine));
  if (unsupported.length > 0)
    throw new InvalidInputError(
      `failback.freeze readOnly supports ${Object.keys(READ_ONLY_PARAMETER).join(', ')}; ${unsupported
        .map((id) => `${id} is ${found.get(id)?.Engine}`)
        .join(', ')}: choose freeze hook or maintenance`,
    );

  const databases: FrozenDatabase[] = [];
  const waiting: string[] = [];
  for (const id of recoveryIds) {
    const db = found.get(id) as DBInstance;
    const engine = db.Engine ?? '';
    const frozenGroup = frozenParameterGroupName(ctx.app, ctx.suffix, id);
    const group = groupOf(db);
    const before = previous.find((p) => p.recoveryId === id);
    const record: FrozenDatabase = {
      recoveryId: id,
      engine,
      originalGroup: before?.originalGroup ?? (group.name === frozenGroup ? '' : group.name),
      frozenGroup,
    };
    databases.push(record);
    const status = db.DBInstanceStatus ?? '';
    if (group.name !== frozenGroup) {
      if (status !== 'available') {
        waiting.push(`${id} is ${status}; frozen once available`);
        continue;
      }
      try {
        await rds.send(
          new CopyDBParameterGroupCommand({
            SourceDBParameterGroupIdentifier: group.name,
            TargetDBParameterGroupIdentifier: frozenGroup,
            TargetDBParameterGroupDescription: `Pendulum write freeze of ${id}: ${group.name}, read-only`,
            Tags: tagList(ctx.tags),
          }),
        );
      } catch (error) {
        if (!isGroupExists(error)) throw error;
      }
      await rds.send(
        new ModifyDBParameterGroupCommand({
          DBParameterGroupName: frozenGroup,
          Parameters: [
            { ParameterName: readOnlyParameterOf(engine), ParameterValue: '1', ApplyMethod: 'immediate' },
          ],
        }),
      );
      await rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: id,
          DBParameterGroupName: frozenGroup,
          ApplyImmediately: true,
        }),
      );
      waiting.push(`${id} is taking its read-only parameter group`);
      continue;
    }
    const settling = await settle(rds, db, group.status);
    if (settling) waiting.push(settling);
  }
  return { databases, waiting };
}

/** Reboots a database whose group waits for one; says what it still waits for, if anything. */
async function settle(rds: RDSClient, db: DBInstance, groupStatus: string): Promise<string | undefined> {
  const id = db.DBInstanceIdentifier ?? '';
  const status = db.DBInstanceStatus ?? '';
  if (status !== 'available') return `${id} is ${status}`;
  if (groupStatus === 'pending-reboot') {
    await rds.send(new RebootDBInstanceCommand({ DBInstanceIdentifier: id }));
    return `${id} is rebooting to apply its parameter group`;
  }
  if (groupStatus !== 'in-sync') return `${id}'s parameter group is ${groupStatus}`;
  return undefined;
}

/** Gives each frozen database its own group back, then deletes Pendulum's read-only copy. */
export async function unfreezeDatabases(
  rds: RDSClient,
  frozen: readonly FrozenDatabase[],
): Promise<FreezeProgress> {
  if (frozen.length === 0) return { databases: [], waiting: [] };
  const found = await describeDbInstances(
    rds,
    frozen.map((f) => f.recoveryId),
  );
  const waiting: string[] = [];
  for (const f of frozen) {
    const db = found.get(f.recoveryId);
    // A database that is gone cannot take writes; nothing to undo.
    if (!db) continue;
    const group = groupOf(db);
    if (group.name === f.frozenGroup) {
      if (db.DBInstanceStatus !== 'available') {
        waiting.push(`${f.recoveryId} is ${db.DBInstanceStatus}; unfrozen once available`);
        continue;
      }
      await rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: f.recoveryId,
          DBParameterGroupName: f.originalGroup,
          ApplyImmediately: true,
        }),
      );
      waiting.push(`${f.recoveryId} is taking back its parameter group ${f.originalGroup}`);
      continue;
    }
    const settling = await settle(rds, db, group.status);
    if (settling) {
      waiting.push(settling);
      continue;
    }
    try {
      await rds.send(new DeleteDBParameterGroupCommand({ DBParameterGroupName: f.frozenGroup }));
    } catch (error) {
      if (!isGroupGone(error)) throw error;
    }
  }
  return { databases: [...frozen], waiting };
}
