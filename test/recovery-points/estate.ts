/**
 * A small primary-region estate in moto: web and api instances selected by tag, and a database.
 */
import { DescribeImagesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';

export const PRIMARY = 'us-east-1';
export const RECOVERY = 'us-west-2';

export interface Estate {
  readonly web: string[];
  readonly api: string[];
  readonly db: string;
}

export async function createEstate(clients: AwsClients): Promise<Estate> {
  const ec2 = clients.ec2(PRIMARY);
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
  const imageId = Images[0]?.ImageId;
  if (!imageId) throw new Error('moto has no base AMI in us-east-1');
  const launch = async (role: string, count: number, type: 't3.small' | 't3.micro') => {
    const { Instances = [] } = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        MinCount: count,
        MaxCount: count,
        InstanceType: type,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'pendulum-role', Value: role }] }],
      }),
    );
    return Instances.map((i) => i.InstanceId as string).sort();
  };
  const web = await launch('web', 2, 't3.small');
  const api = await launch('api', 1, 't3.micro');
  await clients.rds(PRIMARY).send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'shop-db',
      DBInstanceClass: 'db.t3.micro',
      Engine: 'postgres',
      MasterUsername: 'shop',
      MasterUserPassword: 'not-a-secret-1',
      AllocatedStorage: 20,
    }),
  );
  return { web, api, db: 'shop-db' };
}

/** The plan protecting that estate (as a user would write it; parse it with parsePlanObject). */
export function estatePlan(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    app: 'shop',
    primaryRegion: PRIMARY,
    recoveryRegion: RECOVERY,
    tiers: [
      { name: 'data', rpo: '1h', rto: '30m', resources: [{ rds: { identifier: 'shop-db' } }] },
      {
        name: 'app',
        rpo: '4h',
        rto: '1h',
        resources: [
          { ec2: { role: 'web', tag: { key: 'pendulum-role', value: 'web' } } },
          { ec2: { role: 'api', tag: { key: 'pendulum-role', value: 'api' } } },
        ],
      },
    ],
    protection: { retain: 2, noReboot: true },
    ...overrides,
  };
}
