/**
 * The instances' keys, and only them, through EC2 only: asked of the synthesized role policies with
 * the evaluator and call models that enforce every workflow run. The plan gives the web role its
 * own key (alias/shop-web) and the database the plan-wide one (alias/shop-data); each denial has
 * an allowed counterpart, so no test passes by denying everything.
 */
import {
  CreateImageCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { type LocalIam, localIamFor } from '../../local/iam/local-iam';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';

/** A customer managed key carrying `alias`, in `region`. */
async function keyWithAlias(region: string, alias: string): Promise<string> {
  const kms = new KMSClient({ region });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: alias }));
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata?.KeyId }));
  return KeyMetadata?.Arn ?? '';
}

describe("EBS: the instances' keys only, through EC2 only", () => {
  localAwsForTests(RECOVERY);
  let plan: Plan;
  let iam: LocalIam;
  const key: Record<string, string> = {};
  const image: Record<string, string> = {};
  let subnet = '';

  const deniedKmsActions = async (handler: string, service: string, operation: string, input: unknown) =>
    (await iam.decide(`lambdas/handlers/${handler}.ts`, { service, operation, input, region: RECOVERY }))
      .filter((d) => !d.allowed && d.action.startsWith('kms:'))
      .map((d) => d.action);

  beforeAll(async () => {
    for (const name of ['web', 'data', 'payroll'])
      key[name] = await keyWithAlias(RECOVERY, `alias/shop-${name}`);
    await keyWithAlias(PRIMARY, 'alias/shop-web');
    await keyWithAlias(PRIMARY, 'alias/shop-data');
    plan = samplePlanWith((p) => {
      for (const resource of p.tiers.flatMap((t) => t.resources))
        if ('ec2' in resource && resource.ec2.role === 'web')
          resource.ec2.kmsKeys = { [PRIMARY]: 'alias/shop-web', [RECOVERY]: 'alias/shop-web' };
    });
    // Images in the recovery region whose snapshots are under the web key and under a key the plan
    // does not name; a database snapshot under the web key (as if a database had been given it).
    const ec2 = new EC2Client({ region: RECOVERY });
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    const made = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc?.VpcId, CidrBlock: '10.9.1.0/24' }));
    subnet = made.Subnet?.SubnetId ?? '';
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 1 }));
    for (const name of ['web', 'payroll']) {
      const { Instances = [] } = await ec2.send(
        new RunInstancesCommand({
          ImageId: Images[0]?.ImageId,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnet,
          BlockDeviceMappings: [
            { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8, Encrypted: true, KmsKeyId: key[name] } },
          ],
        }),
      );
      const { ImageId } = await ec2.send(
        new CreateImageCommand({ InstanceId: Instances[0]?.InstanceId, Name: `shop-${name}` }),
      );
      image[name] = ImageId ?? '';
    }
    const rds = new RDSClient({ region: RECOVERY });
    for (const name of ['web', 'data']) {
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: `under-${name}-key`,
          DBInstanceClass: 'db.t3.micro',
          Engine: 'postgres',
          MasterUsername: 'admin',
          MasterUserPassword: 'password123',
          AllocatedStorage: 20,
          StorageEncrypted: true,
          KmsKeyId: key[name],
        }),
      );
      await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: `under-${name}-key`,
          DBSnapshotIdentifier: `pendulum-shop-rp-${name}`,
        }),
      );
    }
    iam = localIamFor(synthesizeTemplate(plan), {
      region: RECOVERY,
      stackName: stackNameFor(plan),
      accountId: '123456789012',
    });
  });

  const launch = (imageId: string | undefined) => ({
    ImageId: imageId,
    SubnetId: subnet,
    MinCount: 1,
    MaxCount: 1,
  });

  it('recovery launches from an image under the key the plan names, not under a key it does not', async () => {
    expect(await deniedKmsActions('recover-tier', 'EC2', 'RunInstances', launch(image.web))).toEqual([]);
    expect(await deniedKmsActions('recover-tier', 'EC2', 'RunInstances', launch(image.payroll))).toEqual([
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
    ]);
  });

  it("protect copies an image under the instances' key, not under a key the plan does not name", async () => {
    const copy = (kmsKeyId: string | undefined) => ({
      SourceImageId: image.web,
      SourceRegion: RECOVERY,
      Name: 'shop-web-copy',
      Encrypted: true,
      KmsKeyId: kmsKeyId,
    });
    expect(await deniedKmsActions('protect-tier', 'EC2', 'CopyImage', copy(key.web))).toEqual([]);
    expect(await deniedKmsActions('protect-tier', 'EC2', 'CopyImage', copy(key.payroll))).toEqual([
      'kms:DescribeKey',
      'kms:CreateGrant',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptTo',
    ]);
  });

  it("the instances' key is not usable through RDS (kms:ViaService), where the database's key is", async () => {
    const restore = (snapshot: string) => ({
      DBSnapshotIdentifier: snapshot,
      DBInstanceIdentifier: 'shop-db-pf-1a2b3c',
    });
    expect(
      await deniedKmsActions(
        'recover-tier',
        'RDS',
        'RestoreDBInstanceFromDBSnapshot',
        restore('pendulum-shop-rp-data'),
      ),
    ).toEqual([]);
    expect(
      await deniedKmsActions(
        'recover-tier',
        'RDS',
        'RestoreDBInstanceFromDBSnapshot',
        restore('pendulum-shop-rp-web'),
      ),
    ).toEqual(['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey']);
  });
});
