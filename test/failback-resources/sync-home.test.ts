import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
/**
 * Bringing the new primary up in us-east-1 from the recovery copies in us-west-2, and making it the
 * primary (finalise), against moto, from a real protect + failover of the sample estate.
 */
import { DescribeImagesCommand, DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ESTATE_TAGS } from '../../examples/sample-estate';
import type { HomeInventory } from '../../lambdas/failback/home-inventory';
import { homeInventoryKey } from '../../lambdas/failback/home-inventory';
import { describeInstancesById } from '../../lambdas/failover/ec2-recovery';
import { episodeSuffix } from '../../lambdas/failover/failover-run';
import { makeFinaliseHomeHandler } from '../../lambdas/handlers/finalise-home';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import {
  afterLagReading,
  type FailedOverEstate,
  failedOverEstate,
  PRIMARY,
  RECOVERY,
  syncThroughFreeze,
  withImagesPending,
} from './failed-over-estate';

const aws = localAwsForTests(RECOVERY);
const health = healthEndpointForTests();

async function homeInstances(f: FailedOverEstate): Promise<Instance[]> {
  const { Reservations = [] } = await f
    .clients()
    .ec2(PRIMARY)
    .send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG.failback}`, Values: [f.run.failbackId] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      }),
    );
  return Reservations.flatMap((r) => r.Instances ?? []);
}

async function primaryDatabases(f: FailedOverEstate) {
  const { DBInstances = [] } = await f.clients().rds(PRIMARY).send(new DescribeDBInstancesCommand({}));
  return DBInstances;
}

describe.each(['replica', 'snapshot'] as const)(
  'bringing the primary home (%s)',
  { timeout: 150_000 },
  (strategy) => {
    let f: FailedOverEstate;
    // Each handler as its deployed task runs it: its calls authorized against its synthesized role.
    const syncHome = (clients = f.clients()) => syncThroughFreeze(f, { clients });
    const finaliseHome = (clients = f.clients()) =>
      f.asTask('finalise-home', makeFinaliseHomeHandler({ clients, now: afterLagReading }));
    let restore: () => void;
    const suffix = () => episodeSuffix(f.run.failbackId);

    beforeEach(async () => {
      // Prepare: the sample estate failed over, a web instance added and an api instance terminated.
      await aws.reset();
      f = await failedOverEstate({ healthUrl: health.url(), strategy });
      restore = f.useTaskEnvironment();
    }, 150_000);
    afterEach(() => restore?.());

    it('brings every live recovery instance home where its stale source runs, with its tags, and the database from the recovery copy', async () => {
      // Act
      const result = await syncHome()({ run: f.run });

      // Assess: the answer
      expect(result).toMatchObject({ ready: true, created: 5, reused: 0, total: 5, laggards: [] });

      // Assess: one home instance per planned recovery instance, none for the terminated one
      const instances = await homeInstances(f);
      const bySource = new Map(instances.map((i) => [tagMap(i.Tags)[TAG.source], i]));
      expect([...bySource.keys()].sort()).toEqual(f.resources.instances.map((i) => i.recoveryId).sort());
      expect(bySource.has(f.terminatedId)).toBe(false);
      const stale = await describeInstancesById(
        f.clients().ec2(PRIMARY),
        f.resources.stale.filter((s) => s.kind === 'ec2').map((s) => s.id),
      );
      for (const want of f.resources.instances) {
        const home = bySource.get(want.recoveryId) as Instance;
        const tags = tagMap(home.Tags);
        expect(tags).toMatchObject({
          [TAG.app]: 'shop',
          [TAG.tier]: 'app',
          [TAG.role]: want.role,
          [TAG.failback]: f.run.failbackId,
          [TAG.run]: f.run.runId,
          'pendulum-role': want.role, // the plan's tag selector finds it after failback
        });
        const donor = want.source
          ? stale.get(want.source)
          : [...stale.values()].find((i) => tagMap(i.Tags)['pendulum-role'] === want.role);
        expect(home.SubnetId).toBe(donor?.SubnetId);
        expect(home.SecurityGroups?.map((g) => g.GroupId)).toEqual(
          donor?.SecurityGroups?.map((g) => g.GroupId),
        );
        expect(home.InstanceType).toBe(donor?.InstanceType);
        if (want.source) expect(tags.Name).toBe(tagMap(stale.get(want.source)?.Tags).Name);
      }
      expect(tagMap(bySource.get(f.addedId)?.Tags).Name).toBe('shop-web-extra');

      // Assess: launched from tagged copies of images of the recovery instances; no image left in us-west-2
      const { Images: copies = [] } = await f
        .clients()
        .ec2(PRIMARY)
        .send(
          new DescribeImagesCommand({
            Owners: ['self'],
            Filters: [{ Name: `tag:${TAG.failback}`, Values: [f.run.failbackId] }],
          }),
        );
      expect(copies.map((i) => i.ImageId).sort()).toEqual(instances.map((i) => i.ImageId).sort());
      const { Images: intermediates = [] } = await f
        .clients()
        .ec2(RECOVERY)
        .send(
          new DescribeImagesCommand({
            Owners: ['self'],
            Filters: [{ Name: `tag:${TAG.failback}`, Values: [f.run.failbackId] }],
          }),
        );
      expect(intermediates).toEqual([]);

      // Assess: the database came from the recovery copy
      const homeDb = (await primaryDatabases(f)).find(
        (d) => d.DBInstanceIdentifier === `shop-db-fb-${suffix()}`,
      );
      expect(homeDb?.DBInstanceStatus).toBe('available');
      expect(homeDb?.DBSubnetGroup?.DBSubnetGroupName).toBe('shop-primary-db'); // placed like the stale primary
      expect(tagMap(homeDb?.TagList)).toMatchObject({
        [TAG.source]: 'shop-db',
        [TAG.failback]: f.run.failbackId,
      });
      const recoveryArn = `arn:aws:rds:${RECOVERY}:123456789012:db:${f.recoveryDb}`;
      if (strategy === 'replica') {
        expect(homeDb?.ReadReplicaSourceDBInstanceIdentifier).toBe(recoveryArn);
      } else {
        expect(homeDb?.ReadReplicaSourceDBInstanceIdentifier).toBeUndefined();
        // The final sync's snapshot, named for the write freeze it follows
        const { DBSnapshots: all = [] } = await f
          .clients()
          .rds(PRIMARY)
          .send(new DescribeDBSnapshotsCommand({}));
        const DBSnapshots = all.filter((s) =>
          new RegExp(`^pendulum-shop-fb-${suffix()}-shop-db-f[0-9a-z]+$`).test(s.DBSnapshotIdentifier ?? ''),
        );
        expect(DBSnapshots).toHaveLength(1);
        expect(DBSnapshots[0]?.DBInstanceIdentifier).toBe(f.recoveryDb);
        expect(tagMap(DBSnapshots[0]?.TagList)['pendulum:failback-from']).toBe(f.recoveryDb);
        const { DBSnapshots: leftInWest = [] } = await f
          .clients()
          .rds(RECOVERY)
          .send(new DescribeDBSnapshotsCommand({}));
        expect(leftInWest.filter((s) => s.DBSnapshotIdentifier?.includes('-fb-'))).toEqual([]);
      }
      // The stale primary database is untouched.
      expect(
        tagMap((await primaryDatabases(f)).find((d) => d.DBInstanceIdentifier === 'shop-db')?.TagList),
      ).toEqual({ ...ESTATE_TAGS, app: 'shop' });

      // Assess: the home inventory
      const inventory = await f.artifacts.getJson<HomeInventory>(homeInventoryKey(f.run));
      expect(inventory).toMatchObject({
        region: PRIMARY,
        recoveryRegion: RECOVERY,
        failbackId: f.run.failbackId,
      });
      expect(inventory.readyAt).toBeDefined();
      expect(inventory.resources).toHaveLength(5);
      for (const r of inventory.resources) {
        expect(r.homeId).toBeDefined();
        expect(r.created).toBe(true);
        expect(r.state).toBe(r.kind === 'ec2' ? 'running' : 'available');
        if (r.kind === 'ec2') expect(r.privateIp).toMatch(/^10\.10\./);
        else
          expect(r).toMatchObject({
            source: 'shop-db',
            recoveryId: f.recoveryDb,
            strategy,
            endpoint: expect.stringContaining(`shop-db-fb-${suffix()}`),
          });
      }
    });

    it('a second sync finds everything the first made and creates nothing', async () => {
      // Prepare
      const sync = syncHome();
      const first = await sync({ run: f.run });
      const before = await f.artifacts.getJson<HomeInventory>(homeInventoryKey(f.run));

      // Act
      const second = await sync({ run: f.run });

      // Assess
      expect(first.created).toBe(5);
      expect(second).toMatchObject({ ready: true, created: 0, reused: 5 });
      expect(await homeInstances(f)).toHaveLength(5 - 1);
      expect(
        (await primaryDatabases(f)).filter((d) => d.DBInstanceIdentifier?.startsWith('shop-db-fb-')),
      ).toHaveLength(1);
      const after = await f.artifacts.getJson<HomeInventory>(homeInventoryKey(f.run));
      expect(after.startedAt).toBe(before.startedAt);
      expect(after.resources.map((r) => r.homeId)).toEqual(before.resources.map((r) => r.homeId));
    });

    it.runIf(strategy === 'snapshot')(
      'waits for the new primary past the longest RTO, up to failback.syncCap, then fails naming what is still pending',
      async () => {
        // Prepare: the image copies stay pending, as a large cross-region copy does for hours
        const t0 = new Date();
        const at = (hours: number) =>
          syncThroughFreeze(f, {
            clients: withImagesPending(f.clients()),
            now: () => new Date(t0.getTime() + hours * 3_600_000),
          });
        expect(await at(0)({ run: f.run })).toMatchObject({ ready: false, pollSeconds: 30 });

        // Act + Assess: two hours on, twice the longest RTO (1h), it is still waiting, polling less often
        expect(await at(2)({ run: f.run })).toMatchObject({ ready: false, pollSeconds: 300 });

        // Act + Assess: past the 48h cap it fails, naming the cap and the instances still pending
        const error = await at(48.01)({ run: f.run }).catch((e: Error) => e);
        expect(error).toMatchObject({ name: 'ReadyTimeoutError' });
        expect((error as Error).message).toMatch(/failback\.syncCap 172800s/);
        for (const want of f.resources.instances) expect((error as Error).message).toContain(want.recoveryId);
      },
    );

    it.runIf(strategy === 'replica')(
      'finalise does not promote a replica that is still behind the recovery database',
      async () => {
        // Prepare: the home replica reports 30 s of ReplicaLag, as RDS would publish it
        await syncHome()({ run: f.run });
        const inventory = await f.artifacts.getJson<HomeInventory>(homeInventoryKey(f.run));
        const homeId = inventory.resources.find((r) => r.kind === 'rds')?.homeId ?? '';
        await f
          .clients()
          .cloudWatch('us-east-1')
          .send(
            new PutMetricDataCommand({
              Namespace: 'AWS/RDS',
              MetricData: [
                {
                  MetricName: 'ReplicaLag',
                  Dimensions: [{ Name: 'DBInstanceIdentifier', Value: homeId }],
                  // a minute after the freeze, as the next reading would be
                  Timestamp: new Date(Date.now() + 60_000),
                  Value: 30,
                  Unit: 'Seconds',
                },
              ],
            }),
          );

        // Act + Assess: not ready, nothing promoted or renamed
        expect(await finaliseHome()({ run: f.run })).toMatchObject({
          finished: false,
          waiting: [expect.stringMatching(/30s behind/)],
          promoted: 0,
        });
        const dbs = await primaryDatabases(f);
        expect(
          dbs.find((d) => d.DBInstanceIdentifier === homeId)?.ReadReplicaSourceDBInstanceIdentifier,
        ).toBeDefined();
        expect(dbs.map((d) => d.DBInstanceIdentifier)).not.toContain(`shop-db-stale-${suffix()}`);
      },
    );

    it.runIf(strategy === 'snapshot')(
      'finalise starts a stopped stale primary so that it can set it aside',
      async () => {
        // Prepare: someone stopped the stale primary while the app ran in the recovery region
        await syncHome()({ run: f.run });
        await f
          .clients()
          .rds(PRIMARY)
          .send(new StopDBInstanceCommand({ DBInstanceIdentifier: 'shop-db' }));
        const finalise = finaliseHome();

        // Act: the first call starts it and waits; once it runs, the next renames it aside
        expect(await finalise({ run: f.run })).toMatchObject({ finished: false });
        const second = await finalise({ run: f.run });

        // Assess
        expect(second).toMatchObject({ finished: true, renamed: 2, databases: 1 });
        expect((await primaryDatabases(f)).map((d) => d.DBInstanceIdentifier).sort()).toEqual([
          'shop-db',
          `shop-db-stale-${suffix()}`,
        ]);
      },
    );

    it('finalise makes the home database shop-db and sets the stale one aside; a second finalise does nothing', async () => {
      // Prepare
      await syncHome()({ run: f.run });
      const finalise = finaliseHome();

      // Act
      const first = await finalise({ run: f.run });
      const second = await finalise({ run: f.run });

      // Assess
      expect(first).toMatchObject({
        finished: true,
        promoted: strategy === 'replica' ? 1 : 0,
        renamed: 2,
        databases: 1,
      });
      expect(second).toMatchObject({ finished: true, promoted: 0, renamed: 0, databases: 1 });
      const dbs = await primaryDatabases(f);
      expect(dbs.map((d) => d.DBInstanceIdentifier).sort()).toEqual(['shop-db', `shop-db-stale-${suffix()}`]);
      const home = dbs.find((d) => d.DBInstanceIdentifier === 'shop-db');
      expect(tagMap(home?.TagList)[TAG.failback]).toBe(f.run.failbackId);
      const stale = dbs.find((d) => d.DBInstanceIdentifier === `shop-db-stale-${suffix()}`);
      expect(tagMap(stale?.TagList)).toMatchObject({ app: 'shop', 'pendulum:stale': f.run.failbackId });
      const inventory = await f.artifacts.getJson<HomeInventory>(homeInventoryKey(f.run));
      expect(inventory.finalisedAt).toBeDefined();
      expect(inventory.resources.find((r) => r.kind === 'rds')).toMatchObject({
        homeId: 'shop-db',
        endpoint: home?.Endpoint?.Address,
        promoted: true,
        staleId: `shop-db-stale-${suffix()}`,
      });

      // A later sync (a re-driven execution) still finds the finalised database, makes nothing.
      const resync = await syncHome()({ run: f.run });
      expect(resync).toMatchObject({ ready: true, created: 0, reused: 5 });
      expect(
        (await f.artifacts.getJson<HomeInventory>(homeInventoryKey(f.run))).resources.find(
          (r) => r.kind === 'rds',
        ),
      ).toMatchObject({ homeId: 'shop-db', promoted: true });
    });
  },
);

describe('refusals', { timeout: 150_000 }, () => {
  let f: FailedOverEstate;
  // Each handler as its deployed task runs it: its calls authorized against its synthesized role.
  const syncHome = (clients = f.clients()) => syncThroughFreeze(f, { clients });
  const finaliseHome = (clients = f.clients()) =>
    f.asTask('finalise-home', makeFinaliseHomeHandler({ clients, now: afterLagReading }));
  let restore: () => void;

  beforeEach(async () => {
    await aws.reset();
    f = await failedOverEstate({ healthUrl: health.url(), strategy: 'replica' });
    restore = f.useTaskEnvironment();
  }, 150_000);
  afterEach(() => restore?.());

  it('refuses, naming role and region, to bring home an instance whose role has no stale instance to copy placement from, before making anything', async () => {
    // Prepare: a role nothing in the primary region runs
    const resources = {
      ...f.resources,
      instances: f.resources.instances.map((i) => (i.recoveryId === f.addedId ? { ...i, role: 'batch' } : i)),
    };
    await f.artifacts.putJson(`runs/shop/${f.run.runId}/reconciliation.json`, { resources });

    // Act
    const error = await syncHome()({ run: f.run }).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidInputError' });
    expect((error as Error).message).toMatch(/role batch in us-east-1/);
    expect(await homeInstances(f)).toEqual([]);
    const { Images = [] } = await f
      .clients()
      .ec2(RECOVERY)
      .send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: `tag:${TAG.failback}`, Values: [f.run.failbackId] }],
        }),
      );
    expect(Images).toEqual([]);
  });

  it('refuses a malformed run and a plan for other regions', async () => {
    const sync = syncHome();
    await expect(sync({ run: { ...f.run, failbackId: undefined } })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    const error = await sync({ run: { ...f.run, targetRegion: 'eu-west-1' } }).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'InvalidInputError' });
    expect((error as Error).message).toMatch(/us-west-2 → us-east-1/);
  });

  it('finalise refuses when sync-home has not run', async () => {
    await expect(finaliseHome()({ run: f.run })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});
