import {
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProtectTierHandler } from '../../lambdas/handlers/protect-tier';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { Plan, PlanInput } from '../../lambdas/plan/plan-schema';
import { listAmiRecoveryPoints } from '../../lambdas/recovery-points/ami-recovery-points';
import { listClusterRecoveryPoints } from '../../lambdas/recovery-points/cluster-recovery-points';
import { listDbRecoveryPoints } from '../../lambdas/recovery-points/db-recovery-points';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { dbSnapshotIdentifier } from '../../lambdas/recovery-points/recovery-point-names';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { CopyCapExceededError, InvalidInputError } from '../../lambdas/runtime/task-errors';
import { useLocalAws } from '../../local/aws-environment';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { createAuroraCluster } from './aurora-estate';
import { createEstate, type Estate, estatePlan, PRIMARY, RECOVERY } from './estate';
import { pretendPending } from './pretend-pending';

function parse(input: PlanInput): Plan {
  const result = parsePlanObject(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.plan;
}

async function pendulumImages(ec2: EC2Client) {
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: `tag:${TAG.app}`, Values: ['shop'] }] }),
  );
  return Images;
}

async function snapshotIdsIn(ec2: EC2Client): Promise<Set<string>> {
  const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return new Set(Snapshots.map((s) => s.SnapshotId as string));
}

const minutesAfter = (base: string, minutes: number) =>
  new Date(Date.parse(base) + minutes * 60_000).toISOString();

describe('protect-tier against moto', () => {
  let moto: MotoServer;
  let restoreEnv: () => void;
  let clients: AwsClients;
  let estate: Estate;
  const savedEnv = { ...process.env };
  const T0 = '2026-03-01T12:00:00.000Z';

  const usePlan = (input: PlanInput = estatePlan()) => {
    process.env.PENDULUM_PLAN = JSON.stringify(parse(input));
  };
  const protect = (input: unknown) => makeProtectTierHandler({ clients })(input);

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreEnv = useLocalAws(moto.endpoint, RECOVERY);
  });

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    clients = createAwsClients();
    process.env.STATE_TABLE_NAME = 'pendulum-shop-state';
    process.env.ARTIFACT_BUCKET_NAME = 'pendulum-shop-artifacts';
    usePlan();
    estate = await createEstate(clients);
  });

  afterEach(() => {
    for (const key of ['STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME', 'PENDULUM_PLAN']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  });

  it('captures every instance of a tier into the recovery region, tagged, and leaves no intermediate', async () => {
    // Prepare
    const primarySnapshotsBefore = await snapshotIdsIn(clients.ec2(PRIMARY));

    // Act
    const result = await protect({ tier: 'app', protectRun: 'run-1', now: T0 });

    // Assess
    expect(result).toEqual({
      tier: 'app',
      protectRun: 'run-1',
      direction: 'forward',
      captured: 3,
      reused: 0,
      pruned: 0,
      missing: 0,
      newestTakenAt: T0,
      done: true,
      pending: 0,
      pendingSample: [],
      polledSince: expect.any(String),
      nextPollSeconds: 0,
    });
    const points = await listAmiRecoveryPoints(clients.ec2(RECOVERY), 'shop');
    expect(points.map((p) => p.source).sort()).toEqual([...estate.web, ...estate.api].sort());
    for (const p of points) {
      expect(p).toMatchObject({
        kind: 'ami',
        tier: 'app',
        protectRun: 'run-1',
        takenAt: T0,
        state: 'available',
      });
      expect(p.role).toBe(estate.web.includes(p.source) ? 'web' : 'api');
      expect(p.sourceType).toBe(estate.web.includes(p.source) ? 't3.small' : 't3.micro');
    }
    const copies = await pendulumImages(clients.ec2(RECOVERY));
    expect(tagMap(copies[0]?.Tags)).toMatchObject({
      [TAG.app]: 'shop',
      [TAG.kind]: 'recovery-point',
      [TAG.protectRun]: 'run-1',
      [TAG.takenAt]: T0,
    });
    expect(copies[0]?.Name).toMatch(/^pendulum-shop-i-[0-9a-f]+-20260301T120000Z-[0-9a-f]{6}$/);
    // Only the copy is the recovery point: the primary-region image and its snapshots are gone.
    expect(await pendulumImages(clients.ec2(PRIMARY))).toEqual([]);
    expect(await snapshotIdsIn(clients.ec2(PRIMARY))).toEqual(primarySnapshotsBefore);
  });

  it('snapshots a database into the recovery region with its tags, and deletes the intermediate', async () => {
    // Act
    const result = await protect({ tier: 'data', protectRun: 'run-1', now: T0 });

    // Assess
    expect(result).toMatchObject({ tier: 'data', captured: 1, reused: 0, pruned: 0, newestTakenAt: T0 });
    const points = await listDbRecoveryPoints(clients.rds(RECOVERY), 'shop');
    expect(points).toEqual([
      {
        kind: 'db-snapshot',
        id: dbSnapshotIdentifier('shop', 'shop-db', new Date(T0), 'run-1'),
        source: 'shop-db',
        role: 'shop-db',
        tier: 'data',
        takenAt: T0,
        protectRun: 'run-1',
        sourceType: 'db.t3.micro',
        state: 'available',
        // What a database restored from it must be: unencrypted, at least 20 GiB.
        storage: { allocatedStorageGiB: 20 },
      },
    ]);
    const { DBSnapshots = [] } = await clients
      .rds(PRIMARY)
      .send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }));
    expect(DBSnapshots).toEqual([]);
  });

  it('creates nothing new when run again with the same protectRun', async () => {
    // Prepare
    await protect({ tier: 'app', protectRun: 'run-1', now: T0 });
    await protect({ tier: 'data', protectRun: 'run-1', now: T0 });
    const imagesBefore = (await pendulumImages(clients.ec2(RECOVERY))).map((i) => i.ImageId).sort();

    // Act: a retry later in the same run (another capture time) must find what the first made.
    const app = await protect({ tier: 'app', protectRun: 'run-1', now: minutesAfter(T0, 7) });
    const data = await protect({ tier: 'data', protectRun: 'run-1' });

    // Assess
    expect(app).toMatchObject({ captured: 0, reused: 3, pruned: 0, newestTakenAt: T0 });
    expect(data).toMatchObject({ captured: 0, reused: 1, pruned: 0, newestTakenAt: T0 });
    expect((await pendulumImages(clients.ec2(RECOVERY))).map((i) => i.ImageId).sort()).toEqual(imagesBefore);
    expect(await pendulumImages(clients.ec2(PRIMARY))).toEqual([]);
    expect(await listDbRecoveryPoints(clients.rds(RECOVERY), 'shop')).toHaveLength(1);
  });

  it("keeps two runs in the same second apart: neither adopts nor relabels the other's points", async () => {
    // Prepare
    await protect({ tier: 'app', protectRun: 'run-1', now: T0 });
    await protect({ tier: 'data', protectRun: 'run-1', now: T0 });

    // Act
    const app = await protect({ tier: 'app', protectRun: 'run-2', now: T0 });
    const data = await protect({ tier: 'data', protectRun: 'run-2', now: T0 });

    // Assess
    expect(app).toMatchObject({ captured: 3, reused: 0 });
    expect(data).toMatchObject({ captured: 1, reused: 0 });
    const amis = await listAmiRecoveryPoints(clients.ec2(RECOVERY), 'shop');
    const dbs = await listDbRecoveryPoints(clients.rds(RECOVERY), 'shop');
    for (const run of ['run-1', 'run-2']) {
      expect(amis.filter((p) => p.protectRun === run)).toHaveLength(3);
      expect(dbs.filter((p) => p.protectRun === run)).toHaveLength(1);
    }
  });

  it('prunes the oldest points beyond retain, with their snapshots, and never the newest', async () => {
    // Prepare: retain is 2, and two runs have made two points of every source.
    const runs = [0, 60, 120].map((m, i) => ({ protectRun: `run-${i}`, now: minutesAfter(T0, m) }));
    for (const run of runs.slice(0, 2)) {
      await protect({ tier: 'app', ...run });
      await protect({ tier: 'data', ...run });
    }
    const before = await listAmiRecoveryPoints(clients.ec2(RECOVERY), 'shop');
    const oldest = before.filter((p) => p.protectRun === 'run-0');
    const oldestSnapshots = (await pendulumImages(clients.ec2(RECOVERY)))
      .filter((i) => tagMap(i.Tags)[TAG.protectRun] === 'run-0')
      .flatMap((i) => i.BlockDeviceMappings?.map((m) => m.Ebs?.SnapshotId as string) ?? []);

    // Act
    const app = await protect({ tier: 'app', ...runs[2] });
    const data = await protect({ tier: 'data', ...runs[2] });

    // Assess
    expect(before).toHaveLength(6);
    expect(app).toMatchObject({ captured: 3, pruned: 3, newestTakenAt: runs[2]?.now });
    expect(data).toMatchObject({ captured: 1, pruned: 1, newestTakenAt: runs[2]?.now });
    const amis = await listAmiRecoveryPoints(clients.ec2(RECOVERY), 'shop');
    for (const source of [...estate.web, ...estate.api]) {
      expect(
        amis
          .filter((p) => p.source === source)
          .map((p) => p.protectRun)
          .sort(),
      ).toEqual(['run-1', 'run-2']);
    }
    expect(amis.some((p) => oldest.some((o) => o.id === p.id))).toBe(false);
    const remainingSnapshots = await snapshotIdsIn(clients.ec2(RECOVERY));
    expect(oldestSnapshots.length).toBe(3);
    for (const snapshot of oldestSnapshots) expect(remainingSnapshots.has(snapshot)).toBe(false);
    const dbs = await listDbRecoveryPoints(clients.rds(RECOVERY), 'shop');
    expect(dbs.map((p) => p.protectRun).sort()).toEqual(['run-1', 'run-2']);
  });

  it('keeps the only point of an instance that is gone, and counts it missing when named by id', async () => {
    // Prepare
    const [kept, gone] = estate.web as [string, string];
    usePlan(
      estatePlan({
        tiers: [
          { name: 'app', rpo: '4h', rto: '1h', resources: [{ ec2: { role: 'web', ids: [kept, gone] } }] },
        ],
        protection: { retain: 1, noReboot: true },
      }),
    );
    await protect({ tier: 'app', protectRun: 'run-0', now: T0 });
    await clients.ec2(PRIMARY).send(new TerminateInstancesCommand({ InstanceIds: [gone] }));

    // Act
    const result = await protect({ tier: 'app', protectRun: 'run-1', now: minutesAfter(T0, 60) });

    // Assess
    expect(result).toMatchObject({ captured: 1, pruned: 1, missing: 1 });
    const points = await listAmiRecoveryPoints(clients.ec2(RECOVERY), 'shop');
    expect(points.map((p) => [p.source, p.protectRun]).sort()).toEqual(
      [
        [kept, 'run-1'],
        [gone, 'run-0'],
      ].sort(),
    );
  });

  it('takes no snapshot of a database protected by a replica, and lists the replica as its point', async () => {
    // Prepare
    usePlan(
      estatePlan({
        tiers: [
          {
            name: 'data',
            rpo: '1h',
            rto: '30m',
            resources: [{ rds: { identifier: 'shop-db', replicaIdentifier: 'shop-db-replica' } }],
          },
        ],
      }),
    );
    await clients.rds(RECOVERY).send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'shop-db-replica',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        MasterUsername: 'shop',
        MasterUserPassword: 'not-a-secret-1',
        AllocatedStorage: 20,
      }),
    );
    const now = new Date(T0);

    // Act
    const result = await protect({ tier: 'data', protectRun: 'run-1', now: T0 });
    const points = await listDbRecoveryPoints(clients.rds(RECOVERY), 'shop', {
      replicas: [{ source: 'shop-db', replicaIdentifier: 'shop-db-replica', role: 'shop-db', tier: 'data' }],
      now,
    });

    // Assess
    expect(result).toMatchObject({ captured: 0, reused: 0, pruned: 0, newestTakenAt: null });
    expect(points).toEqual([
      {
        kind: 'db-replica',
        id: 'shop-db-replica',
        source: 'shop-db',
        role: 'shop-db',
        tier: 'data',
        takenAt: T0,
        protectRun: 'replica',
        sourceType: 'db.t3.micro',
        state: 'available',
      },
    ]);
  });

  it('finishes captures over several attempts while images, snapshots and copies are still being made', async () => {
    // Prepare
    const pendingIn = new Set<string>();
    for (const region of [PRIMARY, RECOVERY]) {
      pretendPending(clients.ec2(region), () => pendingIn.has(region));
      pretendPending(clients.rds(region), () => pendingIn.has(region));
    }
    let minute = 0;
    const attempt = (tier: string) =>
      makeProtectTierHandler({ clients, now: () => new Date(Date.parse(T0) + minute++ * 60_000) })({
        tier,
        protectRun: 'run-1',
      });
    const primaryDbSnapshots = async () =>
      (await clients.rds(PRIMARY).send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' })))
        .DBSnapshots ?? [];

    // Act, Assess: the images and the DB snapshot are being made in the primary region.
    pendingIn.add(PRIMARY);
    expect(await attempt('app')).toMatchObject({ done: false, pending: 3, nextPollSeconds: 30 });
    expect(await attempt('data')).toMatchObject({
      done: false,
      pending: 1,
      pendingSample: [`shop-db (capture in ${PRIMARY})`],
    });
    expect(await pendulumImages(clients.ec2(PRIMARY))).toHaveLength(3);
    expect(await primaryDbSnapshots()).toHaveLength(1);

    // Act, Assess: they are ready and are being copied; nothing is made twice.
    pendingIn.clear();
    pendingIn.add(RECOVERY);
    expect(await attempt('app')).toMatchObject({ done: false, pending: 3 });
    const copying = await attempt('data');
    expect(copying).toMatchObject({ done: false, pending: 1 });
    expect(copying.pendingSample[0]).toMatch(
      new RegExp(`^shop-db \\(copy pendulum-shop-rp-shop-db-.+ in ${RECOVERY}\\)$`),
    );
    expect(await pendulumImages(clients.ec2(PRIMARY))).toHaveLength(3);
    expect(await pendulumImages(clients.ec2(RECOVERY))).toHaveLength(3);
    expect(await listDbRecoveryPoints(clients.rds(RECOVERY), 'shop')).toHaveLength(1);

    // Act, Assess: the copies are ready; the intermediates go.
    pendingIn.clear();
    const app = await attempt('app');
    const data = await attempt('data');
    expect(app).toMatchObject({ done: true, pending: 0, captured: 3, reused: 0, newestTakenAt: T0 });
    expect(data).toMatchObject({ captured: 1, reused: 0, newestTakenAt: minutesAfter(T0, 1) });
    expect(await pendulumImages(clients.ec2(PRIMARY))).toEqual([]);
    expect(await primaryDbSnapshots()).toEqual([]);
    const points = await listAmiRecoveryPoints(clients.ec2(RECOVERY), 'shop');
    expect(points.map((p) => p.state)).toEqual(['available', 'available', 'available']);

    // Act, Assess: once complete, a further attempt has nothing to do.
    expect(await attempt('app')).toMatchObject({ captured: 0, reused: 3 });
  });

  it('protects an Aurora cluster: snapshot, copy once ready, intermediate gone, oldest pruned beyond retain', async () => {
    // Prepare
    usePlan(
      estatePlan({
        tiers: [
          ...estatePlan().tiers,
          {
            name: 'orders',
            rpo: '1h',
            rto: '1h',
            resources: [{ aurora: { clusterIdentifier: 'shop-aurora' } }],
          },
        ],
        failback: { freeze: 'none' },
      }),
    );
    await createAuroraCluster(clients.rds(PRIMARY), { id: 'shop-aurora', readers: 1 });
    const pendingIn = new Set<string>();
    for (const region of [PRIMARY, RECOVERY])
      pretendPending(clients.rds(region), () => pendingIn.has(region));
    const primaryClusterSnapshots = async () =>
      (await clients.rds(PRIMARY).send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' })))
        .DBClusterSnapshots ?? [];
    const clusterPoints = () => listClusterRecoveryPoints(clients.rds(RECOVERY), 'shop');

    // Act, Assess: the snapshot is being made, then copied; nothing is made twice.
    pendingIn.add(PRIMARY);
    expect(await protect({ tier: 'orders', protectRun: 'run-0', now: T0 })).toMatchObject({
      done: false,
      pending: 1,
      pendingSample: [`shop-aurora (capture in ${PRIMARY})`],
    });
    pendingIn.clear();
    pendingIn.add(RECOVERY);
    const copying = await protect({ tier: 'orders', protectRun: 'run-0', now: T0, polledSince: T0 });
    expect(copying.pendingSample[0]).toMatch(
      /^shop-aurora \(copy pendulum-shop-rp-shop-aurora-.+ in us-west-2\)$/,
    );
    expect(await primaryClusterSnapshots()).toHaveLength(1);
    pendingIn.clear();
    expect(await protect({ tier: 'orders', protectRun: 'run-0', now: T0, polledSince: T0 })).toMatchObject({
      done: true,
      captured: 1,
      newestTakenAt: T0,
    });
    expect(await primaryClusterSnapshots()).toEqual([]);
    expect(await clusterPoints()).toMatchObject([
      { source: 'shop-aurora', tier: 'orders', sourceType: 'db.r6g.large', cluster: { readers: 1 } },
    ]);

    // Act, Assess: two more runs; retain is 2, so the first point goes.
    for (const [i, m] of [60, 120].entries())
      await protect({ tier: 'orders', protectRun: `run-${i + 1}`, now: minutesAfter(T0, m) });
    expect((await clusterPoints()).map((p) => p.protectRun).sort()).toEqual(['run-1', 'run-2']);
  });

  it('asks less often as a tier waits longer, counting from its first poll, never more than 5 min apart', async () => {
    // Prepare: every image stays pending; the run started 20 min before the tier was first asked.
    pretendPending(clients.ec2(PRIMARY), () => true);
    const firstPoll = minutesAfter(T0, 20);
    const askAt = (minutes: number, polledSince?: string) =>
      makeProtectTierHandler({ clients, now: () => new Date(minutesAfter(firstPoll, minutes)) })({
        tier: 'app',
        protectRun: 'run-1',
        startedAt: T0,
        ...(polledSince ? { polledSince } : {}),
      });

    // Act
    const first = await askAt(0);
    const later = await askAt(8, first.polledSince);
    const much = await askAt(120, first.polledSince);

    // Assess
    expect(first).toMatchObject({ done: false, polledSince: firstPoll, nextPollSeconds: 30 });
    expect(later.nextPollSeconds).toBe(120);
    expect(much.nextPollSeconds).toBe(300);
    expect(await pendulumImages(clients.ec2(PRIMARY))).toHaveLength(3);
  });

  it('fails past protection.copyCap with CopyCapExceededError naming what is still pending', async () => {
    // Prepare: the copies never finish; the plan allows 2 h.
    usePlan(estatePlan({ protection: { retain: 2, noReboot: true, copyCap: '2h' } }));
    pretendPending(clients.ec2(RECOVERY), () => true);
    const at = (minutes: number) =>
      makeProtectTierHandler({ clients, now: () => new Date(minutesAfter(T0, minutes)) })({
        tier: 'app',
        protectRun: 'run-1',
        startedAt: T0,
      });
    const inTime = await at(0);
    const copies = (await pendulumImages(clients.ec2(RECOVERY))).map((i) => i.ImageId as string);

    // Act
    const stillInTime = await at(119);
    const late = at(121);

    // Assess
    expect(inTime).toMatchObject({ done: false, pending: 3 });
    expect(stillInTime).toMatchObject({ done: false, pending: 3 });
    await expect(late).rejects.toThrow(CopyCapExceededError);
    await expect(at(121)).rejects.toThrow(
      /^3 of 3 recovery point\(s\) of tier app still pending after 2h1m \(protection\.copyCap 2h\): i-/,
    );
    const error = (await at(121).catch((e: unknown) => e)) as CopyCapExceededError;
    expect(copies).toHaveLength(3);
    for (const copy of copies) expect(error.message).toContain(`(copy ${copy} in ${RECOVERY})`);
  });

  it('refuses an unknown tier or a malformed run before touching anything', async () => {
    // Act, Assess
    await expect(protect({ tier: 'nope', protectRun: 'run-1' })).rejects.toThrow(InvalidInputError);
    await expect(protect({ tier: 'nope', protectRun: 'run-1' })).rejects.toThrow(/tiers are data, app/);
    await expect(protect({ tier: 'app', protectRun: 'has spaces' })).rejects.toThrow(InvalidInputError);
    await expect(protect({ tier: 'app' })).rejects.toThrow(/protectRun/);
    expect(await pendulumImages(clients.ec2(PRIMARY))).toEqual([]);
  });
});
