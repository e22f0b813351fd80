/**
 * The case we must handle best: the app ran weeks in the recovery region, people changed things,
 * and failback brings it home carrying every interim change. Synthesized workflows, real handlers,
 * moto.
 */
import { DescribeImagesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import { recordKey } from '../../lambdas/dns/record-key';
import { readDnsShift } from '../../lambdas/failback/dns-shift-state';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { healthEndpointForTests } from '../support/health-endpoint';
import { live, startWebInstance, tag } from '../support/live-instances';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const ZONE = 'shop.example.com';

async function changeZone(zoneId: string, changes: Change[]) {
  await clients()
    .route53()
    .send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
}

const txt = (name: string, value: string, ttl = 300): ResourceRecordSet => ({
  Name: name,
  Type: 'TXT',
  TTL: ttl,
  ResourceRecords: [{ Value: value }],
});

describe('the failback workflow', () => {
  let plan: Plan;
  let estate: SampleEstate;
  let stack: LocalStack;
  let state: StateTable;

  async function failOver() {
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    const result = await stack.run('failover', {});
    expect(result.status, result.cause).toBe('SUCCEEDED');
  }

  /** 45 days in the recovery region, compressed: the changes people made meanwhile. */
  async function interimChanges() {
    const zone = await listZoneRecords(clients().route53(), estate.zoneId);
    const blog = zone.find((r) => r.Name === `blog.${ZONE}.`);
    const green = zone.find((r) => r.SetIdentifier === 'canary-green');
    await changeZone(estate.zoneId, [
      { Action: 'CREATE', ResourceRecordSet: txt(`_verify.${ZONE}`, '"site-verification=45-days"') },
      {
        Action: 'CREATE',
        ResourceRecordSet: {
          Name: `status.${ZONE}`,
          Type: 'CNAME',
          TTL: 300,
          ResourceRecords: [{ Value: 'status.example.org' }],
        },
      },
      { Action: 'UPSERT', ResourceRecordSet: { ...(blog as ResourceRecordSet), TTL: 900 } },
      { Action: 'DELETE', ResourceRecordSet: green as ResourceRecordSet },
    ]);
    // An instance added to the web role in the recovery region.
    const addedInstance = await startWebInstance('us-west-2', 'web-added-in-recovery');
    // The database took 45 days of writes: mark the recovery copy so we can tell where home data came from.
    const recoveryDb = (
      await clients().rds('us-west-2').send(new DescribeDBInstancesCommand({}))
    ).DBInstances?.find((d) => d.DBInstanceIdentifier?.startsWith('shop-db-pf-'));
    await clients()
      .rds('us-west-2')
      .send(
        new AddTagsToResourceCommand({
          ResourceName: recoveryDb?.DBInstanceArn,
          Tags: [{ Key: 'data', Value: '45-days-of-orders' }],
        }),
      );
    return {
      addedInstance,
      recoveryDb: recoveryDb?.DBInstanceIdentifier ?? '',
    };
  }

  beforeEach(async () => {
    await aws.reset();
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '1h' };
    });
    estate = await createSampleEstate(clients());
    stack = await deployLocalStack(plan);
    state = new StateTable(clients().dynamo(), stack.tableName);
    await failOver();
  });

  it('brings production home with every interim change, a counterpart for the added instance, data from the recovery copy, and final snapshots of everything retired', async () => {
    // Prepare
    const { addedInstance, recoveryDb } = await interimChanges();
    const staleWeb = estate.instances.web;
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    // Act
    const result = await stack.run('failback', {});

    // Assess: the run and the state
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const app = await state.getApp('shop', 'us-east-1');
    expect(app).toMatchObject({ status: 'PRIMARY_ACTIVE', activeRegion: 'us-east-1' });

    // New primary instances: one per live recovery instance of a planned role, the added one included
    const home = await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }]);
    expect(home).toHaveLength(5);
    expect(home.map((i) => tag(i, TAG.source))).toContain(addedInstance);
    expect(home.every((i) => tag(i, 'pendulum-role') === tag(i, TAG.role))).toBe(true);

    // Data: shop-db in the primary is the new one, from the recovery copy
    const dbs = (await clients().rds('us-east-1').send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
    const shopDb = dbs.find((d) => d.DBInstanceIdentifier === 'shop-db');
    expect(shopDb?.TagList?.find((t) => t.Key === TAG.failback)).toBeDefined();
    const { DBSnapshots = [] } = await clients().rds('us-east-1').send(new DescribeDBSnapshotsCommand({}));
    expect(
      DBSnapshots.some(
        (s) => s.DBInstanceIdentifier === recoveryDb || s.SourceDBSnapshotIdentifier?.includes(recoveryDb),
      ),
    ).toBe(true);

    // DNS: managed records at the new primary; every interim change kept
    const zone = await listZoneRecords(clients().route53(), estate.zoneId);
    const byKey = new Map(zone.map((r) => [recordKey(r) as string, r]));
    const values = (key: string) => (byKey.get(key)?.ResourceRecords ?? []).map((v) => v.Value).sort();
    const homeWeb = home
      .filter((i) => tag(i, TAG.role) === 'web')
      .map((i) => i.PublicIpAddress ?? i.PrivateIpAddress)
      .sort();
    expect(values(`www.${ZONE}. A`)).toEqual(homeWeb);
    expect(values(`db.${ZONE}. CNAME`)).toEqual([shopDb?.Endpoint?.Address]);
    expect(values(`static.${ZONE}. CNAME`)).toEqual(['static-east.shop-cdn.example.net']);
    expect(byKey.get(`_verify.${ZONE}. TXT`)).toBeDefined();
    expect(byKey.get(`status.${ZONE}. CNAME`)).toBeDefined();
    expect(byKey.get(`blog.${ZONE}. CNAME`)?.TTL).toBe(900);
    expect(zone.find((r) => r.SetIdentifier === 'canary-green')).toBeUndefined();
    const unmanaged = (records: ResourceRecordSet[]) =>
      records.filter(
        (r) => ![`www.${ZONE}.`, `api.${ZONE}.`, `db.${ZONE}.`, `static.${ZONE}.`].includes(r.Name ?? ''),
      );
    expect(unmanaged(zone)).toEqual(unmanaged(zoneBefore));

    // Retired: the stale primary and the recovery copies, each with a final AMI or snapshot
    expect(await live('us-east-1', [{ Name: 'instance-id', Values: staleWeb }])).toHaveLength(0);
    expect(await live('us-west-2', [{ Name: `tag:${TAG.app}`, Values: ['shop'] }])).toHaveLength(0);
    const finalImages = [
      ...((
        await clients()
          .ec2('us-east-1')
          .send(new DescribeImagesCommand({ Owners: ['self'] }))
      ).Images ?? []),
      ...((
        await clients()
          .ec2('us-west-2')
          .send(new DescribeImagesCommand({ Owners: ['self'] }))
      ).Images ?? []),
    ].filter((i) => i.Tags?.some((t) => t.Key === 'pendulum:final'));
    expect(finalImages.length).toBeGreaterThanOrEqual(4 + 5);
    const finalSnapshots = [
      ...((await clients().rds('us-east-1').send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? []),
      ...((await clients().rds('us-west-2').send(new DescribeDBSnapshotsCommand({}))).DBSnapshots ?? []),
    ].filter((s) => s.DBSnapshotIdentifier?.includes('-final-'));
    expect(finalSnapshots.length).toBeGreaterThanOrEqual(2);
  });

  it('stops with a conflict report when a managed record was edited by hand, and keeps it with prefer current', async () => {
    // Prepare: someone pointed www at a maintenance page during failover
    const zone = await listZoneRecords(clients().route53(), estate.zoneId);
    const www = zone.find((r) => r.Name === `www.${ZONE}.`) as ResourceRecordSet;
    const edited = { ...www, ResourceRecords: [{ Value: '192.0.2.99' }] };
    await changeZone(estate.zoneId, [{ Action: 'UPSERT', ResourceRecordSet: edited }]);
    const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

    // Act
    const stopped = await stack.run('failback', {});

    // Assess: named error, report, nothing changed
    expect(stopped.status).toBe('FAILED');
    expect(stopped.error).toBe('ReconcileConflictError');
    expect(stopped.cause).toMatch(/www\.shop\.example\.com\. A/);
    expect(stopped.cause).toMatch(/reconciliation\.md/);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
    expect(await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }])).toHaveLength(0);

    // Act again, keeping the hand edit
    const kept = await stack.run('failback', { prefer: 'current' });
    expect(kept.status, kept.cause).toBe('SUCCEEDED');
    const after = await listZoneRecords(clients().route53(), estate.zoneId);
    expect(after.find((r) => r.Name === `www.${ZONE}.`)?.ResourceRecords).toEqual([{ Value: '192.0.2.99' }]);
  });

  it('staged: walks the weights in order; a failing health gate at 50 % restores the last good weights', async () => {
    // Prepare: the gate fails at the second step; at every gate, the database record is read
    let gate = 0;
    const dbAtGates: ResourceRecordSet[][] = [];
    const failing = await stack.run(
      'failback',
      { strategy: 'staged', steps: [10, 50, 100] },
      {
        taskOverrides: {
          CheckStepHealth: async (payload, call) => {
            gate++;
            const zone = await listZoneRecords(clients().route53(), estate.zoneId);
            dbAtGates.push(zone.filter((r) => r.Name === `db.${ZONE}.`));
            if (gate === 2)
              return {
                region: 'us-east-1',
                passed: false,
                results: [{ name: 'storefront', ok: false, detail: 'HTTP 503', ms: 1 }],
              };
            return call.invokeOriginal?.(payload);
          },
        },
      },
    );

    // Assess: failed, DNS back at 10 % home
    expect(failing.status).toBe('FAILED');
    expect(failing.error).toBe('ValidationFailedError');
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILBACK_FAILED');
    const zone = await listZoneRecords(clients().route53(), estate.zoneId);
    const wwwPair = zone.filter((r) => r.Name === `www.${ZONE}.`);
    expect(
      wwwPair.map((r) => [r.SetIdentifier?.endsWith('-home') ? 'home' : 'away', r.Weight]).sort(),
    ).toEqual([
      ['away', 90],
      ['home', 10],
    ]);
    const homeCount = (await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }])).length;
    const failbackId = String((await state.getApp('shop', 'us-east-1')).failbackId);
    const shift = await readDnsShift(new ArtifactStore(clients().s3(), stack.bucketName), 'shop', failbackId);
    expect(shift?.history.map((h) => [h.kind, h.weight])).toEqual([
      ['data', null],
      ['shift', 10],
      ['shift', 50],
      ['rollback', 10],
    ]);
    // One writable database: from the data cutover on, db.<zone> names the home database, once, and
    // is never a weighted pair; the rollback of the stateless records leaves it home.
    const homeDb = (
      await clients()
        .rds('us-east-1')
        .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }))
    ).DBInstances?.[0];
    const homeDbRecord = [
      {
        Name: `db.${ZONE}.`,
        Type: 'CNAME',
        TTL: 60,
        ResourceRecords: [{ Value: homeDb?.Endpoint?.Address }],
      },
    ];
    expect(dbAtGates).toEqual([homeDbRecord, homeDbRecord]);
    expect(zone.filter((r) => r.Name === `db.${ZONE}.`)).toEqual(homeDbRecord);

    // Act: re-run the failback; it resumes and creates nothing twice
    const rerun = await stack.run('failback', { strategy: 'staged', steps: [10, 50, 100] });

    // Assess
    expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
    expect(await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }])).toHaveLength(homeCount);
    const after = await listZoneRecords(clients().route53(), estate.zoneId);
    expect(after.filter((r) => r.Name === `www.${ZONE}.`)).toHaveLength(1);
    expect(after.filter((r) => r.SetIdentifier?.startsWith('pendulum-'))).toEqual([]);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    const resumed = await readDnsShift(
      new ArtifactStore(clients().s3(), stack.bucketName),
      'shop',
      failbackId,
    );
    // The re-run finds the data home already (a move of nothing) and the stateless records at 10 %.
    expect(resumed?.history.slice(4).map((h) => [h.kind, h.weight, h.changes])).toEqual([
      ['data', 10, 0],
      ['shift', 10, 0],
      ['shift', 50, expect.any(Number)],
      ['shift', 100, expect.any(Number)],
    ]);
  });

  it('a failure retiring the stale primary leaves production home: no DNS rollback, status PRIMARY_ACTIVE', async () => {
    const result = await stack.run(
      'failback',
      {},
      {
        taskOverrides: {
          RetireStalePrimary: () => {
            throw Object.assign(new Error('injected: final AMI never became available'), {
              name: 'InjectedFault',
            });
          },
        },
      },
    );

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InjectedFault');
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    const home = await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }]);
    const zone = await listZoneRecords(clients().route53(), estate.zoneId);
    const www = zone.find((r) => r.Name === `www.${ZONE}.` && !r.SetIdentifier);
    const homeWeb = home
      .filter((i) => tag(i, TAG.role) === 'web')
      .map((i) => i.PublicIpAddress ?? i.PrivateIpAddress)
      .sort();
    expect((www?.ResourceRecords ?? []).map((v) => v.Value).sort()).toEqual(homeWeb);
    // The stale primary is still there, untouched: nothing was deleted without its final AMI.
    expect(await live('us-east-1', [{ Name: 'instance-id', Values: estate.instances.web }])).toHaveLength(2);
  });

  it('waits for a home not yet final and for pending final copies in poll loops, polling until done', async () => {
    // Prepare: the first finalise and the first retirement of the recovery copies are not done yet
    const firstCallPending = (pending: Record<string, unknown>) => {
      let calls = 0;
      return async (payload: unknown, call: { invokeOriginal?: (p: unknown) => Promise<unknown> }) =>
        ++calls === 1 ? pending : call.invokeOriginal?.(payload);
    };

    // Act
    const result = await stack.run(
      'failback',
      {},
      {
        taskOverrides: {
          FinaliseHome: firstCallPending({
            finished: false,
            waiting: ['shop-db-fb-x is modifying'],
            pollSeconds: 30,
            promoted: 0,
            renamed: 0,
            databases: 1,
          }),
          RetireRecoveryCopies: firstCallPending({
            complete: false,
            pending: [{ id: 'i-0abc', reason: 'final AMI ami-0abc is pending' }],
            pollSeconds: 30,
            retired: 0,
            finalSnapshots: [],
            alreadyGone: 0,
            key: 'k',
          }),
        },
      },
    );

    // Assess: each waited once and was called again; nothing was retried as an error
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const entered = result.events
      .filter((e) => e.type === 'StateEntered')
      .map((e) => (e as { state?: { name: string } }).state?.name);
    expect(entered.filter((n) => n === 'WaitForFinalise')).toHaveLength(1);
    expect(entered.filter((n) => n === 'WaitForCopiesRetirement')).toHaveLength(1);
    const calls = (state: string) => result.taskInvocations.filter((t) => t.stateName === state);
    expect(calls('FinaliseHome')).toHaveLength(2);
    expect(calls('RetireRecoveryCopies')).toHaveLength(2);
    expect(calls('RetireRecoveryCopies').every((t) => !t.error)).toBe(true);
    expect(await live('us-west-2', [{ Name: `tag:${TAG.app}`, Values: ['shop'] }])).toHaveLength(0);
  });

  it('a second failback is refused; a dry run writes only the report', async () => {
    const dry = await stack.run('failback', { dryRun: true });
    expect(dry.status, dry.cause).toBe('SUCCEEDED');
    expect(dry.output).toMatchObject({ conflicts: 0, instancesHome: 4, databasesHome: 1 });
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    expect(await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }])).toHaveLength(0);

    expect((await stack.run('failback', {})).status).toBe('SUCCEEDED');
    const again = await stack.run('failback', {});
    expect(again.status).toBe('FAILED');
    expect(again.error).toBe('WrongStateError');
    expect(await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }])).toHaveLength(4);
  });

  it('refuses to start when the work would overrun the failback window', async () => {
    const windowEnd = new Date(Date.now() + 5 * 60_000).toISOString();
    const result = await stack.run('failback', { windowEnd });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('GateClosedError');
    expect(result.cause).toMatch(/overrun its window/);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
  });

  it('terminates nothing a person still needs: a recovered instance terminated on purpose does not come back', async () => {
    const recovered = await live('us-west-2', [{ Name: `tag:${TAG.failover}`, Values: ['*'] }]);
    const gone = recovered.find((i) => tag(i, TAG.role) === 'api');
    await clients()
      .ec2('us-west-2')
      .send(new TerminateInstancesCommand({ InstanceIds: [gone?.InstanceId ?? ''] }));

    const result = await stack.run('failback', {});

    expect(result.status, result.cause).toBe('SUCCEEDED');
    const home = await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }]);
    expect(home.map((i) => tag(i, TAG.source))).not.toContain(gone?.InstanceId);
    expect(home).toHaveLength(3);
  });
});
