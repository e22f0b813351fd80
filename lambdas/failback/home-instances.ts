/**
 * Instances coming home: an image of each recovery-region instance (CreateImage, no reboot), copied
 * into the target region (CopyImage, then CreateTags: the copy carries no tags), then launched where
 * the stale primary instance it replaces runs (subnet, security groups, type), with its own tags.
 *
 * Each call moves every instance as far as it can go now. What an earlier attempt made is found
 * first: launches by tags (app, failback episode, source = recovery instance), images and copies by
 * their deterministic names. The recovery-region image is removed once its copy is available.
 *
 * The copy is incremental to the newest reverse point (made while failed over) already in the
 * target region; each entry reports it as `leftToCopy`. Reverse points are never deleted here.
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  type EC2Client,
  type Image,
  type Instance,
  paginateDescribeImages,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { CopyKey, CopyService } from '../encryption/copy-key';
import { copyImageEncryption, imageCopyKey, imageEncryptions } from '../encryption/image-encryption';
import type { SourceEncryption } from '../encryption/key-resolver';
import { describeInstancesById, findEpisodeInstances } from '../failover/ec2-recovery';
import { deregisterImages, imageState } from '../recovery-points/ami-recovery-points';
import { copyTags, homeTags, pendulumGivenName } from '../recovery-points/estate-tags';
import { copyKeyTag, TAG, tagList, tagMap } from '../recovery-points/recovery-point';
import { clientToken } from '../recovery-points/recovery-point-names';
import type { AwsClients } from '../runtime/aws-clients';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { InvalidInputError } from '../runtime/task-errors';
import type { FailbackResourcePlan, FailbackRun, HomeInstance } from './failback-run';
import type { HomeInventoryEntry } from './home-inventory';
import { errorName, FAILBACK_KIND, failbackTags, homeImageName, userTags } from './home-names';
import { leftToCopy, newestReverseImages } from './reverse-points';

const CONCURRENCY = 10;
const FILTER_VALUES_MAX = 200;
/** States an instance cannot come back from: it can be neither imaged nor copied from. */
export const GONE_INSTANCE = new Set(['shutting-down', 'terminated']);

/** Our own images by name, 200 names per call, every page. */
export async function describeImagesNamed(
  ec2: EC2Client,
  names: readonly string[],
): Promise<Map<string, Image>> {
  const found = new Map<string, Image>();
  const unique = [...new Set(names)];
  for (let i = 0; i < unique.length; i += FILTER_VALUES_MAX) {
    const pages = paginateDescribeImages(
      { client: ec2, pageSize: 1000 },
      { Owners: ['self'], Filters: [{ Name: 'name', Values: unique.slice(i, i + FILTER_VALUES_MAX) }] },
    );
    for await (const page of pages)
      for (const image of page.Images ?? []) if (image.Name) found.set(image.Name, image);
  }
  return found;
}

/** Without a key chooser only unencrypted sources can come home. */
export const UNENCRYPTED_ONLY: NonNullable<HomeContext['copyKey']> = async (_place, _service, encryption) =>
  encryption.encrypted
    ? { encrypt: 'refused', problem: 'encrypted, and no key was given for the home copy' }
    : { encrypt: false };

export interface HomeContext {
  readonly clients: AwsClients;
  readonly run: FailbackRun;
  readonly resources: FailbackResourcePlan;
  /** `episodeSuffix(run.failbackId)`. */
  readonly suffix: string;
  /** The clock for ages reported (what is left to copy). @default the current time */
  readonly now?: () => Date;
  /**
   * The key a home copy of a recovery resource (by tier and role) is encrypted with: the plan's
   * key of the target region (see encryption/copy-key). @default unencrypted copies only
   */
  readonly copyKey?: (
    place: { readonly tier: string; readonly role: string },
    service: CopyService,
    encryption: SourceEncryption,
  ) => Promise<CopyKey>;
  /** Each tag-selected role's selector: every home instance of the role carries it. @default none */
  readonly selectors?: ReadonlyMap<string, { readonly key: string; readonly value: string }>;
}

export interface Problem {
  readonly id: string;
  readonly state: string;
  readonly reason: string;
}

export interface AdvanceResult {
  readonly entries: HomeInventoryEntry[];
  /** Resources this call created (launched, replicated, restored). */
  readonly created: number;
  /** Resources an earlier call (or run) of this failback had made already. */
  readonly reused: number;
  /** Resources that can never come home as things stand. */
  readonly problems: Problem[];
}

/** Where one instance goes and what it is called: copied from a stale primary instance. */
interface HomeLaunch {
  readonly instanceType: string;
  readonly subnetId?: string;
  readonly securityGroupIds: string[];
  readonly keyName?: string;
  readonly iamInstanceProfileArn?: string;
  readonly tags: Record<string, string>;
}

/**
 * The stale instance whose placement each instance takes: its own source when that still exists,
 * else another stale instance of the same role. Refuses (naming role and region) before anything
 * is made when an instance has nowhere to go.
 */
async function resolveLaunches(
  ec2: EC2Client,
  hc: HomeContext,
  pending: readonly HomeInstance[],
  recoveryInstances: Map<string, Instance>,
): Promise<Map<string, HomeLaunch>> {
  const roles = new Set(pending.map((p) => p.role));
  const roleOf = new Map<string, string>();
  for (const s of hc.resources.stale) if (s.kind === 'ec2' && roles.has(s.role)) roleOf.set(s.id, s.role);
  for (const i of hc.resources.instances) if (i.source && roles.has(i.role)) roleOf.set(i.source, i.role);
  const described = roleOf.size > 0 ? await describeInstancesById(ec2, [...roleOf.keys()]) : new Map();
  const usable = (id: string | undefined): Instance | undefined => {
    const instance = id ? described.get(id) : undefined;
    return instance && !GONE_INSTANCE.has(instance.State?.Name ?? '') ? instance : undefined;
  };
  const donors = new Map<string, Instance[]>();
  for (const [id, role] of [...roleOf.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const instance = usable(id);
    if (instance) donors.set(role, [...(donors.get(role) ?? []), instance]);
  }
  const launches = new Map<string, HomeLaunch>();
  const nowhere: HomeInstance[] = [];
  for (const p of pending) {
    const own = usable(p.source);
    const donor = own ?? donors.get(p.role)?.[0];
    if (!donor) {
      nowhere.push(p);
      continue;
    }
    // The estate's tags come home (see homeTags): the recovery instance's as they are now over its
    // stale source's (else a stale peer's), and the role's selector, so the plan finds it.
    const selector = hc.selectors?.get(p.role);
    const estate = {
      ...homeTags(
        tagMap(recoveryInstances.get(p.recoveryId)?.Tags),
        tagMap(donor.Tags),
        p.source ? pendulumGivenName(hc.run.app, p.role, p.source) : undefined,
      ),
      ...(selector ? { [selector.key]: selector.value } : {}),
    };
    launches.set(p.recoveryId, {
      instanceType: donor.InstanceType ?? 't3.micro',
      subnetId: donor.SubnetId,
      securityGroupIds: (donor.SecurityGroups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
      keyName: donor.KeyName,
      iamInstanceProfileArn: donor.IamInstanceProfile?.Arn,
      tags: copyTags(estate, failbackTags(hc.run, { tier: p.tier, role: p.role, source: p.recoveryId }), {
        fallbackName: `${hc.run.app}-${p.role}`,
        ...(selector ? { keep: [selector.key] } : {}),
      }),
    });
  }
  if (nowhere.length > 0) {
    const roles = [...new Set(nowhere.map((p) => p.role))];
    const instances = nowhere.map((p) => `${p.recoveryId} (role ${p.role})`);
    throw new InvalidInputError(
      `no stale instance of role ${roles.join(', ')} in ${hc.run.targetRegion} to take placement from for ${instances
        .slice(0, 10)
        .join(', ')}`,
      { roles, region: hc.run.targetRegion, instances: instances.slice(0, 50) },
    );
  }
  return launches;
}

/** Only an image without failback tags, or with this episode's, is adopted by name. */
function ours(image: Image | undefined, run: FailbackRun): Image | undefined {
  if (!image) return undefined;
  const tags = tagMap(image.Tags);
  const app = tags[TAG.app];
  const episode = tags[TAG.failback];
  return (app === undefined || app === run.app) && (episode === undefined || episode === run.failbackId)
    ? image
    : undefined;
}

interface Progress {
  readonly want: HomeInstance;
  readonly name: string;
  intermediate?: Image;
  copy?: Image;
  instance?: Instance;
  launchedNow: boolean;
  problem?: string;
}

async function launch(ec2: EC2Client, imageId: string, spec: HomeLaunch, token: string): Promise<Instance> {
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: spec.instanceType as never,
      MinCount: 1,
      MaxCount: 1,
      SubnetId: spec.subnetId,
      SecurityGroupIds: spec.securityGroupIds.length > 0 ? spec.securityGroupIds : undefined,
      KeyName: spec.keyName,
      IamInstanceProfile: spec.iamInstanceProfileArn ? { Arn: spec.iamInstanceProfileArn } : undefined,
      ClientToken: token,
      MetadataOptions: { HttpTokens: 'required' },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tagList(spec.tags) },
        { ResourceType: 'volume', Tags: tagList(spec.tags) },
      ],
    }),
  );
  const instance = Instances[0];
  if (!instance?.InstanceId) throw new Error(`RunInstances returned no instance for ${imageId}`);
  return instance;
}

export function instanceEntry(
  want: HomeInstance,
  instance: Instance,
  run: Pick<FailbackRun, 'runId'>,
  createdNow = false,
): HomeInventoryEntry {
  return {
    kind: 'ec2',
    role: want.role,
    tier: want.tier,
    ...(want.source ? { source: want.source } : {}),
    recoveryId: want.recoveryId,
    homeId: instance.InstanceId,
    imageId: instance.ImageId,
    state: instance.State?.Name ?? 'pending',
    privateIp: instance.PrivateIpAddress,
    publicIp: instance.PublicIpAddress,
    created: createdNow || tagMap(instance.Tags)[TAG.run] === run.runId,
  };
}

/** Moves every instance of the plan one or more steps towards running in the target region. */
export async function advanceHomeInstances(hc: HomeContext): Promise<AdvanceResult> {
  const { run } = hc;
  const wanted = hc.resources.instances;
  if (wanted.length === 0) return { entries: [], created: 0, reused: 0, problems: [] };
  const target = hc.clients.ec2(run.targetRegion);
  const recovery = hc.clients.ec2(run.sourceRegion);
  const launched = await findEpisodeInstances(target, run.app, { tagKey: TAG.failback, id: run.failbackId });
  const progress: Progress[] = wanted.map((want) => ({
    want,
    name: homeImageName(run.app, hc.suffix, want.recoveryId),
    instance: launched.get(want.recoveryId),
    launchedNow: false,
  }));
  const pending = progress.filter((p) => !p.instance);
  // The reverse point each copy builds on (one describe): the image copy below is incremental to
  // its snapshots, which this function never deletes (it removes only its own intermediates).
  const now = hc.now?.() ?? new Date();
  const reversePoints = await newestReverseImages(
    target,
    run.app,
    wanted.map((w) => w.recoveryId),
  );
  const left = (want: HomeInstance) => leftToCopy(reversePoints.get(want.recoveryId), now, run.targetRegion);

  if (pending.length > 0) {
    const recoveryInstances = await describeInstancesById(
      recovery,
      pending.map((p) => p.want.recoveryId),
    );
    const launches = await resolveLaunches(
      target,
      hc,
      pending.map((p) => p.want),
      recoveryInstances,
    );
    // The image home carries the estate's tags of the instance it is of; its Name is Pendulum's.
    const imageTags = (want: HomeInstance) => {
      const { Name: _estateName, ...estate } = userTags(tagMap(recoveryInstances.get(want.recoveryId)?.Tags));
      return copyTags(estate, {
        Name: homeImageName(run.app, hc.suffix, want.recoveryId),
        ...failbackTags(run, { tier: want.tier, role: want.role, source: want.recoveryId }),
        [TAG.kind]: FAILBACK_KIND.homeImage,
      });
    };

    // 1. What earlier attempts copied into the target region, and imaged in the recovery region.
    const copies = await describeImagesNamed(
      target,
      pending.map((p) => p.name),
    );
    // Copies are tagged as they are made: one without this failback's tags is not ours.
    for (const p of pending) {
      const copy = ours(copies.get(p.name), run);
      if (copy && tagMap(copy.Tags)[TAG.failback] !== undefined) p.copy = copy;
    }
    const needImage = pending.filter((p) => !p.copy);
    if (needImage.length > 0) {
      const intermediates = await describeImagesNamed(
        recovery,
        needImage.map((p) => p.name),
      );
      for (const p of needImage) p.intermediate = ours(intermediates.get(p.name), run);
    }

    // 2. Image every recovery instance that has neither an image nor a copy yet.
    const toImage = needImage.filter((p) => !p.intermediate);
    const asked: Progress[] = [];
    await mapWithConcurrency(toImage, CONCURRENCY, async (p) => {
      const source = recoveryInstances.get(p.want.recoveryId);
      if (!source || GONE_INSTANCE.has(source.State?.Name ?? '')) {
        p.problem = `recovery instance ${p.want.recoveryId} is ${source?.State?.Name ?? 'gone'} in ${run.sourceRegion}`;
        return;
      }
      try {
        await recovery.send(
          new CreateImageCommand({
            InstanceId: p.want.recoveryId,
            Name: p.name,
            Description: `Pendulum failback ${run.failbackId}: ${p.want.recoveryId} (${run.app}/${p.want.tier}/${p.want.role}) coming home`,
            NoReboot: true,
            // The snapshots carry the image's tags so that only they may be deleted with it.
            TagSpecifications: ['image' as const, 'snapshot' as const].map((ResourceType) => ({
              ResourceType,
              Tags: tagList(imageTags(p.want)),
            })),
          }),
        );
        asked.push(p);
      } catch (error) {
        const name = errorName(error);
        if (name === 'InvalidAMIName.Duplicate') asked.push(p);
        else if (name === 'InvalidInstanceID.NotFound' || name === 'InvalidInstanceID.Malformed')
          p.problem = `recovery instance ${p.want.recoveryId} no longer exists in ${run.sourceRegion}`;
        // Starting or stopping: imaged on a later call.
        else if (name !== 'IncorrectInstanceState') throw error;
      }
    });
    if (asked.length > 0) {
      const made = await describeImagesNamed(
        recovery,
        asked.map((p) => p.name),
      );
      for (const p of asked) {
        const image = made.get(p.name);
        if (image && !ours(image, run))
          p.problem = `image ${image.ImageId} in ${run.sourceRegion} has this failback's name but not its tags`;
        else p.intermediate = image;
      }
    }
    for (const p of needImage)
      if (p.intermediate && imageState(p.intermediate) === 'failed')
        p.problem = `image ${p.intermediate.ImageId} of ${p.want.recoveryId} failed (${p.intermediate.StateReason?.Message ?? p.intermediate.State})`;

    // 3. Copy every available image into the target region, tagging the copy.
    const toCopy = needImage.filter(
      (p) => !p.problem && p.intermediate && imageState(p.intermediate) === 'available',
    );
    const copied: Progress[] = [];
    const encryptions = await imageEncryptions(
      recovery,
      toCopy.map((p) => p.intermediate as Image),
    );
    await mapWithConcurrency(toCopy, CONCURRENCY, async (p) => {
      const source = p.intermediate as Image;
      // Re-encrypted with the target region's key: keys are regional.
      const key = await imageCopyKey(encryptions.get(source.ImageId ?? '') ?? [], (encryption) =>
        (hc.copyKey ?? UNENCRYPTED_ONLY)(p.want, 'ebs', encryption),
      );
      if (key.encrypt === 'refused') {
        p.problem = `image ${source.ImageId} of ${p.want.recoveryId} cannot be copied to ${run.targetRegion}: ${key.problem}`;
        return;
      }
      const { ImageId } = await target.send(
        new CopyImageCommand({
          SourceImageId: source.ImageId,
          SourceRegion: run.sourceRegion,
          Name: p.name,
          Description: source.Description,
          ClientToken: clientToken(run.app, run.failbackId, p.want.recoveryId, source.ImageId ?? ''),
          ...copyImageEncryption(key),
          // Tagged as it is made: no Pendulum role may tag an existing image.
          TagSpecifications: ['image' as const, 'snapshot' as const].map((ResourceType) => ({
            ResourceType,
            Tags: tagList({ ...imageTags(p.want), ...copyKeyTag(key) }),
          })),
        }),
      );
      if (!ImageId) return;
      copied.push(p);
    });
    if (copied.length > 0) {
      const made = await describeImagesNamed(
        target,
        copied.map((p) => p.name),
      );
      for (const p of copied) p.copy = made.get(p.name);
    }
    for (const p of pending)
      if (p.copy && imageState(p.copy) === 'failed')
        p.problem = `copy ${p.copy.ImageId} of ${p.want.recoveryId} in ${run.targetRegion} failed`;

    // 4. The recovery-region image has done its job once its copy is available.
    const done = pending.filter(
      (p) => p.intermediate && p.copy && imageState(p.copy) === 'available' && !p.problem,
    );
    await deregisterImages(
      recovery,
      done.map((p) => p.intermediate as Image),
    );

    // 5. Launch from every available copy.
    const toLaunch = pending.filter((p) => !p.problem && p.copy && imageState(p.copy) === 'available');
    await mapWithConcurrency(toLaunch, CONCURRENCY, async (p) => {
      const spec = launches.get(p.want.recoveryId);
      if (!spec || !p.copy?.ImageId) return;
      p.instance = await launch(
        target,
        p.copy.ImageId,
        spec,
        clientToken(run.app, run.failbackId, p.want.recoveryId, 'launch'),
      );
      p.launchedNow = true;
    });
  }

  const entries = progress.map((p): HomeInventoryEntry => {
    if (p.instance)
      return { ...instanceEntry(p.want, p.instance, run, p.launchedNow), leftToCopy: left(p.want) };
    const state = p.problem
      ? 'failed'
      : p.copy
        ? 'copying'
        : p.intermediate && imageState(p.intermediate) === 'available'
          ? 'copying'
          : 'imaging';
    return {
      kind: 'ec2',
      role: p.want.role,
      tier: p.want.tier,
      ...(p.want.source ? { source: p.want.source } : {}),
      recoveryId: p.want.recoveryId,
      ...(p.copy?.ImageId ? { imageId: p.copy.ImageId } : {}),
      state,
      created: false,
      leftToCopy: left(p.want),
    };
  });
  return {
    entries,
    created: progress.filter((p) => p.launchedNow).length,
    reused: wanted.length - pending.length,
    problems: progress.flatMap((p) =>
      p.problem ? [{ id: p.want.recoveryId, state: 'failed', reason: p.problem }] : [],
    ),
  };
}
