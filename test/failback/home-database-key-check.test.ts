/**
 * Failback's readiness checks each home database against the key it was made under (recorded on
 * it as it was made), as failover checks a restored one against its point: under another key it is
 * broken, named with both keys, and DNS never moves to it.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HomeInventoryEntry } from '../../lambdas/failback/home-inventory';
import { assessHome } from '../../lambdas/failback/home-readiness';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { localAwsForTests } from '../support/local-aws';

const HOME = 'us-east-1';

describe('home databases are under the key they were made with', () => {
  localAwsForTests(HOME);
  const rds = new RDSClient({ region: HOME });
  let homeKey = '';
  let otherKey = '';

  const database = async (identifier: string, encryptedWith: string, taggedWith: string) => {
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: identifier,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'shop',
        MasterUserPassword: 'test-only-password',
        StorageEncrypted: true,
        KmsKeyId: encryptedWith,
        Tags: [{ Key: TAG.kmsKey, Value: taggedWith }],
      }),
    );
  };
  const entry = (homeId: string): HomeInventoryEntry => ({
    kind: 'rds',
    role: 'shop-db',
    tier: 'data',
    source: 'shop-db',
    recoveryId: `${homeId}-recovery`,
    homeId,
    state: 'creating',
    created: true,
  });

  beforeAll(async () => {
    // Prepare: the key failback copies under, and another one.
    const kms = new KMSClient({ region: HOME });
    homeKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
    otherKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
    await database('shop-db-fb-right', homeKey, homeKey);
    await database('shop-db-fb-wrong', otherKey, homeKey);
  });

  it('is ready under its key', async () => {
    const readiness = await assessHome(createAwsClients(), HOME, [entry('shop-db-fb-right')], []);
    expect(readiness.broken).toEqual([]);
    expect(readiness.ready).toBe(true);
  });

  it('is broken under another key, naming both', async () => {
    const readiness = await assessHome(createAwsClients(), HOME, [entry('shop-db-fb-wrong')], []);
    expect(readiness.ready).toBe(false);
    expect(readiness.broken).toEqual([
      {
        id: 'shop-db-fb-wrong',
        state: 'available',
        reason: `home database shop-db-fb-wrong: encrypted with ${otherKey}; expected ${homeKey}`,
      },
    ]);
  });
});
