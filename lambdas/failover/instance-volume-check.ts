/**
 * An instance launched from an AMI point must have every volume the point promises: each device
 * present, at least its size, encrypted when the point's is, under the key the copy was made
 * with. EC2 makes the volumes from the image's mappings (EC2 User Guide, "Block device mappings"),
 * so a mismatch is a wrong image, or a copy that lost its key: it never comes right by waiting.
 */
import { DescribeVolumesCommand, type EC2Client, type Volume } from '@aws-sdk/client-ec2';
import type { ExpectedVolume } from '../recovery-points/recovery-point';

const FILTER_VALUES_MAX = 200;

/** The volumes attached to each instance, by instance id (one describe per 200 instances). */
export async function describeInstanceVolumes(
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<Map<string, Volume[]>> {
  const byInstance = new Map<string, Volume[]>(instanceIds.map((id) => [id, []]));
  for (let i = 0; i < instanceIds.length; i += FILTER_VALUES_MAX) {
    let NextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeVolumesCommand({
          Filters: [{ Name: 'attachment.instance-id', Values: instanceIds.slice(i, i + FILTER_VALUES_MAX) }],
          NextToken,
        }),
      );
      for (const volume of page.Volumes ?? [])
        for (const attachment of volume.Attachments ?? [])
          if (attachment.InstanceId) byInstance.get(attachment.InstanceId)?.push(volume);
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return byInstance;
}

/** Why the instance's volumes are not what the point promises, or undefined when they are. */
export function volumeMismatch(
  instanceId: string,
  volumes: readonly Volume[],
  expected: readonly ExpectedVolume[],
): string | undefined {
  const byDevice = new Map<string, Volume>();
  for (const volume of volumes) {
    const device = volume.Attachments?.find((a) => a.InstanceId === instanceId)?.Device;
    if (device) byDevice.set(device, volume);
  }
  for (const want of expected) {
    const volume = byDevice.get(want.device);
    if (!volume) return `no volume at ${want.device}`;
    if (want.sizeGiB !== undefined && (volume.Size ?? 0) < want.sizeGiB)
      return `${want.device} is ${volume.Size} GiB; its recovery point's is ${want.sizeGiB} GiB`;
    if (want.encrypted && !volume.Encrypted)
      return `${want.device} is not encrypted; its recovery point's is`;
    if (want.kmsKeyId && volume.KmsKeyId !== want.kmsKeyId)
      return `${want.device} is encrypted with ${volume.KmsKeyId ?? 'no key'}; expected ${want.kmsKeyId}`;
  }
  return undefined;
}
