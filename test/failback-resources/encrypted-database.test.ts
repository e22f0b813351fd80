/**
 * A database encrypted with a customer managed key, through protect → failover → home again, every
 * task as its deployed role runs it (the KMS use AWS checks included): the recovery copy is under
 * the recovery region's key, the home copy under the primary's.
 */
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFinaliseHomeHandler } from '../../lambdas/handlers/finalise-home';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { createEstateKeys, type EstateKeys } from '../support/estate-keys';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import {
  afterLagReading,
  type FailedOverEstate,
  failedOverEstate,
  PRIMARY,
  RECOVERY,
  syncThroughFreeze,
} from './failed-over-estate';

const aws = localAwsForTests(RECOVERY);
const health = healthEndpointForTests();

async function database(f: FailedOverEstate, region: string, id: string) {
  const { DBInstances = [] } = await f
    .clients()
    .rds(region)
    .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  return DBInstances[0];
}

describe.each(['replica', 'snapshot'] as const)(
  'a CMK-encrypted database (%s)',
  { timeout: 200_000 },
  (strategy) => {
    let f: FailedOverEstate;
    let keys: EstateKeys;
    let restore: () => void;

    beforeEach(async () => {
      // Prepare: keys in both regions (the primary's named by alias), the database under the
      // primary's, protected and failed over by the deployed workflows.
      await aws.reset();
      keys = await createEstateKeys(PRIMARY, RECOVERY);
      f = await failedOverEstate({ healthUrl: health.url(), strategy, keys });
      restore = f.useTaskEnvironment();
    }, 200_000);
    afterEach(() => restore?.());

    it('is recovered under the recovery key and brought home under the primary key', async () => {
      // Assess: the failover copy
      const recovered = await database(f, RECOVERY, f.recoveryDb);
      expect(recovered).toMatchObject({ StorageEncrypted: true, KmsKeyId: keys.arns[RECOVERY] });

      // Act: bring it home and make it the primary
      const sync = await syncThroughFreeze(f, { clients: f.clients() })({ run: f.run });
      expect(sync.ready, JSON.stringify(sync.laggards)).toBe(true);
      const finalise = f.asTask(
        'finalise-home',
        makeFinaliseHomeHandler({ clients: f.clients(), now: afterLagReading }),
      );
      await finalise({ run: f.run });

      // Assess: the home database (and, by snapshot, its copy) under the primary's key
      const { DBInstances = [] } = await f.clients().rds(PRIMARY).send(new DescribeDBInstancesCommand({}));
      // The one failback made (it now carries the plan's identifier), from the recovery database.
      const home = DBInstances.filter((d) => tagMap(d.TagList)[TAG.failback] === f.run.failbackId);
      expect(home.map((d) => d.DBInstanceIdentifier)).toEqual(['shop-db']);
      for (const db of home)
        expect(db).toMatchObject({ StorageEncrypted: true, KmsKeyId: keys.arns[PRIMARY] });
      if (strategy === 'snapshot') {
        const { DBSnapshots = [] } = await f.clients().rds(PRIMARY).send(new DescribeDBSnapshotsCommand({}));
        const copies = DBSnapshots.filter((s) => s.DBSnapshotIdentifier?.includes('-fb-'));
        for (const copy of copies)
          expect(copy).toMatchObject({ Encrypted: true, KmsKeyId: keys.arns[PRIMARY] });
      }
    });
  },
);
