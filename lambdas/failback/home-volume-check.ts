/**
 * A home instance must have every volume its home copy of the image promises: each device, its
 * size, encrypted under the key the copy was made with (the primary's), as failover asks of the
 * instances it launches (failover/instance-volume-check). EC2 makes an instance's volumes from
 * its image's block device mappings (EC2 User Guide, "Block device mappings"): a mismatch never
 * comes right by waiting.
 */
import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { describeInstanceVolumes, volumeMismatch } from '../failover/instance-volume-check';
import { expectedVolumesOf, TAG, tagMap } from '../recovery-points/recovery-point';

const IMAGE_IDS_MAX = 200;

/** A running home instance and the image (the home copy) it was launched from. */
export interface LaunchedHome {
  readonly instanceId: string;
  readonly imageId: string;
}

async function describeImagesById(ec2: EC2Client, imageIds: readonly string[]): Promise<Map<string, Image>> {
  const found = new Map<string, Image>();
  for (let i = 0; i < imageIds.length; i += IMAGE_IDS_MAX) {
    const { Images = [] } = await ec2.send(
      new DescribeImagesCommand({ ImageIds: imageIds.slice(i, i + IMAGE_IDS_MAX) }),
    );
    for (const image of Images) if (image.ImageId) found.set(image.ImageId, image);
  }
  return found;
}

/**
 * Why each home instance's volumes are not what its image promises, by instance id (one describe
 * of images and one of volumes for all). An image no longer there has nothing left to compare with.
 */
export async function homeVolumeMismatches(
  ec2: EC2Client,
  launched: readonly LaunchedHome[],
): Promise<Map<string, string>> {
  const mismatches = new Map<string, string>();
  if (launched.length === 0) return mismatches;
  const [images, volumes] = await Promise.all([
    describeImagesById(ec2, [...new Set(launched.map((l) => l.imageId))]),
    describeInstanceVolumes(
      ec2,
      launched.map((l) => l.instanceId),
    ),
  ]);
  for (const { instanceId, imageId } of launched) {
    const image = images.get(imageId);
    if (!image) continue;
    const expected = expectedVolumesOf(image, tagMap(image.Tags)[TAG.kmsKey]);
    const mismatch = volumeMismatch(instanceId, volumes.get(instanceId) ?? [], expected);
    if (mismatch) mismatches.set(instanceId, `${mismatch} (image ${imageId})`);
  }
  return mismatches;
}
