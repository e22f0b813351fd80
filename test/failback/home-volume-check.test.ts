/**
 * Failback's readiness asks of every running home instance what failover asks of a recovered one:
 * each volume its image (the home copy) promises, at its size, under the key the copy was made
 * with. A home instance that lacks one is broken, named with its device and what was expected.
 */
import {
  CreateImageCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HomeInventoryEntry } from '../../lambdas/failback/home-inventory';
import { assessHome } from '../../lambdas/failback/home-readiness';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { localAwsForTests } from '../support/local-aws';

const HOME = 'us-east-1';

describe('home instances have the volumes their image promises', () => {
  localAwsForTests(HOME);
  const ec2 = new EC2Client({ region: HOME });
  let homeKey = '';
  let imageId = '';

  const launch = async (override?: RunInstancesCommand['input']['BlockDeviceMappings']) => {
    const { Instances = [] } = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        MinCount: 1,
        MaxCount: 1,
        ...(override ? { BlockDeviceMappings: override } : {}),
      }),
    );
    return Instances[0]?.InstanceId ?? '';
  };
  const entry = (homeId: string): HomeInventoryEntry => ({
    kind: 'ec2',
    role: 'web',
    tier: 'app',
    recoveryId: `i-recovered-${homeId}`,
    homeId,
    state: 'pending',
    created: true,
  });

  beforeAll(async () => {
    // Prepare: a home copy of an image with an encrypted root and data volume, tagged with its key
    // as failback tags its copies.
    homeKey = (await new KMSClient({ region: HOME }).send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
    const { Images: base = [] } = await ec2.send(
      new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 1 }),
    );
    const { Instances = [] } = await ec2.send(
      new RunInstancesCommand({
        ImageId: base[0]?.ImageId,
        MinCount: 1,
        MaxCount: 1,
        BlockDeviceMappings: [
          { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: true, KmsKeyId: homeKey } },
          { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 20, Encrypted: true, KmsKeyId: homeKey } },
        ],
      }),
    );
    const made = await ec2.send(
      new CreateImageCommand({
        InstanceId: Instances[0]?.InstanceId,
        Name: 'shop-web-home',
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: TAG.kmsKey, Value: homeKey }] }],
      }),
    );
    imageId = made.ImageId ?? '';
  });

  it('an instance launched from the image as it is is ready', async () => {
    const id = await launch();
    const readiness = await assessHome(createAwsClients(), HOME, [entry(id)], []);
    expect(readiness.broken).toEqual([]);
    expect(readiness.ready).toBe(true);
  });

  it('an instance missing a volume, or with one unencrypted, is broken, naming the device', async () => {
    // Act: launches that override the image's mappings (as a wrong launch would)
    const withoutData = await launch([
      { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: true, KmsKeyId: homeKey } },
      { DeviceName: '/dev/sdf', NoDevice: '' },
    ]);
    const unencrypted = await launch([
      { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: false } },
      { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 20, Encrypted: true, KmsKeyId: homeKey } },
    ]);
    const readiness = await assessHome(
      createAwsClients(),
      HOME,
      [entry(withoutData), entry(unencrypted)],
      [],
    );

    // Assess
    expect(readiness.ready).toBe(false);
    expect(readiness.broken.map((b) => b.reason)).toEqual([
      `home instance ${withoutData}: no volume at /dev/sdf (image ${imageId})`,
      `home instance ${unencrypted}: /dev/sda1 is not encrypted; its recovery point's is (image ${imageId})`,
    ]);
  });
});
