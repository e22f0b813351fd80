/**
 * The failover workflow as `cdk synth` produced it, run locally against moto with the real
 * handlers: the sample estate fails over, and everything the issue promises is checked in AWS.
 */
import {
  CreateKeyPairCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { recordKey } from '../../lambdas/dns/record-key';
import type { DnsSnapshot } from '../../lambdas/failover/dns-snapshot';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { startApiCallCounter } from '../../local/api-call-counter';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { setLocalVcpuQuota } from '../../local/vcpu-quota-double';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();

const MANAGED = [
  'www.shop.example.com.',
  'api.shop.example.com.',
  'db.shop.example.com.',
  'static.shop.example.com.',
];
const isManaged = (r: ResourceRecordSet) => MANAGED.includes(r.Name ?? '');

async function recoveredInstances(region = 'us-west-2'): Promise<Instance[]> {
  const { Reservations = [] } = await clients()
    .ec2(region)
    .send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG.failover}`, Values: ['*'] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      }),
    );
  return Reservations.flatMap((r) => r.Instances ?? []);
}

async function recoveredDatabases(region = 'us-west-2') {
  const { DBInstances = [] } = await clients().rds(region).send(new DescribeDBInstancesCommand({}));
  return DBInstances;
}

describe('the failover workflow', () => {
  let plan: Plan;
  let estate: SampleEstate;
  let stack: LocalStack;

  async function protect(now?: string) {
    const result = await stack.run(
      'protect',
      {},
      now
        ? {
            taskOverrides: {
              ProtectTier: (payload, call) => call.invokeOriginal?.({ ...(payload as object), now }),
            },
          }
        : {},
    );
    expect(result.status, result.cause).toBe('SUCCEEDED');
  }

  beforeEach(async () => {
    // Prepare: a fresh estate, its stack, and recovery points.
    await aws.reset();
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
    });
    estate = await createSampleEstate(clients(), { extraRecords: 320 });
    stack = await deployLocalStack(plan);
  });

  it('fails the sample estate over: DNS at the recovered resources, unmanaged records untouched, outcome recorded', async () => {
    // Prepare
    await protect();
    const before = await listZoneRecords(clients().route53(), estate.zoneId);
    expect(before.length).toBeGreaterThan(300); // listing must page
    const counter = startApiCallCounter();

    // Act
    const result = await stack.run('failover', {});
    counter.stop();

    // Assess: the run
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      status: 'FAILED_OVER',
      activeRegion: 'us-west-2',
      recovered: 5,
      targetsMet: true,
    });

    // Assess: resources in the recovery region, one per source
    const instances = await recoveredInstances();
    expect(instances).toHaveLength(4);
    const sources = instances.map((i) => i.Tags?.find((t) => t.Key === TAG.source)?.Value).sort();
    expect(sources).toEqual([...estate.instances.web, ...estate.instances.api].sort());
    const dbs = (await recoveredDatabases()).filter((db) =>
      db.DBInstanceIdentifier?.startsWith('shop-db-pf-'),
    );
    expect(dbs).toHaveLength(1);

    // Assess: DNS
    const after = await listZoneRecords(clients().route53(), estate.zoneId);
    const byKey = new Map(after.map((r) => [recordKey(r), r]));
    const values = (key: string) =>
      (byKey.get(key as never)?.ResourceRecords ?? []).map((v) => v.Value).sort();
    const webIps = instances
      .filter((i) => i.Tags?.some((t) => t.Key === TAG.role && t.Value === 'web'))
      .map((i) => i.PublicIpAddress ?? i.PrivateIpAddress)
      .sort();
    expect(values('www.shop.example.com. A')).toEqual(webIps);
    expect(values('db.shop.example.com. CNAME')).toEqual([dbs[0]?.Endpoint?.Address]);
    expect(values('static.shop.example.com. CNAME')).toEqual(['static-west.shop-cdn.example.net']);
    const unmanagedBefore = before.filter((r) => !isManaged(r));
    const unmanagedAfter = after.filter((r) => !isManaged(r));
    expect(unmanagedAfter).toEqual(unmanagedBefore);

    // Assess: one change batch per zone
    expect(counter.count('Route53.ChangeResourceRecordSets')).toBe(1);

    // Assess: the snapshot in S3 is the zone as it was before failover
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const app = await state.getApp('shop', 'us-east-1');
    expect(app).toMatchObject({ status: 'FAILED_OVER', activeRegion: 'us-west-2' });
    const artifacts = new ArtifactStore(clients().s3(), stack.bucketName);
    const snapshot = await artifacts.getJson<DnsSnapshot>(String(app.dnsSnapshotKey));
    expect(snapshot.zones[0]?.count).toBe(before.length);
    expect(snapshot.zones[0]?.records).toEqual(before);

    // Assess: RTO and RPO recorded
    const run = await state.getRun('shop', String(app.lastFailoverRunId));
    expect(run).toMatchObject({ status: 'SUCCEEDED', targetsMet: true });
    expect(typeof run?.rtoSeconds).toBe('number');
    expect(Object.keys(run?.rpoSeconds as object).sort()).toEqual(
      ['shop-db', ...estate.instances.web, ...estate.instances.api].sort(),
    );
    const outcome = await artifacts.getJson<{ inventory: unknown[]; metrics: { tiers: unknown[] } }>(
      String(app.outcomeKey),
    );
    expect(outcome.inventory).toHaveLength(5);
    // Assess: the run's report sits beside its outcome
    for (const ext of ['md', 'html']) {
      const key = String(app.outcomeKey).replace(/outcome\.json$/, `report.${ext}`);
      const { Body } = await clients()
        .s3()
        .send(new GetObjectCommand({ Bucket: stack.bucketName, Key: key }));
      expect(await Body?.transformToString()).toMatch(/shop/);
    }
    expect(outcome.metrics.tiers).toHaveLength(2);
  });

  it('launches recovered instances with the instance profile and key pair the plan names', async () => {
    // Prepare: the role's IAM identity exists in the account, as it would on AWS
    const iam = new IAMClient({ region: 'us-east-1' });
    await iam.send(new CreateRoleCommand({ RoleName: 'shop-web', AssumeRolePolicyDocument: '{}' }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'shop-web' }));
    await iam.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'shop-web', RoleName: 'shop-web' }),
    );
    await clients()
      .ec2('us-west-2')
      .send(new CreateKeyPairCommand({ KeyName: 'shop-ops' }));
    const withProfile = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.placement = {
        ...p.placement,
        web: {
          ...p.placement?.web,
          instanceProfile: 'shop-web',
          instanceRole: 'shop-web',
          keyName: 'shop-ops',
        },
      };
    });
    const profiled = await deployLocalStack(withProfile);
    expect((await profiled.run('protect', {})).status).toBe('SUCCEEDED');

    // Act
    const result = await profiled.run('failover', {});

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const web = (await recoveredInstances()).filter((i) =>
      i.Tags?.some((t) => t.Key === TAG.role && t.Value === 'web'),
    );
    expect(web).toHaveLength(2);
    for (const instance of web) {
      expect(instance.IamInstanceProfile?.Arn).toMatch(/instance-profile\/shop-web$/);
      expect(instance.KeyName).toBe('shop-ops');
    }
  });

  it('a second failover is refused with a named error and creates nothing', async () => {
    await protect();
    expect((await stack.run('failover', {})).status).toBe('SUCCEEDED');

    const second = await stack.run('failover', {});

    expect(second.status).toBe('FAILED');
    expect(second.error).toBe('WrongStateError');
    expect(second.cause).toMatch(/shop is FAILED_OVER/);
    expect(await recoveredInstances()).toHaveLength(4);
  });

  it('re-running after a failure injected mid-tier leaves exactly one recovered copy of each resource', async () => {
    // Prepare: the app tier's recovery starts its instances, then the task "crashes"
    await protect();
    let injected = false;
    const failing = await stack.run(
      'failover',
      {},
      {
        taskOverrides: {
          RecoverTier: async (payload, call) => {
            const result = await call.invokeOriginal?.(payload);
            if ((payload as { tier: { name: string } }).tier.name === 'app' && !injected) {
              injected = true;
              throw Object.assign(new Error('injected crash after launching'), { name: 'InjectedFault' });
            }
            return result;
          },
        },
      },
    );
    expect(failing.status).toBe('FAILED');
    expect(failing.error).toBe('InjectedFault');
    const state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILOVER_FAILED');
    expect(await recoveredInstances()).toHaveLength(4);

    // Act
    const rerun = await stack.run('failover', {});

    // Assess
    expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
    expect(await recoveredInstances()).toHaveLength(4);
    expect(
      (await recoveredDatabases()).filter((db) => db.DBInstanceIdentifier?.startsWith('shop-db-pf-')),
    ).toHaveLength(1);
    expect(rerun.output).toMatchObject({ recovered: 5 });
  });

  it('picks the older recovery points when asked for a time, and refuses points older than the RPO without force', async () => {
    // Prepare: points from 3 hours ago and from now
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000).toISOString();
    await protect(threeHoursAgo);
    await protect();
    const { Images = [] } = await clients()
      .ec2('us-west-2')
      .send(new DescribeImagesCommand({ Owners: ['self'] }));
    const old = Images.filter((i) => i.Tags?.some((t) => t.Key === TAG.takenAt && t.Value === threeHoursAgo));
    expect(old).toHaveLength(4);

    // Act: the data tier's RPO is 1h, so a point 3h old is refused ...
    const pointInTime = new Date(Date.now() - 2 * 3600_000).toISOString();
    const refused = await stack.run('failover', { recoveryPoint: pointInTime });
    expect(refused.status).toBe('FAILED');
    expect(refused.error).toBe('RecoveryPointTooOldError');
    expect(await recoveredInstances()).toHaveLength(0);
    const state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');

    // ... unless forced
    const forced = await stack.run('failover', { recoveryPoint: pointInTime, force: true });
    expect(forced.status, forced.cause).toBe('SUCCEEDED');
    const instances = await recoveredInstances();
    expect(instances.map((i) => i.ImageId).sort()).toEqual(old.map((i) => i.ImageId).sort());
  });

  it('stops before any write on malformed input, a missing recovery point and a failing health check', async () => {
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    const malformed = await stack.run('failover', { recoveryPoint: 'yesterday', colour: 'blue' });
    expect(malformed.status).toBe('FAILED');
    expect(malformed.error).toBe('InvalidInputError');
    expect(malformed.cause).toMatch(/recoveryPoint/);
    expect(malformed.cause).toMatch(/colour/);

    const noPoints = await stack.run('failover', {});
    expect(noPoints.error).toBe('RecoveryPointMissingError');

    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    expect(await state.listRuns('shop')).toEqual([]);
    expect(await recoveredInstances()).toHaveLength(0);
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);

    // An unhealthy recovery region: resources come up, but DNS is not moved.
    await protect();
    health.setStatus('us-west-2', 503);
    try {
      const unhealthy = await stack.run('failover', {});
      expect(unhealthy.error).toBe('ValidationFailedError');
    } finally {
      health.setStatus('us-west-2', 200);
    }
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILOVER_FAILED');
  });

  it('refuses a failover whose recovery placement names a subnet the region lacks, before any tier is recovered', async () => {
    // Prepare: the web tier (tier 2) placed in a subnet id from another region.
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.placement = { ...p.placement, web: { ...p.placement?.web, subnets: ['subnet-0123456789abcdef0'] } };
    });
    stack = await deployLocalStack(plan);
    await protect();
    // No applied vCPU quota in the recovery region: its AWS default is read, and is enough.
    setLocalVcpuQuota('us-west-2', 64, { applied: false });
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    // Act
    const result = await stack.run('failover', {});

    // Assess: refused with the plan path, tier 1 (the database) not restored, nothing moved
    expect(result.error, result.cause).toBe('PreflightFailedError');
    expect(result.cause).toMatch(
      /placement\.web\.subnets\[0\]: no subnet subnet-0123456789abcdef0 in us-west-2/,
    );
    expect(await recoveredDatabases()).toEqual([]);
    expect(await recoveredInstances()).toHaveLength(0);
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
    const state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
  });

  it('a dry run refuses a failover the recovery vCPU quota cannot hold, read from the AWS default when none is applied', async () => {
    // Prepare: the recovery region has no applied Standard vCPU quota, and its default is 1.
    await protect();
    setLocalVcpuQuota('us-west-2', 1, { applied: false });
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    // Act
    const result = await stack.run('failover', { dryRun: true });

    // Assess
    expect(result.error, result.cause).toBe('PreflightFailedError');
    expect(result.cause).toMatch(
      /recoveryRegion: a failover launches \d+ Standard On-Demand vCPUs in us-west-2.*the quota \(L-1216C47A\) is 1/,
    );
    expect(await recoveredInstances()).toHaveLength(0);
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
  });

  it('a dry run returns the exact change set and writes nothing', async () => {
    await protect();
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    const result = await stack.run('failover', { dryRun: true });

    expect(result.status, result.cause).toBe('SUCCEEDED');
    const plan = result.output as {
      dryRun: boolean;
      resourceCount: number;
      dnsChanges: { name: string; to: string[] }[];
    };
    expect(plan.dryRun).toBe(true);
    expect(plan.resourceCount).toBe(5);
    expect(plan.dnsChanges.map((c) => c.name).sort()).toEqual([...MANAGED].sort());
    expect(plan.dnsChanges.find((c) => c.name === 'static.shop.example.com.')?.to).toEqual([
      'static-west.shop-cdn.example.net',
    ]);
    expect(await recoveredInstances()).toHaveLength(0);
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
    const state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
  });
});
