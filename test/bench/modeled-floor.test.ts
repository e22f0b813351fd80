/**
 * The modeled floor's arithmetic, against the figures of the one timing table (never copied here:
 * every expectation is written in terms of AWS_TIMINGS and AWS_REQUEST_RATES).
 */
import { describe, expect, it } from 'vitest';
import {
  chainTime,
  type FloorEstate,
  failbackFloor,
  failoverFloor,
  protectFloor,
  throttleMs,
} from '../../bench/modeled-floor';
import { floorEstate } from '../../bench/modeled-run';
import { type SyntheticEstate, syntheticPlan } from '../../bench/synthetic-estate';
import { AWS_REQUEST_RATES, AWS_TIMINGS, sizedMs } from '../../local/realistic-aws/aws-timings';

const T = AWS_TIMINGS;
const R = AWS_REQUEST_RATES;
const sized = (d: { baseMs: number; perGiBMs: number }, gib: number) => d.baseMs + d.perGiBMs * gib;
const seconds = (s: number) => s * 1000;
const bucket = { capacity: 10, refillPerSecond: 2, source: 'test' };

const estate = (instances: number, databases: number): FloorEstate => ({
  tiers: [
    { name: 'data', instances: 0, databases, instanceGiB: 0, databaseGiB: 20 },
    { name: 'app', instances, databases: 0, instanceGiB: 8, databaseGiB: 0 },
  ],
  dnsChangeBatches: 1,
});
const total = (terms: readonly { ms: number }[]) => terms.reduce((n, t) => n + t.ms, 0);

describe('request-rate terms', () => {
  it('N calls through a bucket of capacity C and refill r wait max(0, (N - C) / r) seconds', () => {
    expect(throttleMs(0, bucket)).toBe(0);
    expect(throttleMs(10, bucket)).toBe(0);
    expect(throttleMs(11, bucket)).toBe(seconds(0.5));
    expect(throttleMs(30, bucket)).toBe(seconds(10));
  });
});

describe('a chain of stages', () => {
  const stage = (name: string, durationMs: number, tokens = 0, key = 'k') => ({
    name,
    durationMs,
    buckets: tokens > 0 ? [{ key, bucket, tokens }] : [],
  });

  it('takes the sum of its stages when no bucket runs dry', () => {
    const chain = chainTime([stage('a', 1000, 5), stage('b', 2000)]);
    expect(chain).toEqual({
      ms: 3000,
      terms: [
        { term: 'a', ms: 1000 },
        { term: 'b', ms: 2000 },
      ],
    });
  });

  it('adds the wait of its most throttled bucket, as its own term', () => {
    const chain = chainTime([stage('a', 1000, 30, 'x'), stage('b', 2000, 20, 'y')]);
    expect(chain.ms).toBe(3000 + seconds(10));
    expect(chain.terms.at(-1)).toEqual({ term: 'throttled by x', ms: seconds(10) });
    expect(total(chain.terms)).toBe(chain.ms);
  });

  it('counts a bucket two stages share once, for all their calls, from the first to the last', () => {
    // Stages 1 and 3 share k (40 tokens: 15 s); stage 2's duration can overlap the wait.
    const chain = chainTime([stage('a', 1000, 20), stage('b', seconds(60)), stage('c', 3000, 20)]);
    expect(chain.ms).toBe(Math.max(1000 + seconds(60) + 3000, 0 + seconds(15) + 3000));
    const long = chainTime([stage('a', 1000, 20), stage('b', seconds(5)), stage('c', 3000, 20)]);
    expect(long.ms).toBe(seconds(15) + 3000);
    expect(total(long.terms)).toBe(long.ms);
  });
});

describe('the workflow floors', () => {
  it('failover: the data tier restored, then the app tier launched at RunInstances rates, then one DNS move', () => {
    const floor = failoverFloor(estate(1000, 100));
    const restore = sized(T.rds.restoreCreating, 20) + T.rds.restoreBackingUp.ms;
    const launchWait = Math.max(throttleMs(1000, R.ec2Mutating), throttleMs(1000, R.ec2RunInstancesResource));
    expect(launchWait).toBeGreaterThan(0);
    expect(floor.ms).toBe(restore + T.ec2.instancePending.ms + launchWait + T.route53.propagation.ms);
    expect(total(floor.terms)).toBe(floor.ms);
    expect(floor.terms.map((t) => t.term)).toEqual([
      'data databases: RestoreDBInstanceFromDBSnapshot 20 GiB (creating + backing-up)',
      'app instances: RunInstances → running',
      'app instances: throttled by ec2:recovery:RunInstances',
      'DNS: propagation',
    ]);
  });

  it('failover: a tier with both kinds waits for the slower, the floor grows with N only through throttling', () => {
    const mixed: FloorEstate = {
      tiers: [{ name: 'all', instances: 10, databases: 1, instanceGiB: 8, databaseGiB: 100 }],
      dnsChangeBatches: 1,
    };
    expect(failoverFloor(mixed).ms).toBe(
      sized(T.rds.restoreCreating, 100) + T.rds.restoreBackingUp.ms + T.route53.propagation.ms,
    );
    expect(failoverFloor(estate(10, 1)).ms).toBe(failoverFloor(estate(40, 1)).ms);
    expect(failoverFloor(estate(1000, 1)).ms).toBeGreaterThan(failoverFloor(estate(10, 1)).ms);
  });

  it('protect: the slower of image-and-copy and snapshot-and-copy, sized, all tiers at once', () => {
    const small = protectFloor(estate(10, 1));
    const images = sized(T.ec2.createImage, 8) + sized(T.ec2.copyImageCrossRegion, 8);
    const snapshots = sized(T.rds.createDbSnapshot, 20) + sized(T.rds.copyDbSnapshotCrossRegion, 20);
    expect(small.ms).toBe(Math.max(images, snapshots));
    const large = protectFloor(estate(1000, 100));
    expect(large.ms).toBe(
      Math.max(images + throttleMs(1000, R.ec2Mutating), snapshots + throttleMs(100, R.rdsAccount)),
    );
    expect(sizedMs(T.ec2.createImage, 8, 1)).toBe(sized(T.ec2.createImage, 8));
  });

  it('failback: home (image, copy, launch; snapshot, copy, restore), DNS, the soak, retiring the copies', () => {
    const waits = { strategy: 'cutover' as const, steps: 1, stepHoldMs: seconds(60), soakMs: seconds(3600) };
    const floor = failbackFloor(estate(10, 1), waits);
    const instances =
      sized(T.ec2.createImage, 8) + sized(T.ec2.copyImageCrossRegion, 8) + T.ec2.instancePending.ms;
    const databases =
      sized(T.rds.createDbSnapshot, 20) +
      sized(T.rds.copyDbSnapshotCrossRegion, 20) +
      sized(T.rds.restoreCreating, 20) +
      T.rds.restoreBackingUp.ms;
    expect(floor.ms).toBe(Math.max(instances, databases) + T.route53.propagation.ms + waits.soakMs);
    expect(floor.terms.map((t) => t.term)).toContain('plan: soak');
    expect(total(floor.terms)).toBe(floor.ms);
  });

  it('failback staged: a DNS move and a hold per weight', () => {
    const cutover = { strategy: 'cutover' as const, steps: 3, stepHoldMs: seconds(60), soakMs: 0 };
    const staged = { ...cutover, strategy: 'staged' as const };
    expect(failbackFloor(estate(10, 1), staged).ms - failbackFloor(estate(10, 1), cutover).ms).toBe(
      2 * T.route53.propagation.ms + 3 * staged.stepHoldMs,
    );
  });
});

describe('the bench estate as the floor sees it', () => {
  it('counts each tier in plan order: databases, and the instances of each role', () => {
    const fake = {
      app: 'bench',
      zoneName: 'bench.example.com',
      shape: {
        instances: 10,
        roles: { web: 5, api: 5 },
        databases: 1,
        managedRecords: 10,
        unmanagedRecords: 10,
      },
      databases: ['bench-db-0001'],
      primaryRegion: 'us-east-1',
      recoveryRegion: 'us-west-2',
      recoveryNetwork: { dbSubnetGroup: 'bench-recovery' },
    } as unknown as SyntheticEstate;
    const plan = syntheticPlan(fake, { healthUrl: 'http://127.0.0.1:9/health' });
    expect(floorEstate(plan, fake.shape.roles, { instanceGiB: 8, databaseGiB: 20 }, 1)).toEqual({
      tiers: [
        { name: 'data', instances: 0, databases: 1, instanceGiB: 0, databaseGiB: 20 },
        { name: 'app', instances: 10, databases: 0, instanceGiB: 8, databaseGiB: 0 },
      ],
      dnsChangeBatches: 1,
    });
  });
});
