/**
 * Retiring instances and databases with a final AMI or snapshot kept first. Nothing is deleted whose
 * final copy was not confirmed: an instance is terminated only once its final AMI is `available`; a
 * database is deleted by DeleteDBInstance with a final snapshot (RDS takes it before it deletes,
 * and refuses to delete if it cannot), which is then looked up and tagged.
 *
 * An Aurora cluster is retired instances first, then the cluster with a final cluster snapshot
 * (retire-clusters).
 *
 * Two phases: first every final AMI is asked for and every database and cluster checked; only when
 * all of that succeeded does anything get terminated or deleted, so a failure there deletes nothing.
 */
import {
  CreateImageCommand,
  type EC2Client,
  type Image,
  type Instance,
  ModifyInstanceAttributeCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  type DBInstance,
  type DBSnapshot,
  DeleteDBInstanceCommand,
  ModifyDBInstanceCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { describeInstancesById } from '../failover/ec2-recovery';
import { deregisterImages, imageState } from '../recovery-points/ami-recovery-points';
import { TAG, tagList, tagMap } from '../recovery-points/recovery-point';
import type { ResourceKind } from '../recovery-points/resource-kind';
import type { AwsClients } from '../runtime/aws-clients';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { ValidationFailedError } from '../runtime/task-errors';
import type { FailbackRun } from './failback-run';
import { describeDbSnapshot, snapshotState } from './home-databases';
import { describeImagesNamed, GONE_INSTANCE } from './home-instances';
import {
  errorName,
  FAILBACK_KIND,
  FAILBACK_TAG,
  failbackTags,
  finalImageName,
  finalSnapshotIdentifier,
} from './home-names';
import {
  type ClusterRetirement,
  clusterSnapshotFailed,
  prepareClusters,
  retireClusters,
} from './retire-clusters';

const CONCURRENCY = 10;
/** Database statuses DeleteDBInstance with a final snapshot is asked in; others wait. */
const DELETABLE_DB = new Set(['available', 'stopped']);

export interface RetireTarget {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly role: string;
  readonly tier: string;
}

export interface RetiredEntry {
  readonly kind: 'ec2' | 'rds' | 'aurora';
  /** As the plan names it. */
  readonly id: string;
  /**
   * What was retired: the instance id, or the database or cluster identifier at the time (e.g.
   * `…-stale-…`).
   */
  readonly resourceId: string;
  /** Clusters: the instances deleted with it (they keep no snapshot of their own). */
  readonly members?: string[];
  readonly role: string;
  readonly tier: string;
  /**
   * `retired`: the final copy is confirmed and the resource terminated or deleted (now or by an
   * earlier call); `already-gone`: it had disappeared before failback could keep a final copy;
   * `pending`: its final copy is on its way, or it is busy; it is retired by a later call.
   */
  readonly outcome: 'retired' | 'already-gone' | 'pending';
  /** The final AMI id, DB snapshot or DB cluster snapshot identifier. */
  readonly finalSnapshot?: string;
  readonly reason?: string;
}

/** A database to retire: where it is now, and the identifier its final snapshot is named after. */
export interface ResolvedDatabase {
  readonly db?: DBInstance;
  readonly name: string;
}

export interface RetireRequest {
  readonly clients: AwsClients;
  readonly run: Pick<FailbackRun, 'app' | 'failbackId' | 'runId'>;
  readonly region: string;
  readonly suffix: string;
  readonly targets: readonly RetireTarget[];
  /** Finds each database target (by its plan id) in the region. */
  readonly resolveDatabases: (
    rds: RDSClient,
    targets: readonly RetireTarget[],
  ) => Promise<Map<string, ResolvedDatabase>>;
  /** Finds the Aurora cluster targets and says which may be deleted; required when there are any. */
  readonly clusters?: ClusterRetirement;
  /** Image instances without rebooting them. @default false: a stopped-for-a-moment image is consistent. */
  readonly noReboot?: boolean;
}

function finalTags(
  req: RetireRequest,
  target: RetireTarget,
  source: string,
  name: string,
): Record<string, string> {
  return {
    Name: name,
    ...failbackTags(req.run, { tier: target.tier, role: target.role, source }),
    [TAG.kind]: FAILBACK_KIND.final,
    [FAILBACK_TAG.final]: 'true',
  };
}

interface InstancePrep {
  readonly target: RetireTarget;
  readonly name: string;
  readonly instance?: Instance;
  image?: Image;
  reason?: string;
}

/** Phase 1 for instances: every live instance without a final AMI gets one asked for. */
async function prepareInstances(
  ec2: EC2Client,
  req: RetireRequest,
  targets: readonly RetireTarget[],
): Promise<InstancePrep[]> {
  if (targets.length === 0) return [];
  const [instances, images] = await Promise.all([
    describeInstancesById(
      ec2,
      targets.map((t) => t.id),
    ),
    describeImagesNamed(
      ec2,
      targets.map((t) => finalImageName(req.run.app, req.suffix, t.id)),
    ),
  ]);
  const preps: InstancePrep[] = targets.map((target) => {
    const name = finalImageName(req.run.app, req.suffix, target.id);
    return { target, name, instance: instances.get(target.id), image: images.get(name) };
  });
  for (const p of preps) {
    const episode = p.image ? tagMap(p.image.Tags)[TAG.failback] : undefined;
    if (p.image && episode !== undefined && episode !== req.run.failbackId)
      throw new ValidationFailedError(
        `image ${p.image.ImageId} in ${req.region} has the final AMI name of ${p.target.id} but belongs to failback ${episode}`,
      );
  }
  // A failed final AMI is never a final copy: remove it, and ask again below.
  const failed = preps.filter((p) => p.image && imageState(p.image) === 'failed');
  await deregisterImages(
    ec2,
    failed.map((p) => p.image as Image),
  );
  for (const p of failed) p.image = undefined;

  const live = (p: InstancePrep) => p.instance && !GONE_INSTANCE.has(p.instance.State?.Name ?? '');
  const toImage = preps.filter((p) => !p.image && live(p));
  const asked: InstancePrep[] = [];
  await mapWithConcurrency(toImage, CONCURRENCY, async (p) => {
    const tags = tagList(finalTags(req, p.target, p.target.id, p.name));
    try {
      await ec2.send(
        new CreateImageCommand({
          InstanceId: p.target.id,
          Name: p.name,
          Description: `Pendulum final AMI of ${p.target.id} (${req.run.app}/${p.target.tier}/${p.target.role}), failback ${req.run.failbackId}`,
          NoReboot: req.noReboot ?? false,
          TagSpecifications: [{ ResourceType: 'image', Tags: tags }],
        }),
      );
      asked.push(p);
    } catch (error) {
      const name = errorName(error);
      if (name === 'InvalidAMIName.Duplicate') asked.push(p);
      else if (name === 'IncorrectInstanceState')
        p.reason = `${p.target.id} cannot be imaged in its state now`;
      else if (name !== 'InvalidInstanceID.NotFound') throw error;
    }
  });
  if (asked.length > 0) {
    const made = await describeImagesNamed(
      ec2,
      asked.map((p) => p.name),
    );
    for (const p of asked) p.image = made.get(p.name);
  }
  return preps;
}

/** Phase 2 for instances: terminate those whose final AMI is available, many per call. */
async function retireInstances(ec2: EC2Client, preps: readonly InstancePrep[]): Promise<RetiredEntry[]> {
  const ready: InstancePrep[] = [];
  const entries = preps.map((p): RetiredEntry | InstancePrep => {
    const base = {
      kind: 'ec2' as const,
      id: p.target.id,
      resourceId: p.target.id,
      role: p.target.role,
      tier: p.target.tier,
    };
    const state = p.instance?.State?.Name;
    const imageId = p.image?.ImageId;
    const available = p.image !== undefined && imageState(p.image) === 'available';
    if (!p.instance || GONE_INSTANCE.has(state ?? '')) {
      return p.image
        ? { ...base, outcome: 'retired', finalSnapshot: imageId }
        : {
            ...base,
            outcome: 'already-gone',
            reason: `${p.target.id} was ${state ?? 'gone'} before a final AMI was kept`,
          };
    }
    if (!available)
      return {
        ...base,
        outcome: 'pending',
        ...(imageId ? { finalSnapshot: imageId } : {}),
        reason:
          p.reason ?? (imageId ? `final AMI ${imageId} is ${p.image?.State}` : 'final AMI not visible yet'),
      };
    ready.push(p);
    return p;
  });
  // TerminateInstances takes up to 1,000 ids; one protected instance fails the whole call, so a
  // refused batch is retried one by one, lifting termination protection (the final AMI is kept).
  for (let i = 0; i < ready.length; i += 1000) {
    const batch = ready.slice(i, i + 1000);
    try {
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: batch.map((p) => p.target.id) }));
    } catch (error) {
      if (errorName(error) !== 'OperationNotPermitted') throw error;
      await mapWithConcurrency(batch, CONCURRENCY, async (p) => {
        const terminate = () => ec2.send(new TerminateInstancesCommand({ InstanceIds: [p.target.id] }));
        try {
          await terminate();
        } catch (single) {
          if (errorName(single) !== 'OperationNotPermitted') throw single;
          await ec2.send(
            new ModifyInstanceAttributeCommand({
              InstanceId: p.target.id,
              DisableApiTermination: { Value: false },
            }),
          );
          await terminate();
        }
      });
    }
  }
  return entries.map((entry) =>
    'outcome' in entry
      ? entry
      : {
          kind: 'ec2' as const,
          id: entry.target.id,
          resourceId: entry.target.id,
          role: entry.target.role,
          tier: entry.target.tier,
          outcome: 'retired' as const,
          finalSnapshot: entry.image?.ImageId,
        },
  );
}

interface DbPrep {
  readonly target: RetireTarget;
  readonly db?: DBInstance;
  readonly finalId: string;
  readonly name: string;
  readonly snapshot?: DBSnapshot;
}

async function prepareDatabases(
  rds: RDSClient,
  req: RetireRequest,
  targets: readonly RetireTarget[],
): Promise<DbPrep[]> {
  if (targets.length === 0) return [];
  const resolved = await req.resolveDatabases(rds, targets);
  const preps = await mapWithConcurrency(targets, CONCURRENCY, async (target): Promise<DbPrep> => {
    const found = resolved.get(target.id) ?? { name: target.id };
    const finalId = finalSnapshotIdentifier(req.run.app, req.suffix, found.name);
    return {
      target,
      db: found.db,
      finalId,
      name: found.name,
      snapshot: await describeDbSnapshot(rds, finalId),
    };
  });
  for (const p of preps) {
    const status = p.db?.DBInstanceStatus ?? '';
    if (p.db && p.snapshot && status !== 'deleting')
      throw new ValidationFailedError(
        `${p.db.DBInstanceIdentifier} is ${status} but its final snapshot name ${p.finalId} is taken: nothing was deleted`,
        { database: p.db.DBInstanceIdentifier, finalSnapshot: p.finalId },
      );
  }
  return preps;
}

/** Marks a final DB or cluster snapshot as the final copy of this failback (once). */
async function tagFinalSnapshot(
  rds: RDSClient,
  req: RetireRequest,
  p: { readonly target: RetireTarget; readonly name: string; readonly finalId: string },
  snapshot: { readonly TagList?: DBSnapshot['TagList']; readonly arn?: string },
): Promise<void> {
  const tags = tagMap(snapshot.TagList);
  if (tags[FAILBACK_TAG.final] === 'true' && tags[TAG.failback] === req.run.failbackId) return;
  if (snapshot.arn)
    await rds.send(
      new AddTagsToResourceCommand({
        ResourceName: snapshot.arn,
        Tags: tagList(finalTags(req, p.target, p.name, p.finalId)),
      }),
    );
}

async function retireDatabases(
  rds: RDSClient,
  req: RetireRequest,
  preps: readonly DbPrep[],
): Promise<RetiredEntry[]> {
  return mapWithConcurrency(preps, CONCURRENCY, async (p): Promise<RetiredEntry> => {
    const base = {
      kind: 'rds' as const,
      id: p.target.id,
      resourceId: p.db?.DBInstanceIdentifier ?? p.name,
      role: p.target.role,
      tier: p.target.tier,
    };
    const confirmed = async (
      snapshot: DBSnapshot | undefined,
      pendingReason: string,
    ): Promise<RetiredEntry> => {
      if (!snapshot) return { ...base, outcome: 'pending', reason: pendingReason };
      if (snapshotState(snapshot) === 'failed')
        throw new ValidationFailedError(`final snapshot ${p.finalId} of ${base.resourceId} failed`);
      await tagFinalSnapshot(rds, req, p, { TagList: snapshot.TagList, arn: snapshot.DBSnapshotArn });
      return { ...base, outcome: 'retired', finalSnapshot: p.finalId };
    };
    if (!p.db)
      return p.snapshot
        ? confirmed(p.snapshot, '')
        : { ...base, outcome: 'already-gone', reason: `${p.name} was gone before a final snapshot was kept` };
    const status = p.db.DBInstanceStatus ?? '';
    if (status === 'deleting')
      return confirmed(p.snapshot, `${base.resourceId} is being deleted; final snapshot not visible yet`);
    if (!DELETABLE_DB.has(status))
      return { ...base, outcome: 'pending', reason: `${base.resourceId} is ${status || 'busy'}` };
    if (p.db.DeletionProtection)
      await rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: base.resourceId,
          DeletionProtection: false,
          ApplyImmediately: true,
        }),
      );
    try {
      await rds.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: base.resourceId,
          SkipFinalSnapshot: false,
          FinalDBSnapshotIdentifier: p.finalId,
          DeleteAutomatedBackups: false,
        }),
      );
    } catch (error) {
      const name = errorName(error);
      if (name === 'InvalidDBInstanceStateFault' || name === 'InvalidDBInstanceState')
        return {
          ...base,
          outcome: 'pending',
          reason: `${base.resourceId} cannot be deleted in its state now`,
        };
      throw error;
    }
    return confirmed(
      await describeDbSnapshot(rds, p.finalId),
      `${base.resourceId} is being deleted; final snapshot not visible yet`,
    );
  });
}

/** Retires every target in the region, final copies first; call again while any is `pending`. */
export async function retireResources(req: RetireRequest): Promise<RetiredEntry[]> {
  const ec2 = req.clients.ec2(req.region);
  const rds = req.clients.rds(req.region);
  const instanceTargets = req.targets.filter((t) => t.kind === 'ec2');
  const dbTargets = req.targets.filter((t) => t.kind === 'rds');
  const clusterTargets = req.targets.filter((t) => t.kind === 'aurora');
  // Phase 1: final AMIs asked for, databases and clusters (and their instances) checked. Any
  // failure here deletes nothing.
  const [instancePreps, dbPreps, clusterPreps] = await Promise.all([
    prepareInstances(ec2, req, instanceTargets),
    prepareDatabases(rds, req, dbTargets),
    prepareClusters(rds, req, clusterTargets),
  ]);
  // Phase 2: terminate and delete what has a confirmed final copy.
  const [instances, databases, clusters] = await Promise.all([
    retireInstances(ec2, instancePreps),
    retireDatabases(rds, req, dbPreps),
    retireClusters(rds, clusterPreps, async (p, base, snapshot, pendingReason) => {
      if (!snapshot) return { ...base, outcome: 'pending', reason: pendingReason };
      if (clusterSnapshotFailed(snapshot))
        throw new ValidationFailedError(`final snapshot ${p.finalId} of ${base.resourceId} failed`);
      await tagFinalSnapshot(rds, req, p, { TagList: snapshot.TagList, arn: snapshot.DBClusterSnapshotArn });
      return { ...base, outcome: 'retired', finalSnapshot: p.finalId };
    }),
  ]);
  return [...clusters, ...databases, ...instances];
}

export interface RetirementDocument {
  readonly app: string;
  readonly runId: string;
  readonly failbackId: string;
  readonly region: string;
  /** The first retirement call of this run: failback.retireCap counts from here. */
  readonly startedAt: string;
  readonly at: string;
  /** True when nothing is pending any more. */
  readonly complete: boolean;
  readonly retired: RetiredEntry[];
}

/** Names of the retirement documents under the run (`runs/<app>/<runId>/<name>.json`). */
export const RETIRE_ARTIFACTS = {
  stale: 'retired-stale',
  recovery: 'retired-recovery',
} as const;
