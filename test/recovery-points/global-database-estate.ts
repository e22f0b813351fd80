/**
 * A moto Aurora global database for tests: `shop-global`, its writer cluster `<cluster>` in the
 * primary region and a secondary `<cluster>-west` in the recovery region, with one instance
 * (`<cluster>-west-1`) unless the test wants a headless secondary.
 */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  CreateGlobalClusterCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';

export interface GlobalDatabaseEstate {
  readonly primary: string;
  readonly recovery: string;
  readonly cluster: string;
  /** @default true */
  readonly secondaryInstances?: boolean;
}

export async function createGlobalDatabase(
  rds: (region: string) => RDSClient,
  { primary, recovery, cluster, secondaryInstances = true }: GlobalDatabaseEstate,
): Promise<void> {
  await rds(primary).send(
    new CreateGlobalClusterCommand({ GlobalClusterIdentifier: 'shop-global', Engine: 'aurora-postgresql' }),
  );
  await rds(primary).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: cluster,
      Engine: 'aurora-postgresql',
      MasterUsername: 'orders',
      MasterUserPassword: 'orders-password',
      GlobalClusterIdentifier: 'shop-global',
    }),
  );
  await rds(recovery).send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: `${cluster}-west`,
      Engine: 'aurora-postgresql',
      GlobalClusterIdentifier: 'shop-global',
    }),
  );
  if (secondaryInstances)
    await rds(recovery).send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: `${cluster}-west-1`,
        DBClusterIdentifier: `${cluster}-west`,
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
      }),
    );
}
