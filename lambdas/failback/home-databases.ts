/**
 * Databases coming home: the recovery-region copy is the truth. `replica`: a cross-region read
 * replica of it in the target region (promoted later, by finalise-home). `snapshot`: a snapshot of
 * it, copied into the target region and restored there. Either way the home database is called
 * `<source>-fb-<suffix>` until finalise-home gives it the plan's identifier, and is placed like the
 * stale primary database (subnet group, security groups, class) when that still exists.
 */
import {
  CopyDBSnapshotCommand,
  CreateDBInstanceReadReplicaCommand,
  CreateDBSnapshotCommand,
  type DBInstance,
  type DBSnapshot,
  DeleteDBInstanceCommand,
  DeleteDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  type RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { describeDbInstances, findDbInstance } from '../failover/rds-recovery';
import { copyTags, homeTags, pendulumGivenName } from '../recovery-points/estate-tags';
import { copyKeyTag, TAG, tagList, tagMap } from '../recovery-points/recovery-point';
import { mapWithConcurrency } from '../runtime/bounded-all';
import type { FailbackRun, HomeDatabase } from './failback-run';
import { type AdvanceResult, type HomeContext, type Problem, UNENCRYPTED_ONLY } from './home-instances';
import type { HomeInventoryEntry } from './home-inventory';
import {
  errorName,
  FAILBACK_KIND,
  FAILBACK_TAG,
  failbackTags,
  finalSnapshotIdentifier,
  homeDbIdentifier,
  homeSnapshotIdentifier,
  staleDbIdentifier,
  userTags,
} from './home-names';

const CONCURRENCY = 5;

export const BROKEN_DB = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-credentials',
  'deleting',
  'deleted',
  'storage-full',
  'inaccessible-encryption-credentials',
]);

const isDbExists = (error: unknown) =>
  ['DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists'].includes(errorName(error));
const isSnapshotExists = (error: unknown) =>
  ['DBSnapshotAlreadyExistsFault', 'DBSnapshotAlreadyExists'].includes(errorName(error));
const isBusy = (error: unknown) =>
  ['InvalidDBInstanceStateFault', 'InvalidDBInstanceState'].includes(errorName(error));
const isSnapshotNotFound = (error: unknown) =>
  ['DBSnapshotNotFoundFault', 'DBSnapshotNotFound'].includes(errorName(error));

/** Made by this failback episode as the new primary (not a stale database it set aside). */
export function isHomeDb(db: DBInstance | undefined, failbackId: string): boolean {
  const tags = tagMap(db?.TagList);
  return db !== undefined && tags[TAG.failback] === failbackId && tags[FAILBACK_TAG.stale] === undefined;
}

export interface DbLocation {
  /** The new primary: `<source>-fb-<suffix>`, or `<source>` once finalised. */
  readonly home?: DBInstance;
  /** The stale primary still under the plan's identifier. */
  readonly stale?: DBInstance;
  /** The stale primary once set aside as `<source>-stale-<suffix>`. */
  readonly staleRenamed?: DBInstance;
}

/** Where each database's home and stale copies are in the target region: one describe for all. */
export async function locateDatabases(
  rds: RDSClient,
  sources: readonly string[],
  suffix: string,
  failbackId: string,
): Promise<Map<string, DbLocation>> {
  const ids = sources.flatMap((s) => [homeDbIdentifier(s, suffix), s, staleDbIdentifier(s, suffix)]);
  const found = ids.length > 0 ? await describeDbInstances(rds, ids) : new Map<string, DBInstance>();
  const located = new Map<string, DbLocation>();
  for (const source of sources) {
    const underSource = found.get(source);
    const sourceIsHome = isHomeDb(underSource, failbackId);
    located.set(source, {
      home: found.get(homeDbIdentifier(source, suffix)) ?? (sourceIsHome ? underSource : undefined),
      stale: sourceIsHome ? undefined : underSource,
      staleRenamed: found.get(staleDbIdentifier(source, suffix)),
    });
  }
  return located;
}

export async function describeDbSnapshot(
  rds: RDSClient,
  identifier: string,
): Promise<DBSnapshot | undefined> {
  try {
    const { DBSnapshots = [] } = await rds.send(
      new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }),
    );
    return DBSnapshots[0];
  } catch (error) {
    if (isSnapshotNotFound(error)) return undefined;
    throw error;
  }
}

export function snapshotState(snapshot: DBSnapshot): 'available' | 'pending' | 'failed' {
  const status = snapshot.Status;
  if (status === 'available') return 'available';
  if (status === undefined || ['creating', 'copying', 'pending'].includes(status)) return 'pending';
  return 'failed';
}

/** The stale primary's placement, else the recovery copy's class. */
interface DbPlacement {
  readonly dbInstanceClass?: string;
  readonly dbSubnetGroup?: string;
  readonly securityGroupIds?: string[];
  readonly multiAz?: boolean;
  readonly publiclyAccessible?: boolean;
  readonly userTags: Record<string, string>;
}

function placementOf(stale: DBInstance | undefined, recovery: DBInstance): DbPlacement {
  if (!stale) return { dbInstanceClass: recovery.DBInstanceClass, userTags: {} };
  const groups = (stale.VpcSecurityGroups ?? []).flatMap((g) =>
    g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
  );
  return {
    dbInstanceClass: stale.DBInstanceClass ?? recovery.DBInstanceClass,
    dbSubnetGroup: stale.DBSubnetGroup?.DBSubnetGroupName,
    securityGroupIds: groups.length > 0 ? groups : undefined,
    multiAz: stale.MultiAZ,
    publiclyAccessible: stale.PubliclyAccessible,
    userTags: userTags(tagMap(stale.TagList)),
  };
}

export function databaseEntry(
  want: HomeDatabase,
  db: DBInstance | undefined,
  run: Pick<FailbackRun, 'runId'>,
  extra: Partial<HomeInventoryEntry> & { state?: string } = {},
): HomeInventoryEntry {
  return {
    kind: 'rds',
    role: want.role,
    tier: want.tier,
    source: want.source,
    recoveryId: want.recoveryId,
    strategy: want.strategy,
    ...(db
      ? {
          homeId: db.DBInstanceIdentifier,
          state: db.DBInstanceStatus ?? 'creating',
          endpoint: db.Endpoint?.Address,
          port: db.Endpoint?.Port,
          created: tagMap(db.TagList)[TAG.run] === run.runId,
        }
      : { state: 'creating', created: false }),
    ...extra,
  };
}

interface DbStep {
  readonly entry: HomeInventoryEntry;
  readonly createdNow: boolean;
  readonly reused: boolean;
  readonly problem?: string;
}

/**
 * The final sync of a `snapshot` database starts after the write freeze: its snapshot, the copy and
 * the home database restored from it carry the freeze they follow, so a copy made before a later
 * freeze (an earlier attempt that was undone) is never taken for current.
 */
export interface FinalSync {
  /** When the freeze held (or, with freeze `none`, when the final sync was asked for). */
  readonly after: string;
}

/** `f<seconds since epoch, base 36>`: names a final sync after the freeze at `after`. */
export function finalSyncToken(sync: FinalSync): string {
  return `f${Math.floor(new Date(sync.after).getTime() / 1000).toString(36)}`;
}

/**
 * Moves every database given one or more steps towards a home copy in the target region. Replicas
 * are made before the freeze (they keep following the recovery database); `snapshot` databases only
 * with a `final` sync, after it.
 */
export async function advanceHomeDatabases(hc: HomeContext, final?: FinalSync): Promise<AdvanceResult> {
  const { run, suffix } = hc;
  // Aurora clusters come home by their own path (home-clusters).
  const wanted = hc.resources.databases.filter(
    (d) => d.kind !== 'aurora' && (d.strategy === 'snapshot') === (final !== undefined),
  );
  if (wanted.length === 0) return { entries: [], created: 0, reused: 0, problems: [] };
  const target = hc.clients.rds(run.targetRegion);
  const recovery = hc.clients.rds(run.sourceRegion);
  const located = await locateDatabases(
    target,
    wanted.map((d) => d.source),
    suffix,
    run.failbackId,
  );
  const missing = wanted.filter((d) => !located.get(d.source)?.home);
  const recoveryDbs =
    missing.length > 0
      ? await describeDbInstances(
          recovery,
          missing.map((d) => d.recoveryId),
        )
      : new Map<string, DBInstance>();

  const steps = await mapWithConcurrency(wanted, CONCURRENCY, async (want): Promise<DbStep> => {
    const location = located.get(want.source) ?? {};
    const homeId = homeDbIdentifier(want.source, suffix);
    const token = final ? finalSyncToken(final) : '';
    const snapshotId = `${homeSnapshotIdentifier(run.app, want.source, suffix)}${token ? `-${token}` : ''}`;
    let extra: Partial<HomeInventoryEntry> = want.strategy === 'snapshot' ? { snapshotId } : {};
    if (location.home) {
      const homeTags = tagMap(location.home.TagList);
      if (final && homeTags[FAILBACK_TAG.finalSync] !== token) {
        const superseded = location.home;
        const supersededId = superseded.DBInstanceIdentifier ?? '';
        // Restored after a freeze that was undone (an earlier attempt stopped before its data
        // cutover): it never served and misses the writes since. Under its own name it is set aside
        // with a final snapshot and restored again; once renamed to the plan's identifier it is not
        // this task's to delete.
        if (supersededId !== homeId)
          return {
            entry: databaseEntry(want, superseded, run, { ...extra, state: 'failed' }),
            createdNow: false,
            reused: false,
            problem: `home database ${supersededId} was restored before this write freeze and misses the writes since; retire it (a final snapshot is kept) and run failback again`,
          };
        if (superseded.DBInstanceStatus !== 'deleting') {
          try {
            await target.send(
              new DeleteDBInstanceCommand({
                DBInstanceIdentifier: homeId,
                FinalDBSnapshotIdentifier: finalSnapshotIdentifier(
                  run.app,
                  suffix,
                  `${homeId}-${homeTags[FAILBACK_TAG.finalSync] ?? 'presync'}`,
                ),
                // It never served: its final snapshot is all worth keeping.
                DeleteAutomatedBackups: true,
              }),
            );
          } catch (error) {
            if (!isBusy(error)) throw error;
          }
        }
        return {
          entry: databaseEntry(want, undefined, run, { ...extra, state: 'setting-aside-superseded' }),
          createdNow: false,
          reused: false,
        };
      }
      const syncPointAt = homeTags[FAILBACK_TAG.syncPoint];
      return {
        entry: databaseEntry(want, location.home, run, { ...extra, ...(syncPointAt ? { syncPointAt } : {}) }),
        createdNow: false,
        reused: true,
      };
    }
    const fail = (problem: string): DbStep => ({
      entry: databaseEntry(want, undefined, run, { ...extra, state: 'failed' }),
      createdNow: false,
      reused: false,
      problem,
    });
    const waiting = (state: string): DbStep => ({
      entry: databaseEntry(want, undefined, run, { ...extra, state }),
      createdNow: false,
      reused: false,
    });
    const source = recoveryDbs.get(want.recoveryId);
    if (!source) return fail(`recovery database ${want.recoveryId} does not exist in ${run.sourceRegion}`);
    const sourceStatus = source.DBInstanceStatus ?? '';
    if (BROKEN_DB.has(sourceStatus))
      return fail(`recovery database ${want.recoveryId} is ${sourceStatus} in ${run.sourceRegion}`);
    const key = await (hc.copyKey ?? UNENCRYPTED_ONLY)(want, 'rds', {
      encrypted: source.StorageEncrypted === true,
      ...(source.KmsKeyId ? { kmsKeyId: source.KmsKeyId } : {}),
    });
    if (key.encrypt === 'refused')
      return fail(`recovery database ${want.recoveryId} cannot come to ${run.targetRegion}: ${key.problem}`);
    // The home copy is encrypted with the target region's key (a cross-region replica or snapshot
    // copy of an encrypted source must name one: RDS API Reference, CreateDBInstanceReadReplica and
    // CopyDBSnapshot, KmsKeyId).
    const kmsKeyId = key.encrypt ? { KmsKeyId: key.keyId } : {};
    const placement = placementOf(location.stale ?? location.staleRenamed, source);
    // The estate's tags come home (see homeTags): the recovery copy's as they are now over the
    // stale primary's.
    const tags: Record<string, string> = copyTags(
      homeTags(
        tagMap(source.TagList),
        placement.userTags,
        pendulumGivenName(run.app, want.role, want.source),
      ),
      {
        ...failbackTags(run, { tier: want.tier, role: want.role, source: want.source }),
        [FAILBACK_TAG.from]: want.recoveryId,
        ...(final ? { [FAILBACK_TAG.finalSync]: token } : {}),
        // The key it is made under, so readiness can check the database against it (home-readiness).
        ...copyKeyTag(key),
      },
    );
    const made = async (create: () => Promise<DBInstance | undefined>): Promise<DbStep> => {
      try {
        const db = await create();
        return { entry: databaseEntry(want, db, run, extra), createdNow: true, reused: false };
      } catch (error) {
        // The recovery database is busy (backing up, modifying): asked again on the next call.
        if (isBusy(error)) return waiting('waiting-for-source');
        if (!isDbExists(error)) throw error;
        const db = await findDbInstance(target, homeId);
        return { entry: databaseEntry(want, db, run, extra), createdNow: false, reused: db !== undefined };
      }
    };

    if (want.strategy === 'replica') {
      if (sourceStatus !== 'available') return waiting('waiting-for-source');
      if (source.BackupRetentionPeriod === 0)
        return fail(
          `recovery database ${want.recoveryId} has automated backups off, which a cross-region replica needs: turn them on, or bring it home with failbackSync: snapshot`,
        );
      return made(async () => {
        const { DBInstance } = await target.send(
          new CreateDBInstanceReadReplicaCommand({
            DBInstanceIdentifier: homeId,
            // The ARN names the source region; the SDK presigns the cross-region request from it.
            SourceDBInstanceIdentifier: source.DBInstanceArn ?? want.recoveryId,
            DBInstanceClass: placement.dbInstanceClass,
            DBSubnetGroupName: placement.dbSubnetGroup,
            VpcSecurityGroupIds: placement.securityGroupIds,
            MultiAZ: placement.multiAz,
            PubliclyAccessible: placement.publiclyAccessible,
            CopyTagsToSnapshot: true,
            DeletionProtection: false,
            ...kmsKeyId,
            Tags: tagList(tags),
          }),
        );
        return DBInstance;
      });
    }

    // Snapshot: recovery copy → snapshot → copy into the target region → restore.
    const snapshotTags = tagList({ ...tags, [TAG.kind]: FAILBACK_KIND.syncSnapshot });
    let copy = await describeDbSnapshot(target, snapshotId);
    let intermediate: DBSnapshot | undefined;
    if (!copy) {
      intermediate = await describeDbSnapshot(recovery, snapshotId);
      if (!intermediate) {
        if (sourceStatus !== 'available') return waiting('waiting-for-source');
        try {
          const { DBSnapshot } = await recovery.send(
            new CreateDBSnapshotCommand({
              DBSnapshotIdentifier: snapshotId,
              DBInstanceIdentifier: want.recoveryId,
              // The snapshot holds every write up to at least the moment it was asked for.
              Tags: [
                ...snapshotTags,
                { Key: FAILBACK_TAG.syncPoint, Value: (hc.now?.() ?? new Date()).toISOString() },
              ],
            }),
          );
          intermediate = DBSnapshot;
        } catch (error) {
          if (isBusy(error)) return waiting('waiting-for-source');
          if (!isSnapshotExists(error)) throw error;
          intermediate = await describeDbSnapshot(recovery, snapshotId);
        }
      }
      if (!intermediate) return waiting('snapshotting');
      if (tagMap(intermediate.TagList)[TAG.failback] !== undefined && !madeHere(intermediate, run))
        return fail(
          `snapshot ${snapshotId} in ${run.sourceRegion} has this failback's name but not its tags`,
        );
      const state = snapshotState(intermediate);
      if (state === 'failed') return fail(`snapshot ${snapshotId} of ${want.recoveryId} failed`);
      if (state === 'pending') return waiting('snapshotting');
      try {
        const { DBSnapshot } = await target.send(
          new CopyDBSnapshotCommand({
            SourceDBSnapshotIdentifier: intermediate.DBSnapshotArn ?? snapshotId,
            TargetDBSnapshotIdentifier: snapshotId,
            ...kmsKeyId,
            Tags: [
              ...snapshotTags,
              ...(tagMap(intermediate.TagList)[FAILBACK_TAG.syncPoint]
                ? [
                    {
                      Key: FAILBACK_TAG.syncPoint,
                      Value: tagMap(intermediate.TagList)[FAILBACK_TAG.syncPoint],
                    },
                  ]
                : []),
            ],
            CopyTags: false,
          }),
        );
        copy = DBSnapshot;
      } catch (error) {
        if (!isSnapshotExists(error)) throw error;
        copy = await describeDbSnapshot(target, snapshotId);
      }
    }
    if (!copy) return waiting('copying');
    // The home copy holds every write up to the moment the recovery-region snapshot was asked for
    // (recorded by this task's clock, the one the freeze was recorded by), else when AWS says it was taken.
    const syncPointAt =
      tagMap(copy.TagList)[FAILBACK_TAG.syncPoint] ??
      tagMap(intermediate?.TagList)[FAILBACK_TAG.syncPoint] ??
      (
        copy.OriginalSnapshotCreateTime ??
        intermediate?.SnapshotCreateTime ??
        copy.SnapshotCreateTime ??
        new Date()
      ).toISOString();
    const copyState = snapshotState(copy);
    if (copyState === 'failed') return fail(`copy ${snapshotId} in ${run.targetRegion} failed`);
    if (copyState === 'pending') return waiting('copying');
    // The copy is the data now: the recovery-region snapshot has done its job.
    intermediate ??= await describeDbSnapshot(recovery, snapshotId);
    if (intermediate && madeHere(intermediate, run)) {
      try {
        await recovery.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: snapshotId }));
      } catch (error) {
        if (!isSnapshotNotFound(error)) throw error;
      }
    }
    tags[FAILBACK_TAG.syncPoint] = syncPointAt;
    extra = { ...extra, syncPointAt };
    return made(async () => {
      const { DBInstance } = await target.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: homeId,
          DBSnapshotIdentifier: snapshotId,
          DBInstanceClass: placement.dbInstanceClass,
          DBSubnetGroupName: placement.dbSubnetGroup,
          VpcSecurityGroupIds: placement.securityGroupIds,
          MultiAZ: placement.multiAz,
          PubliclyAccessible: placement.publiclyAccessible,
          CopyTagsToSnapshot: true,
          DeletionProtection: false,
          Tags: tagList(tags),
        }),
      );
      return DBInstance;
    });
  });

  return {
    entries: steps.map((s) => s.entry),
    created: steps.filter((s) => s.createdNow).length,
    reused: steps.filter((s) => s.reused).length,
    problems: steps.flatMap((s, i): Problem[] =>
      s.problem ? [{ id: wanted[i]?.recoveryId ?? '', state: 'failed', reason: s.problem }] : [],
    ),
  };
}

function madeHere(snapshot: DBSnapshot, run: Pick<FailbackRun, 'app' | 'failbackId'>): boolean {
  const tags = tagMap(snapshot.TagList);
  return tags[TAG.app] === run.app && tags[TAG.failback] === run.failbackId;
}
