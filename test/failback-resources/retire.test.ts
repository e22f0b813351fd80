/**
 * Retiring the stale primary (us-east-1) and, after the soak, the recovery copies (us-west-2):
 * a final AMI or snapshot of everything first, nothing deleted without one. Against moto, from a
 * real protect + failover of the sample estate, brought home by sync-home and finalise-home.
 */
import {
  DescribeImagesCommand,
  type Image,
  type Instance,
  ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import {
  type DBSnapshot,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import type { RetirementDocument } from '../../lambdas/failback/retire-resources';
import { describeInstancesById } from '../../lambdas/failover/ec2-recovery';
import { episodeSuffix } from '../../lambdas/failover/failover-run';
import { makeFinaliseHomeHandler } from '../../lambdas/handlers/finalise-home';
import { makeRetireRecoveryCopiesHandler } from '../../lambdas/handlers/retire-recovery-copies';
import { makeRetireStalePrimaryHandler } from '../../lambdas/handlers/retire-stale-primary';
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
  withCreateImageFault,
  withImagesPending,
} from './failed-over-estate';

const aws = localAwsForTests(RECOVERY);
const health = healthEndpointForTests();

async function finalImages(f: FailedOverEstate, region: string): Promise<Image[]> {
  const { Images = [] } = await f
    .clients()
    .ec2(region)
    .send(
      new DescribeImagesCommand({
        Owners: ['self'],
        Filters: [{ Name: 'tag:pendulum:final', Values: ['true'] }],
      }),
    );
  return Images;
}

async function snapshots(f: FailedOverEstate, region: string): Promise<DBSnapshot[]> {
  const { DBSnapshots = [] } = await f.clients().rds(region).send(new DescribeDBSnapshotsCommand({}));
  return DBSnapshots;
}

async function databaseIds(f: FailedOverEstate, region: string): Promise<string[]> {
  const { DBInstances = [] } = await f.clients().rds(region).send(new DescribeDBInstancesCommand({}));
  return DBInstances.map((d) => d.DBInstanceIdentifier ?? '').sort();
}

async function states(f: FailedOverEstate, region: string, ids: string[]): Promise<Record<string, string>> {
  const found = await describeInstancesById(f.clients().ec2(region), ids);
  return Object.fromEntries(
    ids.map((id) => [id, (found.get(id) as Instance | undefined)?.State?.Name ?? 'missing']),
  );
}

describe('retiring what failback leaves behind', { timeout: 150_000 }, () => {
  let f: FailedOverEstate;
  // Each handler as its deployed task runs it: its calls authorized against its synthesized role.
  const syncHome = (clients = f.clients()) => syncThroughFreeze(f, { clients });
  const finaliseHome = (clients = f.clients()) =>
    f.asTask('finalise-home', makeFinaliseHomeHandler({ clients, now: afterLagReading }));
  const retireStale = (clients = f.clients()) =>
    f.asTask('retire-stale-primary', makeRetireStalePrimaryHandler({ clients }));
  const retireCopies = (clients = f.clients()) =>
    f.asTask('retire-recovery-copies', makeRetireRecoveryCopiesHandler({ clients }));
  let restore: () => void;
  const suffix = () => episodeSuffix(f.run.failbackId);
  const staleInstances = () => f.resources.stale.filter((s) => s.kind === 'ec2').map((s) => s.id);
  const recoveryInstances = () => f.resources.retire.filter((s) => s.kind === 'ec2').map((s) => s.id);

  async function bringHome() {
    await syncHome()({ run: f.run });
    await finaliseHome()({ run: f.run });
  }

  beforeEach(async () => {
    // Prepare: the sample estate failed over, then brought home and finalised.
    await aws.reset();
    f = await failedOverEstate({ healthUrl: health.url(), strategy: 'replica' });
    restore = f.useTaskEnvironment();
  }, 150_000);
  afterEach(() => restore?.());

  it('turns off termination and deletion protection it meets, as the retiring roles allow, and still keeps final copies', async () => {
    // Prepare: a stale instance and a recovery instance protected from termination, both databases from deletion
    await bringHome();
    const [stale] = staleInstances();
    const [recovered] = recoveryInstances();
    for (const [region, id] of [
      [PRIMARY, stale],
      [RECOVERY, recovered],
    ] as const)
      await f
        .clients()
        .ec2(region)
        .send(new ModifyInstanceAttributeCommand({ InstanceId: id, DisableApiTermination: { Value: true } }));
    for (const [region, id] of [
      [PRIMARY, `shop-db-stale-${suffix()}`],
      [RECOVERY, f.recoveryDb],
    ] as const)
      await f
        .clients()
        .rds(region)
        .send(
          new ModifyDBInstanceCommand({
            DBInstanceIdentifier: id,
            DeletionProtection: true,
            ApplyImmediately: true,
          }),
        );

    // Act
    await retireStale()({ run: f.run });
    await retireCopies()({ run: f.run });

    // Assess: both gone, each with its final copy
    expect((await states(f, PRIMARY, [stale as string]))[stale as string]).toBe('terminated');
    expect((await states(f, RECOVERY, [recovered as string]))[recovered as string]).toBe('terminated');
    expect(await databaseIds(f, PRIMARY)).toEqual(['shop-db']);
    expect(await databaseIds(f, RECOVERY)).toEqual([]);
    expect((await finalImages(f, PRIMARY)).length).toBe(staleInstances().length);
  });

  it('retire-stale-primary keeps a final AMI of every stale instance and a final snapshot of the stale database, then deletes them', async () => {
    // Prepare
    await bringHome();
    const retire = retireStale();

    // Act
    const result = await retire({ run: f.run });

    // Assess: every stale instance terminated, a final AMI of each kept and tagged
    expect(result).toMatchObject({
      count: 5,
      alreadyGone: 0,
      key: runArtifactKey('shop', f.run.runId, 'retired-stale'),
    });
    expect(Object.values(await states(f, PRIMARY, staleInstances()))).toEqual(
      staleInstances().map(() => 'terminated'),
    );
    const images = await finalImages(f, PRIMARY);
    expect(images.map((i) => i.Name).sort()).toEqual(
      staleInstances()
        .map((id) => `pendulum-shop-final-${suffix()}-${id}`)
        .sort(),
    );
    for (const image of images) {
      expect(image.State).toBe('available');
      expect(tagMap(image.Tags)).toMatchObject({
        [TAG.failback]: f.run.failbackId,
        [TAG.run]: f.run.runId,
        [TAG.app]: 'shop',
      });
    }

    // Assess: the stale database deleted with a final snapshot; the home database untouched
    expect(await databaseIds(f, PRIMARY)).toEqual(['shop-db']);
    const final = (await snapshots(f, PRIMARY)).find(
      (s) => s.DBSnapshotIdentifier === `pendulum-shop-final-${suffix()}-shop-db`,
    );
    expect(final?.DBInstanceIdentifier).toBe(`shop-db-stale-${suffix()}`);
    expect(tagMap(final?.TagList)).toMatchObject({
      'pendulum:final': 'true',
      [TAG.failback]: f.run.failbackId,
    });

    // Assess: the answer and the document name the final copy of each
    const byId = new Map(result.retired.map((r) => [r.id, r.finalSnapshot]));
    expect(byId.get('shop-db')).toBe(final?.DBSnapshotIdentifier);
    for (const image of images) expect(byId.get(tagMap(image.Tags)[TAG.source] ?? '')).toBe(image.ImageId);
    const doc = await f.artifacts.getJson<RetirementDocument>(result.key);
    expect(doc).toMatchObject({ complete: true, region: PRIMARY });
    expect(doc.retired).toHaveLength(5);

    // Assess: the new primary runs on
    const home = await syncHome()({ run: f.run });
    expect(home).toMatchObject({ ready: true, created: 0 });

    // A second call finds everything retired and makes no second final copy.
    const again = await retire({ run: f.run });
    expect(again.count).toBe(5);
    expect(await finalImages(f, PRIMARY)).toHaveLength(images.length);
  });

  it('retire-stale-primary deletes nothing when a final AMI cannot be made', async () => {
    // Prepare
    await bringHome();

    // Act
    const error = await retireStale(withCreateImageFault(f.clients()))({
      run: f.run,
    }).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InjectedFault' });
    expect(Object.values(await states(f, PRIMARY, staleInstances()))).toEqual(
      staleInstances().map(() => 'running'),
    );
    expect(await databaseIds(f, PRIMARY)).toEqual(['shop-db', `shop-db-stale-${suffix()}`]);
    expect((await snapshots(f, PRIMARY)).filter((s) => s.DBSnapshotIdentifier?.includes('-final-'))).toEqual(
      [],
    );

    // Once images can be made again, the same call finishes the job.
    expect(await retireStale()({ run: f.run })).toMatchObject({
      count: 5,
    });
  });

  it('retire-stale-primary terminates no instance whose final AMI is still pending, and says which are pending', async () => {
    // Prepare
    await bringHome();

    // Act
    const waiting = await retireStale(withImagesPending(f.clients()))({ run: f.run });

    // Assess
    expect(waiting).toMatchObject({ complete: false, pollSeconds: 30 });
    expect(waiting.pending.map((p) => p.id).sort()).toEqual([...staleInstances()].sort());
    expect(Object.values(await states(f, PRIMARY, staleInstances()))).toEqual(
      staleInstances().map(() => 'running'),
    );
    const doc = await f.artifacts.getJson<RetirementDocument>(
      runArtifactKey('shop', f.run.runId, 'retired-stale'),
    );
    expect(doc.complete).toBe(false);
    expect(doc.retired.filter((r) => r.kind === 'ec2').map((r) => r.outcome)).toEqual(
      staleInstances().map(() => 'pending'),
    );

    // The next call, with the AMIs available, terminates them; no second AMI is made.
    const images = await finalImages(f, PRIMARY);
    expect(await retireStale()({ run: f.run })).toMatchObject({ count: 5, complete: true, pending: [] });
    expect((await finalImages(f, PRIMARY)).map((i) => i.ImageId).sort()).toEqual(
      images.map((i) => i.ImageId).sort(),
    );
    expect(Object.values(await states(f, PRIMARY, staleInstances()))).toEqual(
      staleInstances().map(() => 'terminated'),
    );
  });

  it('retire-stale-primary gives up after failback.retireCap, naming what is still pending, and deletes nothing', async () => {
    // Prepare: the final AMIs stay pending
    await bringHome();
    const t0 = new Date();
    const at = (hours: number) =>
      f.asTask(
        'retire-stale-primary',
        makeRetireStalePrimaryHandler({
          clients: withImagesPending(f.clients()),
          now: () => new Date(t0.getTime() + hours * 3_600_000),
        }),
      );
    expect(await at(0)({ run: f.run })).toMatchObject({ complete: false });
    expect(await at(11)({ run: f.run })).toMatchObject({ complete: false, pollSeconds: 300 });

    // Act: past the 12h cap
    const error = await at(12.01)({ run: f.run }).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({ name: 'ReadyTimeoutError' });
    expect((error as Error).message).toMatch(
      /retiring the stale primary in us-east-1 .*failback\.retireCap 43200s/,
    );
    for (const id of staleInstances()) expect((error as Error).message).toContain(id);
    expect(Object.values(await states(f, PRIMARY, staleInstances()))).toEqual(
      staleInstances().map(() => 'running'),
    );
  });

  it('retire-recovery-copies keeps final copies in the recovery region, then retires the recovery instances and database', async () => {
    // Prepare
    await bringHome();

    // Act
    const result = await retireCopies()({ run: f.run });

    // Assess
    expect(result).toMatchObject({
      retired: 5,
      alreadyGone: 0,
      key: runArtifactKey('shop', f.run.runId, 'retired-recovery'),
    });
    expect(Object.values(await states(f, RECOVERY, recoveryInstances()))).toEqual(
      recoveryInstances().map(() => 'terminated'),
    );
    const images = await finalImages(f, RECOVERY);
    expect(images.map((i) => i.Name).sort()).toEqual(
      recoveryInstances()
        .map((id) => `pendulum-shop-final-${suffix()}-${id}`)
        .sort(),
    );
    expect(await databaseIds(f, RECOVERY)).not.toContain(f.recoveryDb);
    const final = (await snapshots(f, RECOVERY)).find(
      (s) => s.DBSnapshotIdentifier === `pendulum-shop-final-${suffix()}-${f.recoveryDb}`,
    );
    expect(final?.DBInstanceIdentifier).toBe(f.recoveryDb);
    expect(result.finalSnapshots.sort()).toEqual(
      [...images.map((i) => i.ImageId), final?.DBSnapshotIdentifier].sort(),
    );
    const doc = await f.artifacts.getJson<RetirementDocument>(result.key);
    expect(doc).toMatchObject({ complete: true, region: RECOVERY });
    // The terminated recovery instance was never in the plan; the home region is untouched.
    expect(await databaseIds(f, PRIMARY)).toContain('shop-db');
    expect(await syncHome()({ run: f.run })).toMatchObject({
      ready: true,
      created: 0,
    });
  });

  it('retire-recovery-copies deletes nothing when a final AMI cannot be made', async () => {
    // Prepare
    await bringHome();

    // Act
    const error = await retireCopies(withCreateImageFault(f.clients()))({
      run: f.run,
    }).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({ name: 'InjectedFault' });
    expect(Object.values(await states(f, RECOVERY, recoveryInstances()))).toEqual(
      recoveryInstances().map(() => 'running'),
    );
    expect(await databaseIds(f, RECOVERY)).toContain(f.recoveryDb);
    expect((await snapshots(f, RECOVERY)).filter((s) => s.DBSnapshotIdentifier?.includes('-final-'))).toEqual(
      [],
    );
  });

  it('retire-recovery-copies refuses while a recovery database still feeds an unpromoted home replica', async () => {
    // Prepare: synced home, not finalised
    await syncHome()({ run: f.run });

    // Act
    const error = await retireCopies()({ run: f.run }).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({ name: 'ValidationFailedError' });
    expect((error as Error).message).toContain(f.recoveryDb);
    expect(Object.values(await states(f, RECOVERY, recoveryInstances()))).toEqual(
      recoveryInstances().map(() => 'running'),
    );
    expect(await finalImages(f, RECOVERY)).toEqual([]);
  });
});
