/**
 * Makes the home databases the primaries, before DNS moves back: a replica is promoted, the stale
 * primary database is renamed out of the way (`<source>-stale-<suffix>`), and the home database
 * takes the plan's identifier, so protection and the records keep working after failback.
 *
 * Every step checks whether it was done already (promotion by the `pendulum:promoted` tag or the
 * replica link being gone, renames by where the names are), so a second call does nothing.
 */
import {
  AddTagsToResourceCommand,
  type DBInstance,
  ModifyDBInstanceCommand,
  PromoteReadReplicaCommand,
  type RDSClient,
  StartDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { findDbInstance } from '../failover/rds-recovery';
import { tagList, tagMap } from '../recovery-points/recovery-point';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { ValidationFailedError } from '../runtime/task-errors';
import type { FailbackRun, HomeDatabase } from './failback-run';
import { BROKEN_DB, locateDatabases } from './home-databases';
import { errorName, FAILBACK_TAG, staleDbIdentifier } from './home-names';
import { type LagReading, replicaNotCaughtUp } from './replica-lag';

export interface FinalisedDatabase {
  readonly want: HomeDatabase;
  /** The home database under its final identifier, when it got there. */
  readonly home?: DBInstance;
  readonly staleId?: string;
  readonly promoted: boolean;
  /** A replica promoted by this call: the time of the lag reading it was promoted on (its sync point). */
  readonly syncPointAt?: string;
  /** Why it is not final yet (a transitional state); absent when done. */
  readonly waiting?: string;
}

export interface FinaliseResult {
  readonly databases: FinalisedDatabase[];
  /** Promotions this call asked for. */
  readonly promoted: number;
  /** Renames (stale and home) this call asked for. */
  readonly renamed: number;
}

const isRenameConflict = (error: unknown) =>
  ['DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists'].includes(errorName(error));
const isNotReplica = (error: unknown) =>
  ['InvalidDBInstanceStateFault', 'InvalidDBInstanceState'].includes(errorName(error));

async function tag(rds: RDSClient, db: DBInstance, tags: Record<string, string>): Promise<void> {
  if (db.DBInstanceArn)
    await rds.send(new AddTagsToResourceCommand({ ResourceName: db.DBInstanceArn, Tags: tagList(tags) }));
}

async function rename(
  rds: RDSClient,
  from: string,
  to: string,
  extra: { DeletionProtection?: boolean } = {},
): Promise<void> {
  await rds.send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: from,
      NewDBInstanceIdentifier: to,
      ApplyImmediately: true,
      ...extra,
    }),
  );
}

export async function finaliseHomeDatabases(
  rds: RDSClient,
  run: Pick<FailbackRun, 'failbackId' | 'targetRegion'>,
  databases: readonly HomeDatabase[],
  suffix: string,
  /** ReplicaLag of a home replica, when known; a replica is promoted only once caught up. */
  lagOf: (identifier: string) => Promise<LagReading | undefined> = async () => undefined,
  /** When the write freeze held: a replica is promoted only at zero lag measured after it. */
  frozenAt?: Date,
  now: () => Date = () => new Date(),
): Promise<FinaliseResult> {
  // Aurora clusters are finalised by home-finalise-clusters: a cluster's name is no DB instance's.
  const instances = databases.filter((d) => d.kind !== 'aurora');
  if (instances.length === 0) return { databases: [], promoted: 0, renamed: 0 };
  const located = await locateDatabases(
    rds,
    instances.map((d) => d.source),
    suffix,
    run.failbackId,
  );
  let promoted = 0;
  let renamed = 0;
  const results = await mapWithConcurrency(instances, 5, async (want): Promise<FinalisedDatabase> => {
    const { source } = want;
    const location = located.get(source) ?? {};
    const staleId = staleDbIdentifier(source, suffix);
    const hadStale = location.stale !== undefined || location.staleRenamed !== undefined;
    const base = { want, ...(hadStale ? { staleId } : {}) };
    let home = location.home;
    let syncPointAt: string | undefined;
    if (!home)
      throw new ValidationFailedError(
        `no home database for ${source} in ${run.targetRegion}: sync-home has not made it`,
        { source },
      );
    const usable = (db: DBInstance, what: string): string | undefined => {
      const status = db.DBInstanceStatus ?? '';
      if (BROKEN_DB.has(status))
        throw new ValidationFailedError(`${what} ${db.DBInstanceIdentifier} is ${status}`, {
          source,
          status,
        });
      return status === 'available' ? undefined : `${db.DBInstanceIdentifier} is ${status || 'unknown'}`;
    };
    // 1. Promote: a database that is no longer a replica (or that this failback promoted) is done.
    const alreadyPromoted = tagMap(home.TagList)[FAILBACK_TAG.promoted] === run.failbackId;
    const homeWaiting = usable(home, 'home database');
    if (homeWaiting)
      return {
        ...base,
        promoted:
          want.strategy !== 'replica' || !home.ReadReplicaSourceDBInstanceIdentifier || alreadyPromoted,
        waiting: homeWaiting,
      };
    if (want.strategy === 'replica' && home.ReadReplicaSourceDBInstanceIdentifier && !alreadyPromoted) {
      const reading = await lagOf(home.DBInstanceIdentifier ?? '');
      const behind = replicaNotCaughtUp(home, reading, frozenAt);
      if (behind) return { ...base, promoted: false, waiting: behind };
      syncPointAt = (reading?.at ?? now()).toISOString();
      try {
        await rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: home.DBInstanceIdentifier }));
        promoted++;
      } catch (error) {
        if (!isNotReplica(error)) throw error;
      }
      await tag(rds, home, { [FAILBACK_TAG.promoted]: run.failbackId });
      home = (await findDbInstance(rds, home.DBInstanceIdentifier ?? '')) ?? home;
      const promoting = usable(home, 'home database');
      if (promoting) return { ...base, promoted: true, syncPointAt, waiting: promoting };
    }
    const done = { ...base, ...(syncPointAt ? { syncPointAt } : {}) };

    // 2. Set the stale primary aside under its stale identifier.
    const stale = location.stale;
    if (stale) {
      if (location.staleRenamed)
        throw new ValidationFailedError(
          `both ${source} and ${staleId} exist in ${run.targetRegion} and neither is the home database: one must go before failback can rename`,
          { source, staleId },
        );
      // A stopped database cannot be renamed: start it (it serves nobody; DNS is not on it).
      if (stale.DBInstanceStatus === 'stopped') {
        await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: source }));
        return { ...done, promoted: true, waiting: `stale database ${source} is starting to be renamed` };
      }
      const staleWaiting = usable(stale, 'stale database');
      if (staleWaiting) return { ...done, promoted: true, waiting: staleWaiting };
      await tag(rds, stale, { [FAILBACK_TAG.stale]: run.failbackId });
      await rename(rds, source, staleId);
      renamed++;
    }

    // 3. The home database takes the plan's identifier (and the stale one's deletion protection).
    if (home.DBInstanceIdentifier !== source) {
      const protect = (stale ?? location.staleRenamed)?.DeletionProtection === true;
      try {
        await rename(
          rds,
          home.DBInstanceIdentifier ?? '',
          source,
          protect ? { DeletionProtection: true } : {},
        );
        renamed++;
      } catch (error) {
        // The stale database is still giving up the name.
        if (isRenameConflict(error))
          return { ...done, promoted: true, waiting: `${source} is still being renamed` };
        throw error;
      }
    }
    const final = await findDbInstance(rds, source);
    if (!final || final.DBInstanceIdentifier !== source)
      return { ...done, promoted: true, waiting: `${source} is being renamed` };
    const finalWaiting = usable(final, 'home database');
    return { ...done, home: final, promoted: true, ...(finalWaiting ? { waiting: finalWaiting } : {}) };
  });
  return { databases: results, promoted, renamed };
}
