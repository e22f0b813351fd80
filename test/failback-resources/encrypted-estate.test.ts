/**
 * An estate encrypted with customer managed keys (the database, and every instance's root and data
 * volume), through protect → failover → home again, every task as its deployed role runs it (the
 * KMS use AWS checks included): the recovery copies are under the recovery region's key, the home
 * copies under the primary's, every volume present at its size.
 */
import { DescribeInstancesCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFinaliseHomeHandler } from '../../lambdas/handlers/finalise-home';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { createEstateKeys, type EstateKeys } from '../support/estate-keys';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import {
  afterLagReading,
  describeDatabase,
  type FailedOverEstate,
  failedOverEstate,
  PRIMARY,
  RECOVERY,
  syncThroughFreeze,
} from './failed-over-estate';

const aws = localAwsForTests(RECOVERY);
const health = healthEndpointForTests();

/** Each instance's volumes as `device size key`, sorted. */
async function volumesOf(f: FailedOverEstate, region: string, instanceIds: readonly string[]) {
  const { Volumes = [] } = await f
    .clients()
    .ec2(region)
    .send(
      new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [...instanceIds] }] }),
    );
  const byInstance = new Map<string, string[]>(instanceIds.map((id) => [id, []]));
  for (const v of Volumes)
    byInstance
      .get(v.Attachments?.[0]?.InstanceId ?? '')
      ?.push(`${v.Attachments?.[0]?.Device} ${v.Size} ${v.Encrypted ? v.KmsKeyId : 'unencrypted'}`);
  return [...byInstance.values()].map((v) => v.sort());
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
      // Assess: the failover copies
      const recovered = await describeDatabase(f, RECOVERY, f.recoveryDb);
      expect(recovered).toMatchObject({ StorageEncrypted: true, KmsKeyId: keys.arns[RECOVERY] });
      const recoveredInstances = f.inventory.filter((e) => e.kind === 'ec2').map((e) => e.recovered);
      const live = recoveredInstances.filter((id) => id !== f.terminatedId);
      for (const volumes of await volumesOf(f, RECOVERY, live))
        expect(volumes).toEqual([`/dev/sda1 8 ${keys.arns[RECOVERY]}`, `/dev/sdf 20 ${keys.arns[RECOVERY]}`]);

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
      const { Reservations = [] } = await f
        .clients()
        .ec2(PRIMARY)
        .send(
          new DescribeInstancesCommand({
            Filters: [{ Name: `tag:${TAG.failback}`, Values: [f.run.failbackId] }],
          }),
        );
      const homeInstances = Reservations.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '');
      // Every recovered instance but the terminated one comes home; the one added by hand has a root only.
      expect(homeInstances.length).toBe(live.length + 1);
      const homeVolumes = await volumesOf(f, PRIMARY, homeInstances);
      expect(homeVolumes.filter((v) => v.length === 2)).toEqual(
        live.map(() => [`/dev/sda1 8 ${keys.arns[PRIMARY]}`, `/dev/sdf 20 ${keys.arns[PRIMARY]}`]),
      );
      if (strategy === 'snapshot') {
        const { DBSnapshots = [] } = await f.clients().rds(PRIMARY).send(new DescribeDBSnapshotsCommand({}));
        const copies = DBSnapshots.filter((s) => s.DBSnapshotIdentifier?.includes('-fb-'));
        for (const copy of copies)
          expect(copy).toMatchObject({ Encrypted: true, KmsKeyId: keys.arns[PRIMARY] });
      }
    });
  },
);
