/** What runs now in a region of the local AWS, for tests that look at instances after a workflow. */
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
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
