/**
 * Instance recovery points: an AMI made in the primary region (CreateImage), copied into the
 * recovery region (CopyImage) and tagged there; the primary-region intermediate is removed once the
 * copy is available, because only the copy is the recovery point.
 *
 * Every step finds what an earlier attempt of the same protection run made (by its tags, or by its
 * deterministic name when tagging did not happen) and carries on from there, so a retried or re-run
 * capture never makes a second image.
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  type EC2Client,
  type Filter,
  type Image,
  paginateDescribeImages,
} from '@aws-sdk/client-ec2';
import { copyImageEncryption, imageCopyKey, imageEncryptions } from '../encryption/image-encryption';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { logger } from '../runtime/observability';
import {
  type CaptureContext,
  type CaptureOutcome,
  type CaptureState,
  copiedPointTags,
  errorName,
  madeByAnotherRun,
  type ProtectionDirection,
  pointKind,
  pointTags,
} from './capture';
import {
  copyKeyTag,
  expectedVolumesOf,
  pointFromTags,
  type RecoveryPoint,
  TAG,
  tagList,
  tagMap,
} from './recovery-point';
import { amiName, clientToken } from './recovery-point-names';
import type { ProtectedSource } from './resolve-protected-sources';

/** Calls made at once against one region. */
const CONCURRENCY = 10;
/** EC2 accepts at most 200 values per filter. */
const FILTER_VALUES_MAX = 200;

export function imageState(image: Image): CaptureState {
  switch (image.State) {
    case 'available':
      return 'available';
    case 'pending':
    case 'transient':
    case undefined:
      return 'pending';
    default:
      return 'failed';
  }
}

/** Our own images matching all the filters, every page. */
async function describeImages(ec2: EC2Client, filters: Filter[]): Promise<Image[]> {
  const images: Image[] = [];
  const pages = paginateDescribeImages(
    { client: ec2, pageSize: 1000 },
    { Owners: ['self'], Filters: filters },
  );
  for await (const page of pages) images.push(...(page.Images ?? []));
  return images;
}

/** Images whose `name` (or another attribute) is one of `values`, 200 values per call. */
async function describeImagesWhere(
  ec2: EC2Client,
  name: string,
  values: readonly string[],
): Promise<Image[]> {
  const images: Image[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += FILTER_VALUES_MAX)
    images.push(
      ...(await describeImages(ec2, [{ Name: name, Values: unique.slice(i, i + FILTER_VALUES_MAX) }])),
    );
  return images;
}

export function imageToRecoveryPoint(image: Image): RecoveryPoint | undefined {
  const tags = tagMap(image.Tags);
  const point = pointFromTags('ami', image.ImageId, tags, imageState(image));
  return point && { ...point, volumes: expectedVolumesOf(image, tags[TAG.kmsKey]) };
}

/**
 * The app's instance recovery points in the region `ec2` serves (the recovery region): one
 * DescribeImages of the app's tagged images, all pages. `reverse` lists the points protection made
 * while failed over instead (in either region), which failover never chooses from.
 */
export async function listAmiRecoveryPoints(
  ec2: EC2Client,
  app: string,
  direction: ProtectionDirection = 'forward',
): Promise<RecoveryPoint[]> {
  const images = await describeImages(ec2, [
    { Name: `tag:${TAG.app}`, Values: [app] },
    { Name: `tag:${TAG.kind}`, Values: [pointKind(direction)] },
  ]);
  return images.flatMap((image) => imageToRecoveryPoint(image) ?? []);
}

function snapshotIds(image: Image): string[] {
  return (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
}

const STATE_RANK: Record<CaptureState, number> = { available: 0, pending: 1, failed: 2 };

/** source → its image of this run; if (unexpectedly) there are several, the most usable one. */
function bySource(images: readonly Image[]): Map<string, Image> {
  const map = new Map<string, Image>();
  for (const image of images) {
    const source = tagMap(image.Tags)[TAG.source];
    if (!source) continue;
    const current = map.get(source);
    if (!current || STATE_RANK[imageState(image)] < STATE_RANK[imageState(current)]) map.set(source, image);
  }
  return map;
}

/**
 * Deregisters images and deletes their EBS snapshots. The snapshots were tagged with the image's
 * tags when it was made: the task may only delete snapshots that carry its app's tags.
 */
export async function deregisterImages(ec2: EC2Client, images: readonly Image[]): Promise<number> {
  const done = await mapWithConcurrency(images, CONCURRENCY, async (image) => {
    if (!image.ImageId) return false;
    const snapshots = snapshotIds(image);
    try {
      await ec2.send(new DeregisterImageCommand({ ImageId: image.ImageId }));
    } catch (error) {
      if (errorName(error) !== 'InvalidAMIID.NotFound' && errorName(error) !== 'InvalidAMIID.Unavailable')
        throw error;
    }
    for (const snapshot of snapshots) {
      try {
        await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot }));
      } catch (error) {
        if (errorName(error) !== 'InvalidSnapshot.NotFound') throw error;
      }
    }
    return true;
  });
  return done.filter(Boolean).length;
}

/** Deletes the given recovery points (AMIs in the region `ec2` serves) and their snapshots. */
export async function pruneAmiRecoveryPoints(
  ec2: EC2Client,
  points: readonly RecoveryPoint[],
): Promise<number> {
  const ids = points.filter((p) => p.kind === 'ami').map((p) => p.id);
  if (ids.length === 0) return 0;
  const images = await describeImagesWhere(ec2, 'image-id', ids);
  return deregisterImages(ec2, images);
}

interface SourceProgress {
  readonly source: ProtectedSource;
  primary?: Image;
  copy?: Image;
  /** This call made, copied or finished something for this source. */
  worked: boolean;
  /** A CreateImage was accepted but the image is not visible yet. */
  requested: boolean;
  copyId?: string;
  gone?: string;
  problem?: string;
  /** The plan allows no key for its copy: the intermediate is removed, nothing is copied. */
  refused?: boolean;
}

/**
 * Moves the capture of each instance as far as it can go now: create the image, copy it once it
 * is available, and (forward only) remove the intermediate once the copy is. Returns each
 * instance's state; call again (same `protectRun`) while any is `pending`.
 */
export async function captureInstances(
  clients: { capture: EC2Client; copy: EC2Client },
  sources: readonly ProtectedSource[],
  ctx: CaptureContext,
): Promise<CaptureOutcome[]> {
  const instances = sources.filter((s) => s.kind === 'ec2');
  if (instances.length === 0) return [];
  // `primary` is where the image is made, `recovery` where its copy goes (swapped for reverse).
  const { capture: primary, copy: recovery } = clients;
  const nameOf = (source: string) => amiName(ctx.app, source, ctx.now, ctx.protectRun, ctx.direction);
  const runFilters: Filter[] = [
    { Name: `tag:${TAG.app}`, Values: [ctx.app] },
    { Name: `tag:${TAG.protectRun}`, Values: [ctx.protectRun] },
  ];
  const [primaryImages, copies] = await Promise.all([
    describeImages(primary, runFilters).then(bySource),
    describeImages(recovery, runFilters).then(bySource),
  ]);
  const progress: SourceProgress[] = instances.map((source) => ({
    source,
    primary: primaryImages.get(source.id),
    copy: copies.get(source.id),
    worked: false,
    requested: false,
  }));

  // 1. Image every instance that has neither an intermediate nor a copy from this run.
  const toCreate = progress.filter((p) => !p.primary && !p.copy);
  const duplicates: SourceProgress[] = [];
  await mapWithConcurrency(toCreate, CONCURRENCY, async (p) => {
    try {
      const { ImageId } = await primary.send(
        new CreateImageCommand({
          InstanceId: p.source.id,
          Name: nameOf(p.source.id),
          Description: `Pendulum recovery point of ${p.source.id} (${ctx.app}/${ctx.tier}/${p.source.role})`,
          NoReboot: ctx.noReboot,
          // The snapshots carry the point's tags so that only they may be deleted with it.
          TagSpecifications: ['image' as const, 'snapshot' as const].map((ResourceType) => ({
            ResourceType,
            Tags: tagList(pointTags(ctx, p.source)),
          })),
        }),
      );
      p.worked = true;
      p.requested = ImageId !== undefined;
    } catch (error) {
      const name = errorName(error);
      if (name === 'InvalidAMIName.Duplicate') duplicates.push(p);
      else if (name === 'InvalidInstanceID.NotFound' || name === 'InvalidInstanceID.Malformed')
        p.gone = `instance ${p.source.id} no longer exists`;
      // The instance is starting or stopping: it stays pending and is imaged on the next attempt.
      else if (name !== 'IncorrectInstanceState') throw error;
    }
  });
  // What was just made (or made by an attempt whose tags we did not see yet), found by name.
  const fresh = [...toCreate.filter((p) => p.requested), ...duplicates];
  if (fresh.length > 0) {
    const byName = new Map(
      (
        await describeImagesWhere(
          primary,
          'name',
          fresh.map((p) => nameOf(p.source.id)),
        )
      ).map((image) => [image.Name, image]),
    );
    for (const p of fresh) {
      const image = byName.get(nameOf(p.source.id));
      if (image && madeByAnotherRun(tagMap(image.Tags), ctx))
        p.problem = `image ${image.ImageId} has this run's name but not its tags`;
      else p.primary = image;
    }
  }

  // 2. Copy every available intermediate that has no copy yet; a copy made by an attempt that
  //    died before tagging it is found by its name (the intermediate's) and adopted.
  const toCopy = progress.filter((p) => !p.copy && p.primary && imageState(p.primary) === 'available');
  if (toCopy.length > 0) {
    // Only an image without run tags, or with this run's, is adopted: never another run's point.
    const untagged = new Map(
      (
        await describeImagesWhere(
          recovery,
          'name',
          toCopy.map((p) => p.primary?.Name ?? ''),
        )
      )
        .filter((image) => !madeByAnotherRun(tagMap(image.Tags), ctx))
        .map((image) => [image.Name, image]),
    );
    const encryptions = await imageEncryptions(
      primary,
      toCopy.flatMap((p) => (p.primary && !untagged.has(p.primary.Name) ? [p.primary] : [])),
    );
    await mapWithConcurrency(toCopy, CONCURRENCY, async (p) => {
      const source = p.primary as Image;
      let copyId = untagged.get(source.Name)?.ImageId;
      if (!copyId) {
        const key = await imageCopyKey(encryptions.get(source.ImageId ?? '') ?? [], (encryption) =>
          ctx.copyKey(p.source, 'ebs', encryption),
        );
        if (key.encrypt === 'refused') {
          p.problem = `image ${source.ImageId} of ${p.source.id} cannot be copied to ${ctx.copyRegion}: ${key.problem}`;
          p.refused = true;
          return;
        }
        const tags = tagList({ ...copiedPointTags(tagMap(source.Tags)), ...copyKeyTag(key) });
        const { ImageId } = await recovery.send(
          new CopyImageCommand({
            SourceImageId: source.ImageId,
            SourceRegion: ctx.captureRegion,
            Name: source.Name,
            Description: source.Description,
            ClientToken: clientToken(ctx.app, ctx.protectRun, p.source.id, source.ImageId ?? ''),
            // Re-encrypted with the destination's key: keys are regional.
            ...copyImageEncryption(key),
            // Tagged as it is made (image and snapshots): no Pendulum role may tag an existing image.
            TagSpecifications: ['image' as const, 'snapshot' as const].map((ResourceType) => ({
              ResourceType,
              Tags: tags,
            })),
          }),
        );
        copyId = ImageId;
      }
      if (!copyId) return;
      p.copyId = copyId;
      p.worked = true;
    });
    const copyIds = toCopy.flatMap((p) => (p.copyId ? [p.copyId] : []));
    if (copyIds.length > 0) {
      const made = new Map(
        (await describeImagesWhere(recovery, 'image-id', copyIds)).map((image) => [image.ImageId, image]),
      );
      // A copy not visible yet stays pending; the next attempt finds it by its tags.
      for (const p of toCopy) if (p.copyId) p.copy = made.get(p.copyId);
    }
  }

  // 3. Forward: remove the intermediate of every copy that is available: the copy is the recovery
  //    point. Reverse keeps it: it is the point in the recovery region, and the base the next
  //    capture of the same volumes is incremental to.
  if (ctx.direction === 'forward') {
    const toFinish = progress.filter((p) => p.primary && p.copy && imageState(p.copy) === 'available');
    for (const p of toFinish) p.worked = true;
    await deregisterImages(
      primary,
      toFinish.map((p) => p.primary as Image),
    );
  }
  // A failed intermediate can never be copied: remove it so the next run starts afresh.
  const failedIntermediates = progress.filter(
    (p) => !p.copy && p.primary && imageState(p.primary) === 'failed',
  );
  await deregisterImages(
    primary,
    [...failedIntermediates, ...progress.filter((p) => p.refused && ctx.direction === 'forward')].map(
      (p) => p.primary as Image,
    ),
  );
  for (const p of failedIntermediates) p.problem = `image ${p.primary?.ImageId} of ${p.source.id} failed`;

  return progress.map((p): CaptureOutcome => {
    if (p.gone) return { source: p.source.id, worked: false, state: 'gone', problem: p.gone };
    if (p.copy) {
      const point = imageToRecoveryPoint(p.copy);
      const state = imageState(p.copy);
      return {
        source: p.source.id,
        worked: p.worked,
        state,
        ...(p.copy.ImageId ? { id: p.copy.ImageId } : {}),
        ...(point ? { takenAt: point.takenAt } : {}),
        ...(state === 'failed' ? { problem: `copy ${p.copy.ImageId} of ${p.source.id} failed` } : {}),
      };
    }
    if (p.problem) return { source: p.source.id, worked: p.worked, state: 'failed', problem: p.problem };
    if (!p.primary && !p.requested && !p.worked)
      logger.info('instance not ready to be imaged yet', { source: p.source.id });
    return { source: p.source.id, worked: p.worked, state: 'pending' };
  });
}
