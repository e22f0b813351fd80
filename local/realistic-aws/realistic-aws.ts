/**
 * The local AWS, made as slow and as unreliable as the real one (harness only; product code never
 * sees it). An SDK middleware on every client, inside the SDK's retry loop, so that what it answers
 * is retried (or not) exactly as an answer from AWS would be:
 *
 * - asynchronous operations take the durations in `aws-timings.ts`: describes show pending,
 *   creating, backing-up, modifying or PENDING until they are done, and operations on a resource
 *   not ready yet fail as AWS fails them;
 * - eventual consistency: a new instance or AMI is missing from describes for a few seconds;
 * - throttling at AWS's documented request rates, answered as each service answers it;
 * - transient faults: a share of calls answered 500/503, before or after the request took effect;
 * - latency per call and per Lambda invocation, so a run's modeled time includes them.
 *
 * Everything random is drawn from one seeded generator: the same seed, the same run.
 *
 * Durations, latency, throttling and faults apply to calls a task makes (the runner marks them);
 * the operator's own calls (seeding an estate, checks) see the same statuses of what tasks made,
 * but are not slowed, and what they make is there at once.
 * In `instant` mode two things remain, both gaps of moto: a promoted read replica loses its source
 * identifier, and RunInstances with a ClientToken is idempotent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { asHarness, isHarnessCall } from '../harness-calls';
import { clientRegion, type SdkClient, type SdkCommand, wrapSdkSend } from '../sdk-send';
import { resetVirtualClock, virtualClock } from '../virtual-clock';
import { awsError, serverFault, throttled } from './aws-errors';
import {
  AWS_LATENCY,
  AWS_REQUEST_RATES,
  AWS_TIMINGS,
  type FixedDuration,
  LAMBDA_INVOCATION,
  type SizedDuration,
  sizedMs,
  type TokenBucket,
} from './aws-timings';
import {
  changeKey,
  checkPreconditions,
  globalPromotionKey,
  overlayDescribe,
  type Phase,
  ResourceTimelines,
  rdsIdentifier,
} from './resource-timelines';
import { TokenBuckets } from './token-buckets';

export type LocalAwsMode = 'instant' | 'realistic';

export interface RealisticAwsOptions {
  /** Seed of every random draw (durations' spread, faults). @default 1 */
  readonly seed?: number;
  /** Share of EC2, RDS and Route 53 calls answered with a transient 500/503. @default 0 */
  readonly faultRate?: number;
  /** Throttle at AWS's request rates. @default true */
  readonly throttling?: boolean;
  /** Multiplies every rate (0.05: an account whose budget other tools mostly use). @default 1 */
  readonly throttleScale?: number;
  /** Per-call and per-invocation latency. @default true */
  readonly latency?: boolean;
}

interface Config {
  readonly mode: LocalAwsMode;
  readonly seed: number;
  readonly faultRate: number;
  readonly throttling: boolean;
  readonly latency: boolean;
}

/** What the layer did, for tests and the rehearsal's summary. */
export interface RealismStats {
  calls: number;
  throttled: number;
  faultsBefore: number;
  faultsAfter: number;
  hiddenByConsistency: number;
  notReady: number;
}

const emptyStats = (): RealismStats => ({
  calls: 0,
  throttled: 0,
  faultsBefore: 0,
  faultsAfter: 0,
  hiddenByConsistency: 0,
  notReady: 0,
});

let config: Config = { mode: 'instant', seed: 1, faultRate: 0, throttling: false, latency: false };
const timelines = new ResourceTimelines();
let buckets = new TokenBuckets();
let random = seededRandom(1);
let stats = emptyStats();

const taskScope = new AsyncLocalStorage<boolean>();

/** mulberry32: small, fast and good enough for a test's dice. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A factor in [1 - spread, 1 + spread]. */
const jitter = (spread: number) => 1 + spread * (2 * random() - 1);
const fixedMs = (duration: FixedDuration) => Math.round(duration.ms * jitter(duration.spread));

export function localAwsMode(): LocalAwsMode {
  return config.mode;
}

/**
 * Realistic AWS from now on, for this process; resets timelines, buckets, the dice and the virtual
 * clock (to the real time now, so recovery points made in real time are as old as they look).
 */
export function useRealisticAws(options: RealisticAwsOptions = {}): void {
  installRealisticAws();
  if (!virtualClock().running) resetVirtualClock();
  config = {
    mode: 'realistic',
    seed: options.seed ?? 1,
    faultRate: options.faultRate ?? 0,
    throttling: options.throttling ?? true,
    latency: options.latency ?? true,
  };
  timelines.clear();
  buckets = new TokenBuckets(options.throttleScale ?? 1);
  random = seededRandom(config.seed);
  stats = emptyStats();
}

/** Back to instant AWS (moto as it is). */
export function useInstantAws(): void {
  installRealisticAws();
  config = { mode: 'instant', seed: 1, faultRate: 0, throttling: false, latency: false };
  timelines.clear();
  stats = emptyStats();
}

export function realismStats(): Readonly<RealismStats> {
  return { ...stats };
}

/** Runs a task's handler: its calls are the ones slowed, throttled and faulted. */
export function duringTask<T>(body: () => T): T {
  return taskScope.run(true, body);
}

async function clusterExists(region: string, identifier: string): Promise<boolean> {
  const { DBClusters = [] } = await new RDSClient({ region }).send(
    new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-id', Values: [identifier] }] }),
  );
  return DBClusters.some((c) => c.DBClusterIdentifier === identifier);
}

/** Sleeps in virtual time (only while the virtual clock runs). */
function virtualSleep(ms: number): Promise<void> {
  if (!virtualClock().running || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lambda's own cost of an invocation: an Init phase on the first, a small overhead on every one. */
export async function lambdaInvocationDelay(coldStart: boolean): Promise<void> {
  if (config.mode !== 'realistic' || !config.latency) return;
  const ms = fixedMs(LAMBDA_INVOCATION.warm) + (coldStart ? fixedMs(LAMBDA_INVOCATION.coldStart) : 0);
  await virtualSleep(ms);
}

const ec2Clients = new Map<string, EC2Client>();

/** The harness's own look at an image: its volumes' sizes and snapshots. */
async function describeOwnImage(region: string, imageId: string) {
  const client = ec2Clients.get(region) ?? new EC2Client({ region });
  ec2Clients.set(region, client);
  const { Images = [] } = await asHarness(() =>
    client.send(new DescribeImagesCommand({ ImageIds: [imageId] })),
  );
  return Images[0]?.BlockDeviceMappings ?? [];
}

async function imageGiB(region: string, imageId: string): Promise<number> {
  const sizes = (await describeOwnImage(region, imageId)).map((m) => m.Ebs?.VolumeSize ?? 8);
  return sizes.length > 0 ? sizes.reduce((a, b) => a + b, 0) : 8;
}

async function imageSnapshots(region: string, imageId: string): Promise<string[]> {
  return (await describeOwnImage(region, imageId)).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
}

type Json = Record<string, unknown>;

/** Starts the timelines of what a call just made or changed. */
async function recordTimelines(
  service: string,
  operation: string,
  input: Json,
  output: Json,
  region: string,
  now: number,
): Promise<void> {
  const phases = (...steps: [string, number][]): Phase[] => {
    let at = now;
    return steps.map(([status, ms]) => {
      at += ms;
      return { status, until: at };
    });
  };
  const visibleAt = now + fixedMs(AWS_TIMINGS.ec2.visibilityDelay);
  if (service === 'EC2' && operation === 'RunInstances') {
    for (const instance of (output.Instances as Json[] | undefined) ?? []) {
      // A retried launch with the same ClientToken answers with the instance it already made: its
      // timeline stands (restarting it would hide an instance describes have already shown).
      if (timelines.get(region, String(instance.InstanceId))) continue;
      timelines.set(region, String(instance.InstanceId), {
        kind: 'instance',
        startedAt: now,
        visibleAt,
        phases: phases(['pending', fixedMs(AWS_TIMINGS.ec2.instancePending)]),
      });
    }
  }
  if (service === 'EC2' && (operation === 'CreateImage' || operation === 'CopyImage')) {
    const imageId = String(output.ImageId);
    const gib =
      operation === 'CopyImage'
        ? await imageGiB(String(input.SourceRegion), String(input.SourceImageId))
        : await imageGiB(region, imageId);
    const duration =
      operation === 'CopyImage' && input.SourceRegion !== region
        ? AWS_TIMINGS.ec2.copyImageCrossRegion
        : AWS_TIMINGS.ec2.createImage;
    const ms = sizedMs(duration, gib, jitter(duration.spread));
    timelines.set(region, imageId, {
      kind: 'image',
      startedAt: now,
      visibleAt,
      phases: phases(['pending', ms]),
    });
    for (const snapshotId of await imageSnapshots(region, imageId)) {
      timelines.set(region, snapshotId, {
        kind: 'ebs-snapshot',
        startedAt: now,
        visibleAt: now,
        phases: phases(['pending', ms]),
      });
    }
  }
  if (service === 'RDS' && (operation === 'CreateDBSnapshot' || operation === 'CopyDBSnapshot')) {
    const snapshot = (output.DBSnapshot as Json | undefined) ?? {};
    const source = rdsIdentifier(String(input.SourceDBSnapshotIdentifier ?? ''));
    const crossRegion =
      operation === 'CopyDBSnapshot' && (input.SourceRegion ?? source.region ?? region) !== region;
    const duration = crossRegion
      ? AWS_TIMINGS.rds.copyDbSnapshotCrossRegion
      : AWS_TIMINGS.rds.createDbSnapshot;
    const ms = sizedMs(duration, Number(snapshot.AllocatedStorage ?? 20), jitter(duration.spread));
    timelines.set(region, String(snapshot.DBSnapshotIdentifier), {
      kind: 'db-snapshot',
      startedAt: now,
      visibleAt: now,
      phases: phases(['creating', ms]),
    });
  }
  if (
    service === 'RDS' &&
    (operation === 'CreateDBClusterSnapshot' || operation === 'CopyDBClusterSnapshot')
  ) {
    const snapshot = (output.DBClusterSnapshot as Json | undefined) ?? {};
    const source = rdsIdentifier(String(input.SourceDBClusterSnapshotIdentifier ?? ''));
    const crossRegion =
      operation === 'CopyDBClusterSnapshot' && (input.SourceRegion ?? source.region ?? region) !== region;
    const duration = crossRegion
      ? AWS_TIMINGS.rds.copyDbClusterSnapshotCrossRegion
      : AWS_TIMINGS.rds.createDbClusterSnapshot;
    // Aurora reports the cluster volume's size (GiB), which may be 0 or 1 for a new cluster.
    const ms = sizedMs(duration, Number(snapshot.AllocatedStorage) || 20, jitter(duration.spread));
    timelines.set(region, String(snapshot.DBClusterSnapshotIdentifier), {
      kind: 'db-cluster-snapshot',
      startedAt: now,
      visibleAt: now,
      phases: phases(['creating', ms]),
    });
  }
  const sized = (duration: SizedDuration, gib: number) => sizedMs(duration, gib, jitter(duration.spread));
  const newDbInstance = (...steps: [string, number][]) => {
    const instance = (output.DBInstance as Json | undefined) ?? {};
    timelines.set(region, String(instance.DBInstanceIdentifier), {
      kind: 'db-instance',
      startedAt: now,
      visibleAt: now,
      phases: phases(...steps),
    });
  };
  const dbGiB = Number((output.DBInstance as Json | undefined)?.AllocatedStorage ?? 20);
  if (service === 'RDS' && operation === 'RestoreDBInstanceFromDBSnapshot') {
    newDbInstance(
      ['creating', sized(AWS_TIMINGS.rds.restoreCreating, dbGiB)],
      ['backing-up', fixedMs(AWS_TIMINGS.rds.restoreBackingUp)],
    );
  }
  if (service === 'RDS' && operation === 'RestoreDBClusterFromSnapshot') {
    const cluster = (output.DBCluster as Json | undefined) ?? {};
    timelines.set(region, String(cluster.DBClusterIdentifier), {
      kind: 'db-cluster',
      startedAt: now,
      visibleAt: now + fixedMs(AWS_TIMINGS.rds.clusterVisibilityDelay),
      phases: phases(['creating', fixedMs(AWS_TIMINGS.rds.restoreClusterCreating)]),
    });
  }
  if (
    service === 'RDS' &&
    (operation === 'SwitchoverGlobalCluster' || operation === 'FailoverGlobalCluster')
  ) {
    const switchover = operation === 'SwitchoverGlobalCluster';
    timelines.set('global', globalPromotionKey(String(input.GlobalClusterIdentifier)), {
      kind: 'global-promotion',
      startedAt: now,
      visibleAt: now,
      phases: phases([
        switchover ? 'switching-over' : 'failing-over',
        fixedMs(switchover ? AWS_TIMINGS.rds.globalSwitchover : AWS_TIMINGS.rds.globalFailover),
      ]),
      promotingTo: String(input.TargetDbClusterIdentifier),
    });
  }
  if (service === 'RDS' && operation === 'ModifyDBCluster' && input.NewDBClusterIdentifier) {
    timelines.set(region, String(input.NewDBClusterIdentifier), {
      kind: 'db-cluster',
      startedAt: now,
      visibleAt: now,
      phases: phases(['renaming', fixedMs(AWS_TIMINGS.rds.renameCluster)]),
    });
  }
  if (service === 'RDS' && operation === 'CreateDBInstance' && input.DBClusterIdentifier) {
    newDbInstance(['creating', fixedMs(AWS_TIMINGS.rds.clusterInstanceCreating)]);
  }
  if (service === 'RDS' && operation === 'CreateDBInstanceReadReplica') {
    newDbInstance(['creating', sized(AWS_TIMINGS.rds.createReadReplica, dbGiB)]);
  }
  if (service === 'RDS' && operation === 'PromoteReadReplica') {
    const id = rdsIdentifier(String(input.DBInstanceIdentifier)).id;
    const steps = phases(
      ['available', fixedMs(AWS_TIMINGS.rds.promoteStillReplica)],
      ['modifying', fixedMs(AWS_TIMINGS.rds.promoteModifying)],
    );
    timelines.set(region, id, {
      kind: 'db-instance',
      startedAt: now,
      visibleAt: now,
      phases: steps,
      promotedAt: steps.at(-1)?.until ?? now,
    });
  }
  if (
    service === 'RDS' &&
    operation === 'DeleteDBInstance' &&
    typeof input.FinalDBSnapshotIdentifier === 'string'
  ) {
    const instance = (output.DBInstance as Json | undefined) ?? {};
    const gib = Number(instance.AllocatedStorage ?? 20);
    timelines.set(region, input.FinalDBSnapshotIdentifier, {
      kind: 'db-snapshot',
      startedAt: now,
      visibleAt: now,
      phases: phases([
        'creating',
        sizedMs(AWS_TIMINGS.rds.finalSnapshot, gib, jitter(AWS_TIMINGS.rds.finalSnapshot.spread)),
      ]),
    });
  }
  // The answer of the call itself shows the first status, as AWS's does.
  const snapshot = output.DBSnapshot as Json | undefined;
  const snapshotStatus = snapshot && timelines.status(region, String(snapshot.DBSnapshotIdentifier), now);
  if (snapshot && snapshotStatus) snapshot.Status = snapshotStatus;
  const clusterSnapshot = output.DBClusterSnapshot as Json | undefined;
  const clusterSnapshotStatus =
    clusterSnapshot && timelines.status(region, String(clusterSnapshot.DBClusterSnapshotIdentifier), now);
  if (clusterSnapshot && clusterSnapshotStatus) clusterSnapshot.Status = clusterSnapshotStatus;
  const cluster = output.DBCluster as Json | undefined;
  const clusterStatus = cluster && timelines.status(region, String(cluster.DBClusterIdentifier), now);
  if (cluster && clusterStatus) cluster.Status = clusterStatus;
  const instance = output.DBInstance as Json | undefined;
  const instanceStatus = instance && timelines.status(region, String(instance.DBInstanceIdentifier), now);
  if (instance && instanceStatus) instance.DBInstanceStatus = instanceStatus;
  if (service === 'Route53' && operation === 'ChangeResourceRecordSets') {
    const change = (output.ChangeInfo as Json | undefined) ?? {};
    timelines.set('global', changeKey(change.Id), {
      kind: 'change',
      startedAt: now,
      visibleAt: now,
      phases: phases(['PENDING', fixedMs(AWS_TIMINGS.route53.propagation)]),
    });
    change.Status = 'PENDING';
  }
}

const DATA_PLANE = new Set(['DynamoDB', 'S3', 'SNS', 'CloudWatch', 'SecretsManager', 'Lambda']);
const FAULTED = new Set(['EC2', 'RDS', 'Route53']);

function latencyOf(service: string, operation: string): FixedDuration {
  if (DATA_PLANE.has(service)) return AWS_LATENCY.dataPlane;
  if (operation === 'RunInstances') return AWS_LATENCY.runInstances;
  return /^(Describe|Get|List)/.test(operation) ? AWS_LATENCY.describe : AWS_LATENCY.mutate;
}

function bucketsFor(service: string, operation: string, input: Json, region: string) {
  const out: { key: string; bucket: TokenBucket; cost?: number }[] = [];
  if (service === 'EC2') {
    const describe = /^Describe/.test(operation);
    out.push({
      key: `ec2:${region}:${operation}`,
      bucket: describe ? AWS_REQUEST_RATES.ec2NonMutating : AWS_REQUEST_RATES.ec2Mutating,
    });
    if (operation === 'RunInstances')
      out.push({
        key: `ec2:${region}:RunInstances:resource`,
        bucket: AWS_REQUEST_RATES.ec2RunInstancesResource,
        cost: Number(input.MaxCount ?? 1),
      });
    if (operation === 'TerminateInstances')
      out.push({
        key: `ec2:${region}:TerminateInstances:resource`,
        bucket: AWS_REQUEST_RATES.ec2TerminateInstancesResource,
        cost: ((input.InstanceIds as unknown[] | undefined) ?? []).length,
      });
  }
  if (service === 'RDS') out.push({ key: `rds:${region}`, bucket: AWS_REQUEST_RATES.rdsAccount });
  if (service === 'Route53') {
    out.push({ key: 'route53', bucket: AWS_REQUEST_RATES.route53Account });
    out.push({ key: `route53:${operation}`, bucket: AWS_REQUEST_RATES.route53PerOperation });
  }
  return out;
}

type Next = (args: { input: Json }) => Promise<{ output: Json }>;

/**
 * RunInstances with a ClientToken is idempotent on AWS: the same token answers the same
 * reservation (EC2 API Reference, "Ensure idempotency"). moto 5.2.1 launches again, so a retry after
 * a fault that came after the launch would double the instances.
 */
const launchesByToken = new Map<string, { output: Json }>();

async function idempotentLaunch(region: string, input: Json, launch: () => Promise<{ output: Json }>) {
  const token = typeof input.ClientToken === 'string' ? input.ClientToken : undefined;
  if (!token) return launch();
  const key = `${region}|${token}`;
  const earlier = launchesByToken.get(key);
  if (earlier) {
    const ids = ((earlier.output.Instances as Json[] | undefined) ?? []).map((i) => String(i.InstanceId));
    const client = ec2Clients.get(region) ?? new EC2Client({ region });
    ec2Clients.set(region, client);
    // After a reset of the emulator the reservation is gone: then this is a new launch.
    const still = await asHarness(() =>
      client.send(new DescribeInstancesCommand({ InstanceIds: ids })).then(
        (r) => (r.Reservations ?? []).length > 0,
        () => false,
      ),
    );
    if (still) return { ...earlier, output: structuredClone(earlier.output) };
  }
  const result = await launch();
  launchesByToken.set(key, { ...result, output: structuredClone(result.output) });
  return result;
}
type Context = { clientName?: string; commandName?: string };

function realisticMiddleware(client: SdkClient) {
  return (next: Next, context: Context) =>
    async (args: { input: Json }): Promise<{ output: Json }> => {
      const clock = virtualClock();
      const real = () => next(args);
      if (isHarnessCall()) return real();
      const service = (context.clientName ?? '').replace(/Client$/, '');
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      const region = await clientRegion(client);
      const call =
        service === 'EC2' && operation === 'RunInstances'
          ? () => idempotentLaunch(region, args.input, real)
          : real;
      if (config.mode === 'instant') {
        const result = await call();
        if (service === 'RDS' && operation === 'PromoteReadReplica') {
          timelines.set(region, rdsIdentifier(String(args.input.DBInstanceIdentifier)).id, {
            kind: 'db-instance',
            startedAt: 0,
            visibleAt: 0,
            phases: [],
            promotedAt: 0,
          });
        }
        if (service === 'RDS' && operation === 'DescribeDBInstances')
          overlayDescribe(timelines, service, operation, args.input, result.output, region, clock.now());
        return result;
      }

      const inTask = taskScope.getStore() === true;
      if (inTask) {
        stats.calls += 1;
        if (config.latency) await virtualSleep(fixedMs(latencyOf(service, operation)));
        if (
          config.throttling &&
          buckets.take(bucketsFor(service, operation, args.input, region), clock.now())
        ) {
          stats.throttled += 1;
          throw throttled(service);
        }
      }
      const fault =
        inTask && FAULTED.has(service) && config.faultRate > 0 && random() < config.faultRate
          ? random() < 0.5
            ? 'before'
            : 'after'
          : undefined;
      if (fault === 'before') {
        stats.faultsBefore += 1;
        throw serverFault(service, random() < 0.5);
      }
      try {
        checkPreconditions(timelines, service, operation, args.input, region, clock.now());
      } catch (error) {
        stats.notReady += 1;
        throw error;
      }
      // A restore retried by the SDK after a fault that came once it went through: AWS answers
      // DBClusterAlreadyExistsFault (RDS API Reference, RestoreDBClusterFromSnapshot, Errors);
      // moto 5.2.1 restores over the cluster and fails on its automated snapshot's name instead.
      if (service === 'RDS' && operation === 'RestoreDBClusterFromSnapshot') {
        const id = String(args.input.DBClusterIdentifier ?? '');
        if (await asHarness(() => clusterExists(region, id)))
          throw awsError('DBClusterAlreadyExistsFault', 400, `DB Cluster already exists: ${id}`);
      }
      const result = await call();
      const now = clock.now();
      // What the operator makes (seeding an estate, the story's interim changes) is there at once:
      // outside a run the virtual clock stands still, so it would otherwise never finish.
      if (inTask) await recordTimelines(service, operation, args.input, result.output, region, now);
      try {
        overlayDescribe(timelines, service, operation, args.input, result.output, region, now);
      } catch (error) {
        stats.hiddenByConsistency += 1;
        throw error;
      }
      if (fault === 'after') {
        stats.faultsAfter += 1;
        throw serverFault(service, random() < 0.5);
      }
      return result;
    };
}

type Stack = { add(fn: unknown, options: Record<string, unknown>): void };
const equipped = new WeakSet<object>();

/** Puts the middleware on every SDK client at its first call (idempotent). */
export function installRealisticAws(): void {
  wrapSdkSend(
    'realistic-aws',
    (send) =>
      function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
        const client = this as SdkClient & { middlewareStack?: Stack };
        if (client.middlewareStack && !equipped.has(client)) {
          equipped.add(client);
          // Deserialize step, ahead of the deserializer: inside the retry loop, seeing parsed answers.
          client.middlewareStack.add(realisticMiddleware(client), {
            step: 'deserialize',
            priority: 'high',
            name: 'pendulumLocalRealisticAws',
            override: true,
          });
        }
        // A global database promotion is answered by its test double above the SDK's middleware
        // (moto lacks it), so it is timed here: the promotion is under way for minutes.
        const operation = command.constructor.name.replace(/Command$/, '');
        if (
          config.mode !== 'instant' &&
          GLOBAL_PROMOTIONS.has(operation) &&
          taskScope.getStore() === true &&
          !isHarnessCall()
        )
          return (send.call(this, command, ...rest) as Promise<Json>).then(async (output) => {
            await recordTimelines('RDS', operation, command.input ?? {}, output, '', virtualClock().now());
            return output;
          });
        return send.call(this, command, ...rest);
      },
  );
}

const GLOBAL_PROMOTIONS = new Set(['SwitchoverGlobalCluster', 'FailoverGlobalCluster']);
