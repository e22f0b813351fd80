/**
 * What reconciliation reads of Aurora clusters, against moto: a cluster's instances are not
 * databases of the estate (they would be taken for unknown databases and stop the failback), and
 * which clusters still exist.
 */
import { CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { existingClusters, readRecoveryRegion } from '../../lambdas/failback/gather-failback-state';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { createAuroraCluster } from '../recovery-points/aurora-estate';
import { RECOVERY } from '../recovery-points/estate';
import { localAwsForTests } from '../support/local-aws';
import { samplePlan } from '../support/sample-plan';

describe('reconciliation reading Aurora clusters against moto', () => {
  const aws = localAwsForTests(RECOVERY);

  beforeEach(async () => {
    await aws.reset();
    const rds = createAwsClients().rds(RECOVERY);
    await createAuroraCluster(rds, { id: 'shop-aurora-pf-1a2b3c4d', readers: 2 });
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'someone-elses-db',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        MasterUsername: 'shop',
        MasterUserPassword: 'not-a-secret-1',
        AllocatedStorage: 20,
      }),
    );
  });

  it('lists a cluster as one database of the estate (its writer and readers as none), and other databases still', async () => {
    // Act
    const clients = createAwsClients();
    const state = await readRecoveryRegion(clients.ec2(RECOVERY), clients.rds(RECOVERY), samplePlan());
    // Assess
    expect(state.estate.databases.map((d) => [d.kind ?? 'rds', d.id])).toEqual([
      ['rds', 'someone-elses-db'],
      ['aurora', 'shop-aurora-pf-1a2b3c4d'],
    ]);
  });

  it('finds the clusters that still exist, and not the ones that are gone', async () => {
    const found = await existingClusters(createAwsClients().rds(RECOVERY), [
      'shop-aurora-pf-1a2b3c4d',
      'shop-aurora-gone',
    ]);
    expect(found).toEqual(['shop-aurora-pf-1a2b3c4d']);
    expect(await existingClusters(createAwsClients().rds(RECOVERY), [])).toEqual([]);
  });
});
