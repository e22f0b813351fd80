/**
 * An Aurora cluster in moto as an estate has one: the cluster (optionally under a customer managed
 * key), a writer and some readers.
 */
import { CreateDBClusterCommand, CreateDBInstanceCommand, type RDSClient } from '@aws-sdk/client-rds';

export interface AuroraClusterSpec {
  readonly id: string;
  readonly readers?: number;
  readonly kmsKeyId?: string;
  readonly writerClass?: string;
  readonly tags?: Record<string, string>;
}

export async function createAuroraCluster(rds: RDSClient, spec: AuroraClusterSpec): Promise<void> {
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: spec.id,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'shop',
      MasterUserPassword: 'not-a-secret-1',
      ...(spec.kmsKeyId ? { StorageEncrypted: true, KmsKeyId: spec.kmsKeyId } : {}),
      ...(spec.tags ? { Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })) } : {}),
    }),
  );
  // The first instance of a cluster is its writer; the rest are readers.
  const classes = [spec.writerClass ?? 'db.r6g.large', ...Array(spec.readers ?? 1).fill('db.r6g.medium')];
  for (const [index, DBInstanceClass] of classes.entries())
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: `${spec.id}-${index === 0 ? 'writer' : `reader-${index}`}`,
        DBClusterIdentifier: spec.id,
        DBInstanceClass,
        Engine: 'aurora-postgresql',
      }),
    );
}
