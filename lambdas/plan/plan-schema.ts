/**
 * The protection plan: the one file that says what Pendulum protects and how.
 * The CDK app, the CLI and every Lambda task read the same parsed plan, so this schema is the contract.
 */
import { z } from 'zod';
import {
  DEFAULT_FAILBACK_CAPS,
  FAILBACK_EXECUTION_TIMEOUT_SECONDS,
  longestFailbackSeconds,
  MAX_RETIRE_CAP_SECONDS,
  MAX_SYNC_CAP_SECONDS,
  MIN_CAP_SECONDS,
} from '../failback/failback-caps';
import {
  MAX_WEBHOOK_RETRIES,
  MAX_WEBHOOK_TIMEOUT_SECONDS,
  MIN_WEBHOOK_TIMEOUT_SECONDS,
} from '../hooks/hook-budget';
import { DURATION_PATTERN, durationSeconds, formatDuration } from './duration';

const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ARN_PATTERN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12})?:.+$/;
const DNS_NAME_PATTERN =
  /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$/i;
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
const TAG_KEY_PATTERN = /^[^\s].{0,126}$/;

export const duration = z
  .string()
  .regex(DURATION_PATTERN, 'expected a duration such as 90s, 30m, 1h, 1h30m or 2d');
export const region = z.string().regex(REGION_PATTERN, 'expected an AWS region such as us-east-1');
export const arn = z
  .string()
  .regex(ARN_PATTERN, 'expected an ARN such as arn:aws:sns:us-east-1:123456789012:name');
const dnsName = z.string().max(255).regex(DNS_NAME_PATTERN, 'expected a DNS name such as www.example.com');
const name = z
  .string()
  .regex(NAME_PATTERN, 'expected a lower-case name of letters, digits and dashes, starting with a letter');
const instanceId = z
  .string()
  .regex(/^i-[0-9a-f]{8,17}$/, 'expected an EC2 instance id such as i-0abc12345def67890');
const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id such as subnet-0abc1234');
const securityGroupId = z
  .string()
  .regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id such as sg-0abc1234');
const dbIdentifier = z
  .string()
  .regex(
    /^[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z0-9]+)*$/,
    'expected an RDS identifier: letters, digits and single dashes, starting with a letter',
  )
  .max(63);
const hostedZoneId = z
  .string()
  .regex(/^Z[A-Z0-9]{1,31}$/, 'expected a hosted zone id such as Z0123456789ABC');
const cron = z
  .string()
  .regex(/^cron\(.+\)$/, 'expected an EventBridge Scheduler cron expression such as cron(0 2 ? * SUN *)');
const weight = z.number().int().min(1).max(100);
/** Bounds of `protection.copyCap`. */
export const COPY_CAP_MIN_SECONDS = 3600;
export const COPY_CAP_MAX_SECONDS = 7 * 86_400;

/**
 * A KMS key: its ARN, an alias ARN, or `alias/<name>` (in the region it is listed under). Aliases
 * are resolved when a task starts, so a key can be rotated to a new one by moving its alias.
 */
export const kmsKeyRef = z
  .string()
  .regex(
    /^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key\/(?:mrk-)?[0-9a-f-]{32,36}|alias\/[\w/-]{1,250})|alias\/[\w/-]{1,250})$/,
    'expected a KMS key ARN, an alias ARN or alias/<name>',
  )
  .refine((ref) => !/(^|:)alias\/aws\//.test(ref), {
    message:
      'expected a customer managed key: alias/aws/* names an AWS managed key, which Pendulum uses on its own',
  });
/** The key to encrypt with in each region, by region. */
export const kmsKeys = z.record(region, kmsKeyRef);

const tagSelector = z.strictObject({ key: z.string().regex(TAG_KEY_PATTERN), value: z.string().max(256) });

export const ec2Resource = z.strictObject({
  ec2: z
    .strictObject({
      /** Role the instances play; DNS targets and placement refer to it. */
      role: name,
      ids: z.array(instanceId).min(1).optional(),
      tag: tagSelector.optional(),
      /** Keys for this role's volumes, by region, over `encryption.kmsKeys`. */
      kmsKeys: kmsKeys.optional(),
    })
    .refine((v) => (v.ids === undefined) !== (v.tag === undefined), {
      message: 'expected exactly one of ids or tag',
    }),
});

export const rdsResource = z.strictObject({
  rds: z.strictObject({
    identifier: dbIdentifier,
    /** Role for placement; defaults to the identifier. */
    role: name.optional(),
    /** A cross-region read replica in the recovery region that is promoted instead of restoring a snapshot. */
    replicaIdentifier: dbIdentifier.optional(),
    /** How failback brings the data home. @default replica */
    failbackSync: z.enum(['replica', 'snapshot']).default('replica'),
    /** Keys for this database, by region, over `encryption.kmsKeys`. */
    kmsKeys: kmsKeys.optional(),
  }),
});

/**
 * An Aurora cluster, by its identifier in the primary region: protected by cluster snapshots,
 * restored with its writer and readers on failover (or, in a global database, its secondary
 * promoted), and brought home the same way on failback.
 */
export const auroraResource = z.strictObject({
  aurora: z.strictObject({
    clusterIdentifier: dbIdentifier,
    /** Role for placement; defaults to the identifier. */
    role: name.optional(),
    /** The Aurora global database the cluster belongs to: failover promotes its secondary instead of restoring. */
    globalClusterIdentifier: z.string().optional(),
    /** Keys for this cluster, by region, over `encryption.kmsKeys`. */
    kmsKeys: kmsKeys.optional(),
  }),
});

export const resource = z.union([ec2Resource, rdsResource, auroraResource], {
  error: () => 'expected a resource with exactly one of ec2, rds or aurora',
});

export const tier = z.strictObject({
  name,
  rpo: duration,
  /** A target, measured and reported; a tier that misses it goes on recovering up to `recoveryCap`. */
  rto: duration,
  /**
   * How long, from the start of a failover, the tier may take to become ready before the run gives
   * up on it; at least the RTO. @default 4h, or twice the RTO when that is longer
   */
  recoveryCap: duration.optional(),
  resources: z.array(resource).min(1, 'a tier needs at least one resource'),
  /** How often protection runs for this tier. @default a quarter of the RPO, at least 5m */
  protectEvery: duration.optional(),
});

/** Subnets and security groups by id, or by a tag so a plan can name resources it has not created yet. */
const taggedRef = z.strictObject({ tag: tagSelector });

export const placement = z
  .strictObject({
    subnets: z
      .array(
        z.union([subnetId, taggedRef], { error: () => 'expected a subnet id or { tag: { key, value } }' }),
      )
      .min(1)
      .optional(),
    securityGroups: z
      .array(
        z.union([securityGroupId, taggedRef], {
          error: () => 'expected a security group id or { tag: { key, value } }',
        }),
      )
      .optional(),
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'expected an instance type such as t3.small')
      .optional(),
    /** Instance profile (name or ARN) recovered instances run with, so they keep their IAM role. */
    instanceProfile: z
      .string()
      .regex(
        /^(?:arn:aws[a-z-]*:iam::\d{12}:instance-profile\/)?[\w+=,.@/-]{1,128}$/,
        'expected an instance profile name or ARN',
      )
      .optional(),
    /**
     * The IAM role behind `instanceProfile` (name or ARN): the only role Pendulum may pass to EC2 when
     * it launches this role's instances, in either region.
     */
    instanceRole: z
      .string()
      .regex(/^(?:arn:aws[a-z-]*:iam::\d{12}:role\/)?[\w+=,.@/-]{1,128}$/, 'expected an IAM role name or ARN')
      .optional(),
    /** EC2 key pair for recovered instances. */
    keyName: z.string().min(1).max(255).optional(),
    dbSubnetGroup: z.string().max(255).optional(),
    dbInstanceClass: z
      .string()
      .regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, 'expected a class such as db.t3.micro')
      .optional(),
  })
  .refine((p) => !p.instanceProfile || p.instanceRole, {
    path: ['instanceRole'],
    message:
      'expected the IAM role of instanceProfile: Pendulum may pass to EC2 only the roles the plan names (iam:PassRole)',
  });

/** Where a managed record points after failover (and back after failback). */
export const recordTarget = z.union(
  [
    z.strictObject({ role: name }),
    z.strictObject({
      database: dbIdentifier,
      /**
       * An Aurora cluster's endpoint to name: its writer (cluster) endpoint, or its reader endpoint
       * for read-only clients. Only for an Aurora cluster. @default writer
       */
      endpoint: z.enum(['writer', 'reader']).optional(),
    }),
    z.strictObject({ values: z.record(region, z.array(z.string().min(1)).min(1)) }),
  ],
  { error: () => 'expected a target with exactly one of role, database or values' },
);

export const managedRecord = z.strictObject({
  name: dnsName,
  type: z.enum(['A', 'AAAA', 'CNAME', 'TXT']),
  ttl: z.number().int().min(0).max(2147483647).default(60),
  /** Routing-policy records are keyed by set identifier. */
  setIdentifier: z.string().min(1).max(128).optional(),
  target: recordTarget,
  /**
   * A record clients write data through: it moves home once, for every client, at the data cutover
   * of a failback (after the write freeze and the final sync), and is never a weighted pair. A
   * record whose target is a database is always stateful. @default true for a database target
   */
  stateful: z.boolean().optional(),
});

export const hostedZone = z.strictObject({
  /** The zone's id; without it the zone is found by name (it must then be the only one of that name). */
  id: hostedZoneId.optional(),
  name: dnsName,
  private: z.boolean().default(false),
  records: z.array(managedRecord).default([]),
});

/** Each attempt's timeout is capped so that one slow webhook cannot use up a phase's time. */
const webhookTimeout = duration.refine(
  (text) =>
    !DURATION_PATTERN.test(text) ||
    (durationSeconds(text) >= MIN_WEBHOOK_TIMEOUT_SECONDS &&
      durationSeconds(text) <= MAX_WEBHOOK_TIMEOUT_SECONDS),
  `expected a timeout from ${formatDuration(MIN_WEBHOOK_TIMEOUT_SECONDS)} to ${formatDuration(MAX_WEBHOOK_TIMEOUT_SECONDS)}`,
);

/**
 * A post-phase hook that fails (or objects) after DNS moved is a warning on a successful run unless it
 * must pass; pre-phase hooks always gate the run.
 */
const mustPass = z.boolean().optional();

export const hook = z.union(
  [
    z.strictObject({
      webhook: z.strictObject({
        url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
        /** Secrets Manager secret holding the HMAC-SHA256 signing key. */
        secretArn: arn,
        timeout: webhookTimeout.default('10s'),
        retries: z
          .number()
          .int('expected a whole number of retries')
          .min(0, 'expected 0 or more retries')
          .max(MAX_WEBHOOK_RETRIES, `expected at most ${MAX_WEBHOOK_RETRIES} retries`)
          .default(2),
        mustPass,
      }),
    }),
    z.strictObject({ lambda: z.strictObject({ functionArn: arn, mustPass }) }),
  ],
  { error: () => 'expected a hook with exactly one of webhook or lambda' },
);

export const hooks = z
  .strictObject({
    preFailover: z.array(hook).default([]),
    postFailover: z.array(hook).default([]),
    preFailback: z.array(hook).default([]),
    postFailback: z.array(hook).default([]),
  })
  .default({ preFailover: [], postFailover: [], preFailback: [], postFailback: [] });

/**
 * A check that must pass in the region being moved to before DNS points there. Lambda cannot
 * reach instances' private addresses without VPC access, so checks go through a URL (a load
 * balancer or public endpoint; `{region}` is replaced by the target region) or a CloudWatch alarm.
 */
export const healthCheck = z
  .strictObject({
    name,
    url: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'expected an http(s) URL; {region} is replaced by the target region')
      .optional(),
    /** A CloudWatch alarm in the target region that must be OK. */
    alarmName: z.string().min(1).max(255).optional(),
    expectStatus: z.number().int().min(100).max(599).default(200),
    timeout: duration.default('5s'),
  })
  .refine((v) => (v.url === undefined) !== (v.alarmName === undefined), {
    message: 'expected exactly one of url or alarmName',
  });

export const failbackWindow = z.strictObject({
  cron,
  timezone: z.string().min(1).default('UTC'),
  duration,
});

/** A duration between `min` and `max` seconds. */
const durationWithin = (min: number, max: number) =>
  duration.refine((d) => durationSeconds(d) >= min && durationSeconds(d) <= max, {
    message: `expected a duration from ${formatDuration(min)} to ${formatDuration(max)}`,
  });

/**
 * How writes stop in the recovery region before failback's final sync, so that nothing written
 * there is lost: `hook` (the preFailback hooks are asked to freeze and must answer
 * `{ "writesFrozen": true }`), `readOnly` (Pendulum makes the recovery databases read-only through
 * their DB parameter group), `maintenance` (the stateless records point at `maintenance` while the
 * final sync runs), or `none` (no freeze: the writes between the final sync and the data cutover
 * are at risk, and the report says how long that window was).
 */
export const FREEZE_MODES = ['hook', 'readOnly', 'maintenance', 'none'] as const;
export type FreezeMode = (typeof FREEZE_MODES)[number];

/** Where the stateless records point while a `maintenance` freeze holds, by record type. */
export const maintenanceTarget = z
  .strictObject({
    A: z.array(z.ipv4()).min(1).optional(),
    AAAA: z.array(z.ipv6()).min(1).optional(),
    CNAME: dnsName.optional(),
  })
  .refine((m) => m.A || m.AAAA || m.CNAME, { message: 'expected at least one of A, AAAA or CNAME' });

export const failback = z
  .strictObject({
    /** @default hook when the plan has preFailback hooks, else readOnly when it has databases, else none */
    freeze: z.enum(FREEZE_MODES).optional(),
    maintenance: maintenanceTarget.optional(),
    strategy: z.enum(['cutover', 'staged']).default('cutover'),
    /** Weights (percent to the primary) walked in order by a staged failback; the last must be 100. */
    steps: z.array(weight).min(1).default([10, 50, 100]),
    /** How long a staged step is held before the health gate is read. */
    stepHold: duration.default('5m'),
    /**
     * How long recovery-region copies are kept after a successful failback. Up to 7d the failback
     * execution waits it out; a longer soak is handed to a scheduled retirement (EventBridge Scheduler).
     */
    soak: duration.default('24h'),
    /**
     * How long bringing data and instances home may take, through promotion of the home
     * databases; past it the failback fails (DNS untouched) naming what was still pending.
     */
    syncCap: durationWithin(MIN_CAP_SECONDS, MAX_SYNC_CAP_SECONDS).default(DEFAULT_FAILBACK_CAPS.syncCap),
    /** How long each retirement (stale primary, recovery copies) may wait for its final copies. */
    retireCap: durationWithin(MIN_CAP_SECONDS, MAX_RETIRE_CAP_SECONDS).default(
      DEFAULT_FAILBACK_CAPS.retireCap,
    ),
    prefer: z.enum(['failback', 'current']).optional(),
    windows: z.array(failbackWindow).default([]),
    requireApproval: z.boolean().default(false),
  })
  .superRefine((f, ctx) => {
    const seconds = (d: string) => (DURATION_PATTERN.test(d) ? durationSeconds(d) : 0);
    const longest = longestFailbackSeconds({
      syncCapSeconds: seconds(f.syncCap),
      retireCapSeconds: seconds(f.retireCap),
      soakSeconds: seconds(f.soak),
      // A run may be started staged whatever the plan's strategy says.
      stagedHoldSeconds: f.steps.length * seconds(f.stepHold),
    });
    // A soak longer than a week is handed to a scheduled retirement and needs no room here; with
    // caps at their maxima and a week's soak the rest fits, so only staged holds can overrun.
    if (longest > FAILBACK_EXECUTION_TIMEOUT_SECONDS)
      ctx.addIssue({
        code: 'custom',
        path: ['stepHold'],
        message: `expected shorter staged holds: with the caps, the soak and 1d for the rest, a failback could run ${formatDuration(longest)}, past its execution's ${formatDuration(FAILBACK_EXECUTION_TIMEOUT_SECONDS)}`,
      });
  })
  .default({
    strategy: 'cutover',
    steps: [10, 50, 100],
    stepHold: '5m',
    soak: '24h',
    ...DEFAULT_FAILBACK_CAPS,
    windows: [],
    requireApproval: false,
  });

export const triggers = z
  .strictObject({
    alarms: z.array(arn).default([]),
    compositeAlarm: z.string().min(1).optional(),
    mode: z.enum(['automatic', 'approval']).default('approval'),
    confirmationDelay: duration.default('5m'),
    cooldown: duration.default('1h'),
    approvalTimeout: duration.default('30m'),
    onApprovalTimeout: z.enum(['stop', 'proceed']).default('stop'),
  })
  .default({
    alarms: [],
    mode: 'approval',
    confirmationDelay: '5m',
    cooldown: '1h',
    approvalTimeout: '30m',
    onApprovalTimeout: 'stop',
  });

export const protection = z
  .strictObject({
    /** Recovery points kept per resource; the newest is never pruned. */
    retain: z.number().int().min(1).max(1000).default(7),
    /** Create AMIs without rebooting the instance (crash-consistent). */
    noReboot: z.boolean().default(true),
    /**
     * How long one protection run may wait, from its start, for its images, snapshots and
     * cross-region copies; past it the run fails and names what was still pending. A first
     * snapshot of a large volume and a cross-region copy of a large database each take hours.
     * @default 24h
     */
    copyCap: duration
      .refine((text) => !DURATION_PATTERN.test(text) || durationSeconds(text) >= COPY_CAP_MIN_SECONDS, {
        message: 'must be at least 1h: first snapshots and cross-region copies take hours',
      })
      .refine((text) => !DURATION_PATTERN.test(text) || durationSeconds(text) <= COPY_CAP_MAX_SECONDS, {
        message: "must be at most 7d, so a run's polls stay within a Step Functions execution history",
      })
      .default('24h'),
  })
  .default({ retain: 7, noReboot: true, copyCap: '24h' });

export const drills = z
  .strictObject({
    schedules: z.array(z.strictObject({ cron, timezone: z.string().min(1).default('UTC') })).default([]),
    /** Prefix for drill record names: `drill.www.example.com`. */
    recordPrefix: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .default('drill'),
  })
  .default({ schedules: [], recordPrefix: 'drill' });

/**
 * How copies are encrypted. A copy is encrypted with the key of the region it lands in: the
 * resource's own (`kmsKeys` on the resource), else the plan's, else, for a multi-Region key
 * (`mrk-`) named for the other region, its replica of the same id. A source encrypted with an AWS
 * managed key is copied under the AWS managed key of the other region. Encrypted never becomes
 * unencrypted; an unencrypted source stays unencrypted unless `encryptUnencrypted` is set.
 */
export const encryption = z
  .strictObject({
    kmsKeys: kmsKeys.default({}),
    /** Encrypt the copies of unencrypted sources with the region's key. @default false */
    encryptUnencrypted: z.boolean().default(false),
  })
  .default({ kmsKeys: {}, encryptUnencrypted: false });

export const notifications = z
  .strictObject({
    /** Use an existing topic instead of the one the stack creates. */
    topicArn: arn.optional(),
    emails: z.array(z.email()).default([]),
  })
  .default({ emails: [] });

export const planSchema = z.strictObject({
  app: name,
  primaryRegion: region,
  recoveryRegion: region,
  tiers: z.array(tier).min(1, 'a plan needs at least one tier'),
  placement: z.record(name, placement).default({}),
  dns: z.strictObject({ zones: z.array(hostedZone).default([]) }).default({ zones: [] }),
  encryption,
  hooks,
  healthChecks: z.array(healthCheck).default([]),
  failback,
  triggers,
  protection,
  drills,
  notifications,
});

export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
export type Tier = z.infer<typeof tier>;
export type PlanResource = z.infer<typeof resource>;
export type Ec2Resource = z.infer<typeof ec2Resource>['ec2'];
export type RdsResource = z.infer<typeof rdsResource>['rds'];
export type ManagedRecord = z.infer<typeof managedRecord>;
export type HostedZonePlan = z.infer<typeof hostedZone>;
export type RecordTarget = z.infer<typeof recordTarget>;
export type Hook = z.infer<typeof hook>;
export type HealthCheck = z.infer<typeof healthCheck>;
export type MaintenanceTarget = z.infer<typeof maintenanceTarget>;
export type Placement = z.infer<typeof placement>;
export type Encryption = z.infer<typeof encryption>;
export type KmsKeys = z.infer<typeof kmsKeys>;
