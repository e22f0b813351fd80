/** What runs now in a region of the local AWS, for tests that look at instances after a workflow. */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type Instance,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';

/** Pending or running instances matching the filters (terminated ones linger in describes). */
export async function live(
  region: string,
  filters: { Name: string; Values: string[] }[] = [],
): Promise<Instance[]> {
  const { Reservations = [] } = await createAwsClients()
    .ec2(region)
    .send(
      new DescribeInstancesCommand({
        Filters: [...filters, { Name: 'instance-state-name', Values: ['pending', 'running'] }],
      }),
    );
  return Reservations.flatMap((r) => r.Instances ?? []);
}

/** A tag's value on an instance. */
export const tag = (i: Instance, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;

/** A web server someone started by hand in a region (an Amazon image, the role's tag): its id. */
export async function startWebInstance(region: string, name: string): Promise<string> {
  const ec2 = createAwsClients().ec2(region);
  const [base] =
    (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }))).Images ?? [];
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: base?.ImageId,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.small',
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'pendulum-role', Value: 'web' },
            { Key: 'Name', Value: name },
          ],
        },
      ],
    }),
  );
  return Instances[0]?.InstanceId as string;
}
