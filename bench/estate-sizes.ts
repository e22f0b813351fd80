/**
 * The sizes the modeled floor needs, read from the seeded estate (what the realistic layer sizes
 * images and snapshots by): each instance's volumes summed, each database's allocated storage.
 */
import { DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { AwsClients } from '../lambdas/runtime/aws-clients';
import type { EstateSizes } from './modeled-run';
import type { SyntheticEstate } from './synthetic-estate';

export async function estateSizes(clients: AwsClients, estate: SyntheticEstate): Promise<EstateSizes> {
  const ec2 = clients.ec2(estate.primaryRegion);
  const ours = new Set([...estate.instances.web, ...estate.instances.api]);
  const byInstance = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await ec2.send(new DescribeVolumesCommand({ MaxResults: 500, NextToken: token }));
    for (const volume of page.Volumes ?? []) {
      const instance = volume.Attachments?.[0]?.InstanceId;
      if (instance && ours.has(instance))
        byInstance.set(instance, (byInstance.get(instance) ?? 0) + (volume.Size ?? 0));
    }
    token = page.NextToken;
  } while (token);
  const rds = clients.rds(estate.primaryRegion);
  const storage: number[] = [];
  let marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBInstancesCommand({ Marker: marker }));
    for (const db of page.DBInstances ?? [])
      if (estate.databases.includes(db.DBInstanceIdentifier ?? '')) storage.push(db.AllocatedStorage ?? 0);
    marker = page.Marker;
  } while (marker);
  return { instanceGiB: Math.max(0, ...byInstance.values()), databaseGiB: Math.max(0, ...storage) };
}
