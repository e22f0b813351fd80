/**
 * The local AWS gives AMIs the volumes AWS gives them: one snapshot per volume of the instance,
 * copies encrypted as CopyImage asks, launches with those volumes (local/ami-volumes.ts).
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { localAwsForTests } from '../support/local-aws';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

describe('AMIs with their volumes', () => {
  localAwsForTests(WEST);

  it('images every volume, copies them under the key asked for, and launches with them', async () => {
    // Prepare: an instance with an encrypted root and an unencrypted data volume, and a key in the west
    const east = new EC2Client({ region: EAST });
    const west = new EC2Client({ region: WEST });
    const eastKey = (await new KMSClient({ region: EAST }).send(new CreateKeyCommand({}))).KeyMetadata?.Arn;
    const westKey = (await new KMSClient({ region: WEST }).send(new CreateKeyCommand({}))).KeyMetadata?.Arn;
    const { Images: base = [] } = await east.send(
      new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 1 }),
    );
    const { Instances = [] } = await east.send(
      new RunInstancesCommand({
        ImageId: base[0]?.ImageId,
        MinCount: 1,
        MaxCount: 1,
        BlockDeviceMappings: [
          { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 12, Encrypted: true, KmsKeyId: eastKey } },
          { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 50 } },
        ],
      }),
    );

    // Act
    const { ImageId } = await east.send(
      new CreateImageCommand({ InstanceId: Instances[0]?.InstanceId, Name: 'web-point' }),
    );
    const { ImageId: copyId } = await west.send(
      new CopyImageCommand({
        SourceImageId: ImageId,
        SourceRegion: EAST,
        Name: 'web-point',
        Encrypted: true,
        KmsKeyId: westKey,
      }),
    );
    const { Instances: launched = [] } = await west.send(
      new RunInstancesCommand({ ImageId: copyId, MinCount: 1, MaxCount: 1 }),
    );

    // Assess: the image, its copy, and the volumes of an instance launched from the copy
    const mappings = async (ec2: EC2Client, id?: string) =>
      (
        (await ec2.send(new DescribeImagesCommand({ ImageIds: [id ?? ''] }))).Images?.[0]
          ?.BlockDeviceMappings ?? []
      ).map((m) => [m.DeviceName, m.Ebs?.VolumeSize, m.Ebs?.Encrypted, m.Ebs?.KmsKeyId]);
    expect(await mappings(east, ImageId)).toEqual([
      ['/dev/sda1', 12, true, eastKey],
      ['/dev/sdf', 50, false, undefined],
    ]);
    expect(await mappings(west, copyId)).toEqual([
      ['/dev/sda1', 12, true, westKey],
      ['/dev/sdf', 50, true, westKey],
    ]);
    const snapshotOf = async (ec2: EC2Client, id?: string) => {
      const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [id ?? ''] }))).Images?.[0];
      const { Snapshots = [] } = await ec2.send(
        new DescribeSnapshotsCommand({
          SnapshotIds: [image?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId ?? ''],
        }),
      );
      return [Snapshots[0]?.Encrypted, Snapshots[0]?.KmsKeyId];
    };
    expect(await snapshotOf(east, ImageId)).toEqual([true, eastKey]);
    expect(await snapshotOf(west, copyId)).toEqual([true, westKey]);
    const { Volumes = [] } = await west.send(
      new DescribeVolumesCommand({
        Filters: [{ Name: 'attachment.instance-id', Values: [launched[0]?.InstanceId ?? ''] }],
      }),
    );
    expect(Volumes.map((v) => [v.Attachments?.[0]?.Device, v.Size, v.Encrypted, v.KmsKeyId]).sort()).toEqual([
      ['/dev/sda1', 12, true, westKey],
      ['/dev/sdf', 50, true, westKey],
    ]);
  });
});
