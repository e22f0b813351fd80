/**
 * The modeled floor: how long a workflow must take on AWS at least, whoever runs it. It is the
 * slowest unavoidable chain of operations for the estate, timed with nothing but the durations,
 * request rates (token buckets) and latencies of local/realistic-aws/aws-timings.ts, the table the
 * realistic local AWS draws from, so the floor and a realistic run are judged by the same AWS.
 *
 * A chain is a list of stages (create the images, copy them, launch from them): every resource goes
 * through them in order, and a stage's calls pass through token buckets. With full buckets at the
 * start, the last call through bucket K (first used at stage f, last at stage l, `calls` in all)
 * goes out no earlier than the time the first resource reaches f plus `throttleMs(calls, K)`, and
 * its resource still needs stages l.. after it. So the chain takes at least
 *
 *   max over K of (Σ durations before f + throttle(K) + Σ durations from l on),
 *
 * and at least the sum of its durations. Nominal durations (no spread), no faults, no latency.
 */
import {
  AWS_REQUEST_RATES,
  AWS_TIMINGS,
  type FixedDuration,
  type SizedDuration,
  sizedMs,
  type TokenBucket,
} from '../local/realistic-aws/aws-timings';

/** N calls (or tokens) through a bucket of capacity C and refill r: max(0, (N − C) / r) seconds. */
export function throttleMs(tokens: number, bucket: TokenBucket): number {
  return (Math.max(0, tokens - bucket.capacity) / bucket.refillPerSecond) * 1000;
}

const sized = (duration: SizedDuration, gib: number) => sizedMs(duration, gib, 1);
const fixed = (duration: FixedDuration) => duration.ms;

/** Tokens a stage takes from one bucket; `key` names the bucket (shared keys share tokens). */
export interface BucketUse {
  readonly key: string;
  readonly bucket: TokenBucket;
  readonly tokens: number;
}

export interface Stage {
  readonly name: string;
  readonly durationMs: number;
  readonly buckets: readonly BucketUse[];
}

/** One named part of a floor and what it costs (throttle waits are their own terms). */
export interface FloorTerm {
  readonly term: string;
  readonly ms: number;
}

export interface ChainTime {
  readonly ms: number;
  readonly terms: readonly FloorTerm[];
}

/** The least time a chain of stages takes (see the header). */
export function chainTime(stages: readonly Stage[]): ChainTime {
  const durations = stages.map((s) => s.durationMs);
  const before = (i: number) => durations.slice(0, i).reduce((a, b) => a + b, 0);
  const from = (i: number) => durations.slice(i).reduce((a, b) => a + b, 0);
  const total = from(0);
  const keys = [...new Set(stages.flatMap((s) => s.buckets.map((b) => b.key)))];
  let best = { ms: total, key: undefined as string | undefined, wait: 0 };
  for (const key of keys) {
    const using = stages.flatMap((s, i) => (s.buckets.some((b) => b.key === key) ? [i] : []));
    const uses = stages.flatMap((s) => s.buckets.filter((b) => b.key === key));
    const bucket = uses[0]?.bucket as TokenBucket;
    const wait = throttleMs(
      uses.reduce((n, u) => n + u.tokens, 0),
      bucket,
    );
    const first = using[0] as number;
    const last = using.at(-1) as number;
    const ms = before(first) + wait + from(last);
    if (wait > 0 && ms > best.ms) best = { ms, key, wait };
  }
  const terms: FloorTerm[] = stages
    .filter((s) => s.durationMs > 0)
    .map((s) => ({ term: s.name, ms: s.durationMs }));
  if (best.key) terms.push({ term: `throttled by ${best.key}`, ms: best.ms - total });
  return { ms: best.ms, terms };
}

/** The slowest of chains that run side by side: its time and terms, labelled. */
function slowest(chains: readonly { label: string; chain: ChainTime }[]): ChainTime & { label?: string } {
  const top = [...chains].sort((a, b) => b.chain.ms - a.chain.ms)[0];
  if (!top || top.chain.ms === 0) return { ms: 0, terms: [] };
  return {
    label: top.label,
    ms: top.chain.ms,
    terms: top.chain.terms.map((t) => ({ term: `${top.label}: ${t.term}`, ms: t.ms })),
  };
}

/** What the floor needs to know of the estate, per tier in plan order. */
export interface FloorTier {
  readonly name: string;
  readonly instances: number;
  readonly databases: number;
  /** The largest instance's volumes, in GiB (its image's size). */
  readonly instanceGiB: number;
  /** The largest database's allocated storage, in GiB. */
  readonly databaseGiB: number;
}

export interface FloorEstate {
  readonly tiers: readonly FloorTier[];
  /** Route 53 change batches one DNS move needs (all zones). */
  readonly dnsChangeBatches: number;
}

export interface FailbackWaits {
  readonly strategy: 'cutover' | 'staged';
  /** Weights a staged failback walks. */
  readonly steps: number;
  readonly stepHoldMs: number;
  readonly soakMs: number;
}

export interface ModeledFloor {
  readonly ms: number;
  /** The terms that add up to `ms`, in order. */
  readonly terms: readonly FloorTerm[];
}

const sum = (terms: readonly FloorTerm[]) => terms.reduce((n, t) => n + t.ms, 0);
const floorOf = (terms: readonly FloorTerm[]): ModeledFloor => ({ ms: sum(terms), terms });

/** The whole estate as one: counts add up, sizes are the largest. */
function whole(estate: FloorEstate): FloorTier {
  return {
    name: 'all',
    instances: estate.tiers.reduce((n, t) => n + t.instances, 0),
    databases: estate.tiers.reduce((n, t) => n + t.databases, 0),
    instanceGiB: Math.max(0, ...estate.tiers.map((t) => t.instanceGiB)),
    databaseGiB: Math.max(0, ...estate.tiers.map((t) => t.databaseGiB)),
  };
}

const R = AWS_REQUEST_RATES;
const T = AWS_TIMINGS;

const ec2 = (region: string, api: string, calls: number): BucketUse => ({
  key: `ec2:${region}:${api}`,
  bucket: api.startsWith('Describe') ? R.ec2NonMutating : R.ec2Mutating,
  tokens: calls,
});
const rds = (region: string, calls: number): BucketUse => ({
  key: `rds:${region}`,
  bucket: R.rdsAccount,
  tokens: calls,
});
/** One instance per call: each comes from its own image. */
const runInstances = (region: string, instances: number): BucketUse[] => [
  ec2(region, 'RunInstances', instances),
  { key: `ec2:${region}:RunInstances:resource`, bucket: R.ec2RunInstancesResource, tokens: instances },
];
const stage = (name: string, durationMs: number, buckets: BucketUse[]): Stage => ({
  name,
  durationMs,
  buckets,
});

/** Only resources that exist make a chain. */
const chainIf = (count: number, stages: () => Stage[]): ChainTime =>
  count > 0 ? chainTime(stages()) : { ms: 0, terms: [] };

/** One DNS move: its change batches through Route 53's buckets, then propagation to INSYNC. */
function dnsMove(batches: number, label = 'DNS'): FloorTerm[] {
  if (batches <= 0) return [];
  const chain = chainTime([
    stage('propagation', fixed(T.route53.propagation), [
      { key: 'route53', bucket: R.route53Account, tokens: batches },
      { key: 'route53:ChangeResourceRecordSets', bucket: R.route53PerOperation, tokens: batches },
    ]),
  ]);
  return chain.terms.map((t) => ({ term: `${label}: ${t.term}`, ms: t.ms }));
}

/**
 * Protect: every instance imaged then copied to the recovery region, every database snapshotted then
 * copied, all at once (nothing forces one tier after another). The slowest of the two chains.
 */
export function protectFloor(estate: FloorEstate): ModeledFloor {
  const all = whole(estate);
  const images = chainIf(all.instances, () => [
    stage(`CreateImage ${all.instanceGiB} GiB`, sized(T.ec2.createImage, all.instanceGiB), [
      ec2('primary', 'CreateImage', all.instances),
    ]),
    stage(
      `CopyImage cross-region ${all.instanceGiB} GiB`,
      sized(T.ec2.copyImageCrossRegion, all.instanceGiB),
      [ec2('recovery', 'CopyImage', all.instances)],
    ),
  ]);
  const snapshots = chainIf(all.databases, () => [
    stage(`CreateDBSnapshot ${all.databaseGiB} GiB`, sized(T.rds.createDbSnapshot, all.databaseGiB), [
      rds('primary', all.databases),
    ]),
    stage(
      `CopyDBSnapshot cross-region ${all.databaseGiB} GiB`,
      sized(T.rds.copyDbSnapshotCrossRegion, all.databaseGiB),
      [rds('recovery', all.databases)],
    ),
  ]);
  return floorOf([
    ...slowest([
      { label: 'instances', chain: images },
      { label: 'databases', chain: snapshots },
    ]).terms,
  ]);
}

/** Restoring one tier in the recovery region: its databases restored, its instances launched. */
function recoverTier(tier: FloorTier): readonly FloorTerm[] {
  const restores = chainIf(tier.databases, () => [
    stage(
      `RestoreDBInstanceFromDBSnapshot ${tier.databaseGiB} GiB (creating + backing-up)`,
      sized(T.rds.restoreCreating, tier.databaseGiB) + fixed(T.rds.restoreBackingUp),
      [rds('recovery', tier.databases)],
    ),
  ]);
  const launches = chainIf(tier.instances, () => [
    stage('RunInstances → running', fixed(T.ec2.instancePending), runInstances('recovery', tier.instances)),
  ]);
  return slowest([
    { label: `${tier.name} databases`, chain: restores },
    { label: `${tier.name} instances`, chain: launches },
  ]).terms;
}

/**
 * Failover: one tier after another in plan order (a tier's servers need the data before them),
 * each as slow as its slowest resource; then one DNS move.
 */
export function failoverFloor(estate: FloorEstate): ModeledFloor {
  return floorOf([...estate.tiers.flatMap(recoverTier), ...dnsMove(estate.dnsChangeBatches)]);
}

/**
 * Failback (databases by snapshot): everything brought home at once — each instance imaged in the
 * recovery region, the image copied home and launched; each database snapshotted, copied home and
 * restored — while the stale primary's final images are taken and it is retired; then the DNS move
 * (per weight and hold when staged), the plan's soak, and the recovery copies retired.
 */
export function failbackFloor(estate: FloorEstate, waits: FailbackWaits): ModeledFloor {
  const all = whole(estate);
  const gi = all.instanceGiB;
  const gd = all.databaseGiB;
  const instancesHome = chainIf(all.instances, () => [
    stage(`CreateImage ${gi} GiB`, sized(T.ec2.createImage, gi), [
      ec2('recovery', 'CreateImage', all.instances),
    ]),
    stage(`CopyImage cross-region ${gi} GiB`, sized(T.ec2.copyImageCrossRegion, gi), [
      ec2('primary', 'CopyImage', all.instances),
    ]),
    stage('RunInstances → running', fixed(T.ec2.instancePending), runInstances('primary', all.instances)),
  ]);
  const databasesHome = chainIf(all.databases, () => [
    stage(`CreateDBSnapshot ${gd} GiB`, sized(T.rds.createDbSnapshot, gd), [rds('recovery', all.databases)]),
    stage(`CopyDBSnapshot cross-region ${gd} GiB`, sized(T.rds.copyDbSnapshotCrossRegion, gd), [
      rds('primary', all.databases),
    ]),
    stage(
      `RestoreDBInstanceFromDBSnapshot ${gd} GiB (creating + backing-up)`,
      sized(T.rds.restoreCreating, gd) + fixed(T.rds.restoreBackingUp),
      [rds('primary', all.databases)],
    ),
  ]);
  // The stale primary (home region) keeps a final image per instance before it is terminated,
  // and each database is deleted with a final snapshot RDS takes on its own.
  const terminations = (region: string) => [
    ec2(region, 'TerminateInstances', Math.ceil(all.instances / 1000)),
    {
      key: `ec2:${region}:TerminateInstances:resource`,
      bucket: R.ec2TerminateInstancesResource,
      tokens: all.instances,
    },
  ];
  const staleInstances = chainIf(all.instances, () => [
    stage(`final CreateImage ${gi} GiB`, sized(T.ec2.createImage, gi), [
      ec2('primary', 'CreateImage', all.instances),
    ]),
    stage('TerminateInstances', 0, terminations('primary')),
  ]);
  const staleDatabases = chainIf(all.databases, () => [
    stage('DeleteDBInstance (final snapshot)', 0, [rds('primary', all.databases)]),
  ]);
  const home = slowest([
    { label: 'instances home', chain: instancesHome },
    { label: 'databases home', chain: databasesHome },
    { label: 'stale primary instances retired', chain: staleInstances },
    { label: 'stale primary databases retired', chain: staleDatabases },
  ]).terms;
  const moves = waits.strategy === 'staged' ? Math.max(1, waits.steps) : 1;
  const dns = Array.from({ length: moves }, (_, i) => [
    ...dnsMove(estate.dnsChangeBatches, moves > 1 ? `DNS step ${i + 1}` : 'DNS'),
    ...(waits.strategy === 'staged' && waits.stepHoldMs > 0
      ? [{ term: `plan: step ${i + 1} hold`, ms: waits.stepHoldMs }]
      : []),
  ]).flat();
  // The recovery copies' home images are their final images: retiring them is terminations and deletes.
  const copies = slowest([
    {
      label: 'recovery copies retired',
      chain: chainIf(all.instances, () => [stage('TerminateInstances', 0, terminations('recovery'))]),
    },
    {
      label: 'recovery databases retired',
      chain: chainIf(all.databases, () => [stage('DeleteDBInstance', 0, [rds('recovery', all.databases)])]),
    },
  ]).terms;
  return floorOf([
    ...home,
    ...dns,
    ...(waits.soakMs > 0 ? [{ term: 'plan: soak', ms: waits.soakMs }] : []),
    ...copies,
  ]);
}
