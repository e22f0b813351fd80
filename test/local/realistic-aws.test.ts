/**
 * The realistic local AWS in front of moto: durations, eventual consistency, throttling and faults,
 * on the virtual clock, as a task's calls see them.
 */
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CopyDBClusterSnapshotCommand,
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../../local/aws-environment';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { AWS_REQUEST_RATES } from '../../local/realistic-aws/aws-timings';
import {
  duringTask,
  realismStats,
  useInstantAws,
  useRealisticAws,
} from '../../local/realistic-aws/realistic-aws';
import { TokenBuckets } from '../../local/realistic-aws/token-buckets';
import { virtualClock } from '../../local/virtual-clock';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A task's calls, in virtual time. */
const asTask = <T>(body: () => Promise<T>) =>
  virtualClock().run(() => virtualClock().activity(() => duringTask(body)));

describe('token buckets', () => {
  it('allow a burst of the capacity, then the refill rate, as AWS documents', () => {
    // Prepare
    const buckets = new TokenBuckets();
    const route53 = [{ key: 'route53', bucket: AWS_REQUEST_RATES.route53Account }];

    // Act: 60 calls in the same instant, then one 1 s later
    const answers = Array.from({ length: 60 }, () => buckets.take(route53, 0));
    const later = Array.from({ length: 11 }, () => buckets.take(route53, 1000));

    // Assess: 50 pass, 10 throttled; a second later 10 more pass
    expect(answers.filter((a) => a === undefined)).toHaveLength(50);
    expect(later.filter((a) => a === undefined)).toHaveLength(10);
  });
});

describe('the realistic local AWS', () => {
  let moto: MotoServer;
  let restore: () => void;
  beforeAll(async () => {
    moto = await startMotoServer();
    restore = useLocalAws(moto.endpoint, 'us-west-2');
  }, 30_000);
  afterEach(() => useInstantAws());
  afterAll(async () => {
    restore?.();
    await moto?.stop();
  });

  it('hides a new instance for a few seconds, then shows it pending, then running', async () => {
    // Prepare
    useRealisticAws({ seed: 5, latency: false, throttling: false });
    const ec2 = new EC2Client({ region: 'us-west-2' });
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({}));

    // Act
    const seen = await asTask(async () => {
      const { Instances = [] } = await ec2.send(
        new RunInstancesCommand({
          ImageId: Images[0]?.ImageId,
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 't3.micro',
        }),
      );
      const id = String(Instances[0]?.InstanceId);
      const state = async () => {
        try {
          const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
          return Reservations[0]?.Instances?.[0]?.State?.Name;
        } catch (error) {
          return (error as Error).name;
        }
      };
      const atOnce = await state();
      await sleep(10_000);
      const after10s = await state();
      await sleep(120_000);
      return [atOnce, after10s, await state()];
    });

    // Assess
    expect(seen).toEqual(['InvalidInstanceID.NotFound', 'pending', 'running']);
  });

  it('a launch retried with its ClientToken answers with the same instance, still visible', async () => {
    // Prepare
    useRealisticAws({ seed: 5, latency: false, throttling: false });
    const ec2 = new EC2Client({ region: 'us-west-2' });
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({}));
    const launch = () =>
      ec2.send(
        new RunInstancesCommand({
          ImageId: Images[0]?.ImageId,
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 't3.micro',
          ClientToken: 'retried-launch-1',
        }),
      );

    // Act: the first launch becomes visible; the retry (after an ambiguous failure) comes later
    const seen = await asTask(async () => {
      const first = String((await launch()).Instances?.[0]?.InstanceId);
      await sleep(10_000);
      const second = String((await launch()).Instances?.[0]?.InstanceId);
      const { Reservations = [] } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [first] }));
      return { same: first === second, state: Reservations[0]?.Instances?.[0]?.State?.Name };
    });

    // Assess: one instance, and the retry did not hide it again
    expect(seen).toEqual({ same: true, state: 'pending' });
  });

  it('answers a cluster restore retried after it went through with DBClusterAlreadyExistsFault, as AWS does', async () => {
    // Prepare: a cluster snapshot, restored once
    useRealisticAws({ seed: 5, latency: false, throttling: false });
    const rds = new RDSClient({ region: 'us-west-2' });
    await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'orders',
        Engine: 'aurora-postgresql',
        MasterUsername: 'orders',
        MasterUserPassword: 'orders-password',
      }),
    );
    await rds.send(
      new CreateDBClusterSnapshotCommand({
        DBClusterIdentifier: 'orders',
        DBClusterSnapshotIdentifier: 'orders-1',
      }),
    );
    const restore = () =>
      rds
        .send(
          new RestoreDBClusterFromSnapshotCommand({
            DBClusterIdentifier: 'orders-restored',
            SnapshotIdentifier: 'orders-1',
            Engine: 'aurora-postgresql',
          }),
        )
        .then(
          () => 'restored',
          (e: Error) => e.name,
        );

    // Act
    const answers = [await restore(), await restore()];

    // Assess
    expect(answers).toEqual(['restored', 'DBClusterAlreadyExistsFault']);
  });

  it('keeps a DB snapshot creating for minutes and refuses a restore from it until it is available', async () => {
    // Prepare
    useRealisticAws({ seed: 5, latency: false, throttling: false });
    const rds = new RDSClient({ region: 'us-west-2' });
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'orders',
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 100,
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
      }),
    );

    // Act
    const seen = await asTask(async () => {
      const { DBSnapshot } = await rds.send(
        new CreateDBSnapshotCommand({ DBSnapshotIdentifier: 'orders-1', DBInstanceIdentifier: 'orders' }),
      );
      const restore = () =>
        rds
          .send(
            new RestoreDBInstanceFromDBSnapshotCommand({
              DBInstanceIdentifier: 'orders-restored',
              DBSnapshotIdentifier: 'orders-1',
            }),
          )
          .then(
            (r) => r.DBInstance?.DBInstanceStatus,
            (e: Error) => e.name,
          );
      const early = await restore();
      await sleep(60 * 60_000);
      const { DBSnapshots = [] } = await rds.send(
        new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: 'orders-1' }),
      );
      return [DBSnapshot?.Status, early, DBSnapshots[0]?.Status, await restore()];
    });

    // Assess
    expect(seen).toEqual(['creating', 'InvalidDBSnapshotStateFault', 'available', 'creating']);
  });

  it('keeps a cluster snapshot creating for minutes and refuses a cross-region copy of it until it is available', async () => {
    // Prepare
    useRealisticAws({ seed: 5, latency: false, throttling: false });
    const east = new RDSClient({ region: 'us-east-1' });
    const west = new RDSClient({ region: 'us-west-2' });
    await east.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: 'ledger',
        Engine: 'aurora-postgresql',
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
      }),
    );

    // Act
    const seen = await asTask(async () => {
      const { DBClusterSnapshot } = await east.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterSnapshotIdentifier: 'ledger-1',
          DBClusterIdentifier: 'ledger',
        }),
      );
      const copy = () =>
        west
          .send(
            new CopyDBClusterSnapshotCommand({
              SourceDBClusterSnapshotIdentifier: DBClusterSnapshot?.DBClusterSnapshotArn,
              TargetDBClusterSnapshotIdentifier: 'ledger-1',
            }),
          )
          .then(
            (r) => r.DBClusterSnapshot?.Status,
            (e: Error) => e.name,
          );
      const early = await copy();
      await sleep(60 * 60_000);
      const status = async (rds: RDSClient) =>
        (await rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: 'ledger-1' })))
          .DBClusterSnapshots?.[0]?.Status;
      const ready = await status(east);
      const copying = await copy();
      const copyingSeen = await status(west);
      await sleep(60 * 60_000);
      return [DBClusterSnapshot?.Status, early, ready, copying, copyingSeen, await status(west)];
    });

    // Assess
    expect(seen).toEqual([
      'creating',
      'InvalidDBClusterSnapshotStateFault',
      'available',
      'creating',
      'creating',
      'available',
    ]);
  });

  it('throttles at the documented rate and the SDK retries it; faults are seeded and counted', async () => {
    // Prepare: a busy account (a twentieth of the budget) and 30 % transient faults
    useRealisticAws({ seed: 11, throttleScale: 0.05, faultRate: 0.3 });
    const ec2 = new EC2Client({ region: 'us-west-2', maxAttempts: 10 });

    // Act: 40 describes at once
    const answers = await asTask(() =>
      Promise.all(
        Array.from({ length: 40 }, () =>
          ec2.send(new DescribeVpcsCommand({})).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        ),
      ),
    );

    // Assess: throttled as EC2 answers it; the SDK's backoff (in virtual time) got most through,
    // and gave up on the rest once its retry quota ran out, as it would on AWS
    const stats = realismStats();
    const failed = answers.filter((a) => a !== 'ok');
    expect(
      new Set(failed).size <= 3 &&
        failed.every((a) => /RequestLimitExceeded|InternalError|Unavailable/.test(a)),
    ).toBe(true);
    expect(answers.filter((a) => a === 'ok').length).toBeGreaterThanOrEqual(3);
    expect(stats.throttled).toBeGreaterThan(failed.length);
    expect(stats.faultsBefore + stats.faultsAfter).toBeGreaterThan(0);
  });
});
