/**
 * AMIs with the volumes AWS gives them, for the local harness only. moto 5.2.1 gives every AMI one
 * unencrypted 15 GiB snapshot whatever the instance's volumes (moto/ec2/models/amis.py), ignores
 * CopyImage's Encrypted and KmsKeyId, and launches one default root volume. AWS:
 *
 * - CreateImage makes one EBS snapshot per volume attached to the instance, each with the volume's
 *   size and encryption, and the image's block device mappings name them (EC2 User Guide, "Create
 *   an Amazon EBS-backed AMI").
 * - CopyImage copies every snapshot of the image into the destination region; with Encrypted and
 *   KmsKeyId they are encrypted with that key, with Encrypted alone with the region's default EBS
 *   key; an encrypted snapshot is never copied unencrypted (EC2 API Reference, CopyImage; EC2 User
 *   Guide, "Use encryption with EBS-backed AMIs").
 * - RunInstances makes the instance's volumes from the image's block device mappings: a volume of
 *   the snapshot's size, encryption and key per mapping (EC2 User Guide, "Block device mappings").
 *
 * moto also keeps no key on a snapshot of an encrypted volume: DescribeSnapshots answers the keys
 * of the snapshots made here. The images Pendulum makes or copies are remembered here with their mappings (real moto snapshots
 * of the real volumes, made by the harness); DescribeImages answers them, and RunInstances from one
 * is given its mappings. Images moto makes by itself (its default AMIs) are left as moto has them.
 */
import {
  type BlockDeviceMapping,
  CopySnapshotCommand,
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeVolumesCommand,
  EC2Client,
  GetEbsDefaultKmsKeyIdCommand,
  type Image,
} from '@aws-sdk/client-ec2';
import { asHarness } from './harness-calls';
import { clientRegion, type SdkClient, type SdkCommand } from './sdk-send';

type Send = (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => unknown;

/** `region|imageId` → the image's block device mappings. */
const mappings = new Map<string, BlockDeviceMapping[]>();
/**
 * `region|snapshotId` → the key of a snapshot the harness made: moto keeps no key on a snapshot of
 * an encrypted volume, nor marks a copy encrypted that CopySnapshot was asked to encrypt.
 */
const snapshotKeys = new Map<string, string>();

/**
 * `region|imageId` → the one snapshot moto made for the image itself, which no mapping names now:
 * deleted with the image (as the snapshots a deregistration's caller deletes would be), so the
 * local AWS keeps no snapshots AWS would not have.
 */
const motoSnapshots = new Map<string, string>();

export function resetAmiVolumes(): void {
  mappings.clear();
  snapshotKeys.clear();
  motoSnapshots.clear();
}

/** moto's own snapshot of a new image (its one mapping), before the harness's replace it. */
async function motoSnapshotOf(region: string, imageId: string): Promise<string | undefined> {
  const { Images = [] } = await new EC2Client({ region }).send(
    new DescribeImagesCommand({ ImageIds: [imageId] }),
  );
  return Images[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId;
}

async function forgetImage(region: string, imageId: string): Promise<void> {
  const snapshot = motoSnapshots.get(`${region}|${imageId}`);
  motoSnapshots.delete(`${region}|${imageId}`);
  if (snapshot)
    await new EC2Client({ region })
      .send(new DeleteSnapshotCommand({ SnapshotId: snapshot }))
      .catch(() => undefined);
}

/** Remembers an image's mappings, and moto's own snapshot of it (which they replace). */
async function adopt(
  region: string,
  imageId: string,
  made: () => Promise<BlockDeviceMapping[]>,
): Promise<void> {
  const own = await motoSnapshotOf(region, imageId);
  if (own) motoSnapshots.set(`${region}|${imageId}`, own);
  mappings.set(`${region}|${imageId}`, await made());
}

function remember(region: string, made: readonly BlockDeviceMapping[]): BlockDeviceMapping[] {
  for (const m of made)
    if (m.Ebs?.SnapshotId && m.Ebs.Encrypted && m.Ebs.KmsKeyId)
      snapshotKeys.set(`${region}|${m.Ebs.SnapshotId}`, m.Ebs.KmsKeyId);
  return [...made];
}

/** One snapshot per attached volume, as CreateImage makes them. */
async function imageVolumes(
  region: string,
  instanceId: string,
  imageId: string,
): Promise<BlockDeviceMapping[]> {
  const ec2 = new EC2Client({ region });
  const { Volumes = [] } = await ec2.send(
    new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }),
  );
  const out: BlockDeviceMapping[] = [];
  for (const volume of Volumes) {
    const device = volume.Attachments?.find((a) => a.InstanceId === instanceId)?.Device;
    if (!device || !volume.VolumeId) continue;
    const snapshot = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volume.VolumeId,
        Description: `Created by CreateImage(${instanceId}) for ${imageId}`,
      }),
    );
    out.push({
      DeviceName: device,
      Ebs: {
        SnapshotId: snapshot.SnapshotId,
        VolumeSize: volume.Size,
        VolumeType: volume.VolumeType,
        DeleteOnTermination: true,
        Encrypted: volume.Encrypted === true,
        ...(volume.Encrypted && volume.KmsKeyId ? { KmsKeyId: volume.KmsKeyId } : {}),
      },
    });
  }
  return remember(
    region,
    out.sort((a, b) => (a.DeviceName ?? '').localeCompare(b.DeviceName ?? '')),
  );
}

/** The source's snapshots copied into `region`, encrypted as CopyImage asks. */
async function copiedVolumes(
  region: string,
  source: readonly BlockDeviceMapping[],
  sourceRegion: string,
  input: { Encrypted?: boolean; KmsKeyId?: string },
): Promise<BlockDeviceMapping[]> {
  const ec2 = new EC2Client({ region });
  let defaultKey: string | undefined;
  const out: BlockDeviceMapping[] = [];
  for (const mapping of source) {
    const ebs = mapping.Ebs;
    if (!ebs?.SnapshotId) continue;
    const encrypted = input.Encrypted === true || ebs.Encrypted === true;
    let key = encrypted ? input.KmsKeyId : undefined;
    if (encrypted && !key) {
      defaultKey ??= (await ec2.send(new GetEbsDefaultKmsKeyIdCommand({}))).KmsKeyId;
      key = defaultKey;
    }
    const copy = await ec2.send(
      new CopySnapshotCommand({
        SourceSnapshotId: ebs.SnapshotId,
        SourceRegion: sourceRegion,
        ...(encrypted ? { Encrypted: true, ...(key ? { KmsKeyId: key } : {}) } : {}),
      }),
    );
    out.push({
      DeviceName: mapping.DeviceName,
      Ebs: {
        ...ebs,
        SnapshotId: copy.SnapshotId,
        Encrypted: encrypted,
        ...(encrypted && key ? { KmsKeyId: key } : { KmsKeyId: undefined }),
      },
    });
  }
  return remember(region, out);
}

/** The snapshots behind an image the harness knows (for the tags CreateImage and CopyImage apply). */
export function knownImageSnapshots(region: string, imageId: string): string[] | undefined {
  return mappings.get(`${region}|${imageId}`)?.flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
}

/**
 * The calls whose answers change: CreateImage and CopyImage (after moto made the image),
 * DescribeImages (mappings of known images), RunInstances (given a known image's mappings).
 * Undefined for every other call.
 */
export function amiVolumeCall(
  this: SdkClient,
  send: Send,
  command: SdkCommand,
  rest: unknown[],
): Promise<unknown> | undefined {
  const name = command.constructor.name;
  const input = (command.input ?? {}) as Record<string, unknown>;
  const region = () => clientRegion(this);
  if (name === 'CreateImageCommand')
    return (send.call(this, command, ...rest) as Promise<{ ImageId?: string }>).then(async (out) => {
      const where = await region();
      const imageId = out.ImageId;
      if (imageId)
        await asHarness(() =>
          adopt(where, imageId, () => imageVolumes(where, String(input.InstanceId), imageId)),
        );
      return out;
    });
  if (name === 'CopyImageCommand')
    return (send.call(this, command, ...rest) as Promise<{ ImageId?: string }>).then(async (out) => {
      const where = await region();
      const sourceRegion = String(input.SourceRegion);
      const source = mappings.get(`${sourceRegion}|${String(input.SourceImageId)}`);
      const imageId = out.ImageId;
      if (imageId && source && !mappings.has(`${where}|${imageId}`))
        await asHarness(() =>
          adopt(where, imageId, () =>
            copiedVolumes(where, source, sourceRegion, input as { Encrypted?: boolean; KmsKeyId?: string }),
          ),
        );
      return out;
    });
  if (name === 'DescribeImagesCommand')
    return (send.call(this, command, ...rest) as Promise<{ Images?: Image[] }>).then(async (out) => {
      const where = await region();
      for (const image of out.Images ?? []) {
        const known = mappings.get(`${where}|${image.ImageId}`);
        if (known) image.BlockDeviceMappings = structuredClone(known);
      }
      return out;
    });
  if (name === 'DeregisterImageCommand')
    return (send.call(this, command, ...rest) as Promise<unknown>).then(async (out) => {
      const where = await region();
      await asHarness(() => forgetImage(where, String(input.ImageId)));
      return out;
    });
  if (name === 'DescribeSnapshotsCommand' && snapshotKeys.size > 0)
    return (
      send.call(this, command, ...rest) as Promise<{
        Snapshots?: { SnapshotId?: string; Encrypted?: boolean; KmsKeyId?: string }[];
      }>
    ).then(async (out) => {
      const where = await region();
      for (const snapshot of out.Snapshots ?? []) {
        const key = snapshotKeys.get(`${where}|${snapshot.SnapshotId}`);
        if (key) Object.assign(snapshot, { Encrypted: true, KmsKeyId: key });
      }
      return out;
    });
  if (name === 'RunInstancesCommand' && !input.BlockDeviceMappings)
    return region().then((where) => {
      const known = mappings.get(`${where}|${String(input.ImageId)}`);
      if (known)
        command.input = {
          ...input,
          BlockDeviceMappings: known.map((m) => ({
            DeviceName: m.DeviceName,
            Ebs: {
              SnapshotId: m.Ebs?.SnapshotId,
              VolumeSize: m.Ebs?.VolumeSize,
              VolumeType: m.Ebs?.VolumeType,
              DeleteOnTermination: true,
              Encrypted: m.Ebs?.Encrypted === true,
              ...(m.Ebs?.Encrypted && m.Ebs.KmsKeyId ? { KmsKeyId: m.Ebs.KmsKeyId } : {}),
            },
          })),
        };
      return send.call(this, command, ...rest) as Promise<unknown>;
    });
  return undefined;
}
