/**
 * While failed over, protection follows production: a protect run images the recovered instances
 * and snapshots the recovered database in the recovery region, keeps those points there and copies
 * them to the primary region, and never touches the stale primary. Synthesized workflows, real
 * handlers (IAM enforced), moto.
 */
import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { type DBSnapshot, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import type { HomeInventory } from '../../lambdas/failback/home-inventory';
import type { PublishRpoAgeResult } from '../../lambdas/handlers/publish-rpo-age';
import { REVERSE_POINT_KIND, TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { runScheduleTarget } from '../../local/scheduled-target';
import { healthEndpointForTests } from '../support/health-endpoint';
import { startWebInstance } from '../support/live-instances';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';

const tag = (tags: { Key?: string; Value?: string }[] | undefined, key: string) =>
  tags?.find((t) => t.Key === key)?.Value;

async function images(region: string): Promise<Image[]> {
  return (
    (
      await clients()
        .ec2(region)
        .send(new DescribeImagesCommand({ Owners: ['self'] }))
    ).Images ?? []
  );
}

async function dbSnapshots(region: string): Promise<DBSnapshot[]> {
  return (
    (
      await clients()
        .rds(region)
        .send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }))
    ).DBSnapshots ?? []
  );
}

type Tagged = Image | DBSnapshot;
const tagsOf = (r: Tagged) => ('TagList' in r ? r.TagList : (r as Image).Tags);
/** What people do during a failover: a web instance launched by hand, with the role's tag only. */
const addWebInstance = (name: string) => startWebInstance(RECOVERY, name);

const reverse = <T extends Tagged>(items: T[]) =>
  items.filter((i) => tag(tagsOf(i), TAG.kind) === REVERSE_POINT_KIND);

describe('protection while failed over (reverse protection)', () => {
  let estate: SampleEstate;
  let stack: LocalStack;
  let inventory: { kind: 'ec2' | 'rds'; source: string; recovered: string }[];
  let forwardBefore: string[];
  /** An instance added to the web role in the recovery region during the failover (no pendulum:app). */
  let addedDuringFailover: string;

  beforeAll(async () => {
    await aws.reset();
    const plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '1h' };
      p.protection = { ...p.protection, retain: 2 };
    });
    estate = await createSampleEstate(clients());
    stack = await deployLocalStack(plan);
    const first = await stack.run('protect', {}, { executionName: 'protect-before' });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const failover = await stack.run('failover', {});
    expect(failover.status, failover.cause).toBe('SUCCEEDED');
    const app = await new StateTable(clients().dynamo(), stack.tableName).getApp('shop', PRIMARY);
    expect(app.status).toBe('FAILED_OVER');
    inventory = (
      await new ArtifactStore(clients().s3(), stack.bucketName).getJson<{ inventory: typeof inventory }>(
        String(app.outcomeKey),
      )
    ).inventory;
    addedDuringFailover = await addWebInstance('web-added-during-failover');
    forwardBefore = (await images(RECOVERY))
      .filter((i) => tag(i.Tags, TAG.kind) === 'recovery-point')
      .map((i) => i.ImageId as string)
      .sort();
  }, 120_000);

  /** What the RPO schedule does every period: publish-rpo-age as its deployed role. */
  const publishRpo = async () => {
    // The plan is embedded in the bundle at synth time; locally it rides in the environment.
    const saved = process.env.PENDULUM_PLAN;
    process.env.PENDULUM_PLAN = JSON.stringify(stack.plan);
    try {
      const run = await runScheduleTarget({
        template: stack.template,
        schedule: 'RpoMonitoringSchedule',
        resolve: { region: stack.region, stackName: stack.stackName, accountId: '123456789012' },
      });
      return run.result as PublishRpoAgeResult;
    } finally {
      if (saved === undefined) delete process.env.PENDULUM_PLAN;
      else process.env.PENDULUM_PLAN = saved;
    }
  };

  it('makes points of the recovery-region instances and database, kept there and copied to the primary, none of the stale primary', async () => {
    // Prepare: right after the failover nothing protects the recovered estate yet, and RPO says so
    const unprotected = await publishRpo();

    // Act
    const run = await stack.run('protect', {}, { executionName: 'protect-while-failed-over' });
    const rpo = await publishRpo();

    // Assess: the run
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    const recoveredInstances = inventory
      .filter((r) => r.kind === 'ec2')
      .map((r) => r.recovered)
      .sort();
    const recoveredDb = inventory.find((r) => r.kind === 'rds')?.recovered as string;
    const stale = [...estate.instances.web, ...estate.instances.api, 'shop-db'];
    expect(recoveredInstances.length).toBeGreaterThan(0);
    expect(run.output).toMatchObject({
      results: [
        { tier: 'data', done: true, captured: 1 },
        { tier: 'app', done: true, captured: recoveredInstances.length + 1 },
      ],
    });

    // Instances: one reverse point per recovered instance in each region, standing for its origin,
    // and one of the instance added to the role during the failover (it stands for nothing older)
    for (const region of [RECOVERY, PRIMARY]) {
      const points = reverse(await images(region));
      expect(points.map((i) => tag(i.Tags, TAG.source)).sort(), region).toEqual(
        [...recoveredInstances, addedDuringFailover].sort(),
      );
      for (const point of points) {
        expect(tag(point.Tags, TAG.protectRun)).toBe('protect-while-failed-over');
        const entry = inventory.find((r) => r.recovered === tag(point.Tags, TAG.source));
        expect(tag(point.Tags, TAG.origin)).toBe(entry?.source);
        expect(tag(point.Tags, TAG.role)).toMatch(/^(web|api)$/);
        expect(point.Name).toMatch(/^pendulum-shop-rv-/);
      }
    }
    // Database: a reverse snapshot of the recovered database in each region
    for (const region of [RECOVERY, PRIMARY]) {
      const points = reverse(await dbSnapshots(region));
      expect(
        points.map((s) => tag(s.TagList, TAG.source)),
        region,
      ).toEqual([recoveredDb]);
      expect(points[0]?.DBSnapshotIdentifier).toMatch(/^pendulum-shop-rv-/);
      expect(tag(points[0]?.TagList, TAG.origin)).toBe('shop-db');
    }

    // Nothing of the stale primary was imaged or snapshotted by this run
    const thisRun = [
      ...(await images(PRIMARY)),
      ...(await images(RECOVERY)),
      ...(await dbSnapshots(PRIMARY)),
      ...(await dbSnapshots(RECOVERY)),
    ].filter((r) => tag(tagsOf(r), TAG.protectRun) === 'protect-while-failed-over');
    const sources = thisRun.map((r) => tag(tagsOf(r), TAG.source));
    expect(sources.filter((s) => stale.includes(s ?? ''))).toEqual([]);
    // RPO follows: measured on the reverse copies in the primary, same tiers (and alarms)
    expect(unprotected).toMatchObject({ direction: 'reverse', region: PRIMARY });
    expect(unprotected.tiers.every((t) => t.worstAgeSeconds === 'missing' && !t.withinRpo)).toBe(true);
    expect(rpo).toMatchObject({ direction: 'reverse', region: PRIMARY });
    expect(rpo.tiers.map((t) => [t.tier, t.resourcesWithoutRecoveryPoint, t.withinRpo])).toEqual([
      ['data', 0, true],
      ['app', 0, true],
    ]);

    // The forward points failover chose from are left as they were: reverse points are not theirs
    expect(
      (await images(RECOVERY))
        .filter((i) => tag(i.Tags, TAG.kind) === 'recovery-point')
        .map((i) => i.ImageId as string)
        .sort(),
    ).toEqual(forwardBefore);
  });

  it("keeps the plan's retention of reverse points in both regions, never the newest", async () => {
    // Act: two more runs while failed over (retain is 2)
    for (const executionName of ['protect-while-failed-over-2', 'protect-while-failed-over-3'])
      expect((await stack.run('protect', {}, { executionName })).status).toBe('SUCCEEDED');

    // Assess: per recovered resource, the two newest runs' points in each region
    for (const region of [RECOVERY, PRIMARY]) {
      const runs = [...reverse(await images(region)), ...reverse(await dbSnapshots(region))].map((r) =>
        tag(tagsOf(r), TAG.protectRun),
      );
      const perRun = (run: string) => runs.filter((r) => r === run).length;
      expect(perRun('protect-while-failed-over'), region).toBe(0);
      expect(perRun('protect-while-failed-over-2'), region).toBe(inventory.length + 1);
      expect(perRun('protect-while-failed-over-3'), region).toBe(inventory.length + 1);
    }
  });

  it('failback that follows copies on top of those points, reports what was left to copy, and leaves the points in place', async () => {
    // Prepare: the newest reverse copy in the primary region (the last run's), by the recovery resource
    const newest = (r: Tagged) => tag(tagsOf(r), TAG.protectRun) === 'protect-while-failed-over-3';
    const copies = new Map(
      reverse(await images(PRIMARY))
        .filter(newest)
        .map((i) => [tag(i.Tags, TAG.source) as string, i.ImageId as string]),
    );
    const dbCopies = new Map(
      reverse(await dbSnapshots(PRIMARY))
        .filter(newest)
        .map((s) => [tag(s.TagList, TAG.source) as string, s.DBSnapshotIdentifier as string]),
    );
    const allBefore = {
      images: reverse(await images(PRIMARY))
        .map((i) => i.ImageId as string)
        .sort(),
      snapshots: reverse(await dbSnapshots(PRIMARY))
        .map((s) => s.DBSnapshotIdentifier as string)
        .sort(),
    };
    expect(copies.size).toBeGreaterThan(0);

    // An instance added after the last protect run has no reverse point yet
    const addedLate = await addWebInstance('web-added-after-protection');

    // Act
    const failback = await stack.run('failback', {});

    // Assess: the sync reported, per resource, the reverse point its copy built on
    expect(failback.status, `${failback.error}: ${failback.cause}`).toBe('SUCCEEDED');
    // The final sync (after the write freeze) is the last to write the inventory: databases included.
    const syncs = failback.taskInvocations.filter((t) => t.stateName === 'FinalSync');
    const lastSync = syncs[syncs.length - 1]?.output as {
      inventoryKey: string;
      leftToCopy: { incremental: number; full: number };
    };
    const inventory = await new ArtifactStore(clients().s3(), stack.bucketName).getJson<HomeInventory>(
      lastSync.inventoryKey,
    );
    const instances = inventory.resources.filter((r) => r.kind === 'ec2');
    const withPoint = instances.filter((r) => copies.has(r.recoveryId));
    expect(withPoint.length).toBe(copies.size);
    for (const entry of withPoint)
      expect(entry.leftToCopy).toMatchObject({
        copy: 'incremental',
        buildsOn: { id: copies.get(entry.recoveryId) },
      });
    // The instance added after the last protect run has no point: a full copy
    expect(
      instances.filter((r) => !copies.has(r.recoveryId)).map((r) => [r.recoveryId, r.leftToCopy?.copy]),
    ).toEqual([[addedLate, 'full']]);
    const db = inventory.resources.find((r) => r.kind === 'rds');
    expect(db?.leftToCopy).toMatchObject({
      copy: 'incremental',
      buildsOn: { id: dbCopies.get(db?.recoveryId ?? '') },
    });
    expect(lastSync.leftToCopy).toMatchObject({
      incremental: withPoint.length + 1,
      full: instances.length - withPoint.length,
    });

    // The reverse points the copies built on are still there: failback's intermediates are its own
    expect(
      reverse(await images(PRIMARY))
        .map((i) => i.ImageId as string)
        .sort(),
    ).toEqual(allBefore.images);
    expect(
      reverse(await dbSnapshots(PRIMARY))
        .map((s) => s.DBSnapshotIdentifier as string)
        .sort(),
    ).toEqual(allBefore.snapshots);
  }, 120_000);
});
