/**
 * Failback loses no write: the recovery databases stop taking writes before the final sync, the
 * final sync starts after that (the snapshot taken after the freeze; a replica promoted only on a
 * zero lag read after it), the data record moves once, and a failure after the freeze lets the
 * recovery region write again. Synthesized workflows, real handlers, moto, IAM enforced.
 */

import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  CreateDBSubnetGroupCommand,
  type DBInstance,
  DescribeDBInstancesCommand,
  DescribeDBParameterGroupsCommand,
  DescribeDBParametersCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import { ArtifactStore, runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import { readDnsShift } from '../../lambdas/failback/dns-shift-state';
import type { FailbackRpo } from '../../lambdas/failback/failback-rpo';
import type { HomeInventory } from '../../lambdas/failback/home-inventory';
import { readWriteFreeze } from '../../lambdas/failback/write-freeze';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { useInstantAws, useRealisticAws } from '../../local/realistic-aws/realistic-aws';
import { startWebhookReceiver, type WebhookReceiver } from '../hooks/webhook-receiver';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const SECRET = 'freeze-hook-signing-key';
const ZONE = 'shop.example.com';

async function recoveryDb(): Promise<DBInstance> {
  const { DBInstances = [] } = await clients().rds('us-west-2').send(new DescribeDBInstancesCommand({}));
  const db = DBInstances.find((d) => d.DBInstanceIdentifier?.startsWith('shop-db-pf-'));
  if (!db) throw new Error('no recovery database');
  return db;
}

/** The recovery database's parameter group, and whether it holds the read-only setting. */
async function recoveryGroup(): Promise<{ name: string; readOnly: boolean }> {
  const db = await recoveryDb();
  const name = db.DBParameterGroups?.[0]?.DBParameterGroupName ?? '';
  const { Parameters = [] } = await clients()
    .rds('us-west-2')
    .send(new DescribeDBParametersCommand({ DBParameterGroupName: name }));
  const setting = Parameters.find((p) => p.ParameterName === 'default_transaction_read_only');
  return { name, readOnly: setting?.ParameterValue === '1' };
}

describe('failback write freeze', () => {
  let receiver: WebhookReceiver;
  let estate: SampleEstate;
  let stack: LocalStack;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver.close();
  });

  async function deploy(change: (p: PlanInput, secretArn: string) => void = () => {}) {
    await aws.reset();
    receiver.reset();
    const { ARN } = await clients()
      .secretsManager('us-west-2')
      .send(new CreateSecretCommand({ Name: 'pendulum/freeze-hook', SecretString: SECRET }));
    const plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.failback = { strategy: 'staged', steps: [50, 100], stepHold: '1m', soak: '1h' };
      change(p, String(ARN));
    });
    estate = await createSampleEstate(clients());
    stack = await deployLocalStack(plan);
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    const failover = await stack.run('failover', {});
    expect(failover.status, failover.cause).toBe('SUCCEEDED');
  }

  const artifacts = () => new ArtifactStore(clients().s3(), stack.bucketName);
  const failbackId = async () =>
    String(
      (await new StateTable(clients().dynamo(), stack.tableName).getApp('shop', 'us-east-1')).failbackId,
    );
  const outcomeOf = async (runId: string) =>
    artifacts().getJson<{ rpo: FailbackRpo; writes?: string }>(runArtifactKey('shop', runId, 'outcome'));

  describe('readOnly (the default of a plan with databases and no preFailback hook)', () => {
    beforeEach(async () => deploy(), 150_000);

    it('makes the recovery database read-only before the final snapshot, moves the data record once, and reports no writes at risk', async () => {
      // Prepare: what the final sync sees of the recovery database when it starts
      let atFinalSync: { name: string; readOnly: boolean } | undefined;
      const before = await recoveryGroup();

      // Act
      const result = await stack.run(
        'failback',
        {},
        {
          taskOverrides: {
            FinalSync: async (payload, call) => {
              atFinalSync ??= await recoveryGroup();
              return call.invokeOriginal?.(payload);
            },
          },
        },
      );

      // Assess: the freeze held before the final sync started, on a copy of the database's own group
      expect(result.status, result.cause).toBe('SUCCEEDED');
      expect(before.readOnly).toBe(false);
      expect(atFinalSync).toEqual({ name: expect.stringMatching(/^pendulum-shop-frozen-/), readOnly: true });
      const id = await failbackId();
      const freeze = await readWriteFreeze(artifacts(), 'shop', id);
      expect(freeze).toMatchObject({ mode: 'readOnly', databases: [{ originalGroup: before.name }] });
      const order = result.taskInvocations.map((t) => t.stateName);
      expect(order.indexOf('FreezeWrites')).toBeLessThan(order.indexOf('FinalSync'));

      // The home database holds every write up to a moment after the freeze
      const run = result.taskInvocations.find((t) => t.stateName === 'FinalSync')?.input as {
        run: { runId: string };
      };
      const home = await artifacts().getJson<HomeInventory>(
        runArtifactKey('shop', run.run.runId, 'home-inventory'),
      );
      const db = home.resources.find((r) => r.kind === 'rds');
      expect(Date.parse(String(db?.syncPointAt))).toBeGreaterThanOrEqual(
        Date.parse(String(freeze?.frozenAt)),
      );

      // The data record moved before any stateless record, once, and was never weighted
      const shift = await readDnsShift(artifacts(), 'shop', id);
      expect(shift?.history.map((h) => h.kind)).toEqual(['data', 'shift', 'shift']);
      expect(shift?.zones.flatMap((z) => z.records.filter((r) => r.stateful).map((r) => r.staged))).toEqual([
        false,
      ]);
      const outcome = await outcomeOf(run.run.runId);
      expect(outcome.rpo).toMatchObject({ seconds: 0, orderHeld: true, mode: 'readOnly' });
    });

    it('a failure after the freeze gives the recovery database its own parameter group back and leaves the data record where it was', async () => {
      // Prepare
      const before = await recoveryGroup();
      const zoneBefore = (await listZoneRecords(clients().route53(), estate.zoneId)).filter(
        (r) => r.Name === `db.${ZONE}.`,
      );

      // Act: finalising the home database fails after the freeze held
      const result = await stack.run(
        'failback',
        {},
        {
          taskOverrides: {
            FinaliseHome: () => {
              throw Object.assign(new Error('injected: the promotion was refused'), {
                name: 'InjectedFault',
              });
            },
          },
        },
      );

      // Assess: the run failed; the recovery database is writable again, through its own group
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('InjectedFault');
      const order = result.taskInvocations.map((t) => t.stateName);
      expect(order.indexOf('FreezeWrites')).toBeLessThan(order.indexOf('FinaliseHome'));
      expect(await recoveryGroup()).toEqual(before);
      const { DBParameterGroups = [] } = await clients()
        .rds('us-west-2')
        .send(new DescribeDBParameterGroupsCommand({}));
      expect(DBParameterGroups.filter((g) => g.DBParameterGroupName?.startsWith('pendulum-'))).toEqual([]);
      const freeze = await readWriteFreeze(artifacts(), 'shop', await failbackId());
      expect(freeze?.unfrozenAt).toBeDefined();
      // Production where it was: the data record still names the recovery database
      const zone = await listZoneRecords(clients().route53(), estate.zoneId);
      expect(zone.filter((r) => r.Name === `db.${ZONE}.`)).toEqual(zoneBefore);
      const run = result.taskInvocations.find((t) => t.stateName === 'RecordFailbackFailure')?.input as {
        run: { runId: string };
      };
      expect((await outcomeOf(run.run.runId)).writes).toMatch(/Writes are open again in us-west-2/);

      // Act again: a re-run freezes afresh, sets aside the home copy made before (a final snapshot
      // kept) and restores from a snapshot taken after the new freeze
      const rerun = await stack.run('failback', {});
      expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
      const { DBSnapshots = [] } = await clients().rds('us-east-1').send(new DescribeDBSnapshotsCommand({}));
      expect(DBSnapshots.map((s) => s.DBSnapshotIdentifier)).toContainEqual(
        expect.stringMatching(/^pendulum-shop-final-.*-shop-db-fb-.*-f[0-9a-z]+$/),
      );
      const refrozen = await readWriteFreeze(artifacts(), 'shop', await failbackId());
      expect(Date.parse(String(refrozen?.frozenAt))).toBeGreaterThan(Date.parse(String(freeze?.unfrozenAt)));
    });
  });

  describe('hook', () => {
    /** A plan whose one preFailback webhook answers `{"writesFrozen": true}` to freezeWrites, or never says so. */
    async function deployWithFreezeHook(hook: { answers: boolean }) {
      await deploy((p, secretArn) => {
        p.hooks = {
          preFailback: [{ webhook: { url: `${receiver.origin}/app-writes`, secretArn, retries: 0 } }],
        };
      });
      if (!hook.answers) return;
      receiver.respond((request) => {
        const { phase } = JSON.parse(request.body) as { phase: string };
        return { status: 200, body: phase === 'freezeWrites' ? '{"writesFrozen":true}' : '{}' };
      });
    }

    it('asks the preFailback hooks to freeze, starts the final sync only on their answer, and tells them where writes resume', async () => {
      // Prepare: the hook freezes when asked and says so
      await deployWithFreezeHook({ answers: true });

      // Act
      const result = await stack.run('failback', {});

      // Assess: asked in order, the freeze answered before the final sync, writes resume at home
      expect(result.status, result.cause).toBe('SUCCEEDED');
      const asked = receiver.requests.map((r) => JSON.parse(r.body) as { phase: string; region: string });
      expect(asked.map((a) => [a.phase, a.region])).toEqual([
        ['preFailback', 'us-east-1'],
        ['freezeWrites', 'us-west-2'],
        ['unfreezeWrites', 'us-east-1'],
      ]);
      const order = result.taskInvocations.map((t) => t.stateName);
      expect(order.indexOf('FreezeWritesHooks')).toBeLessThan(order.indexOf('FinalSync'));
      expect(order.indexOf('ShiftDnsData')).toBeLessThan(order.indexOf('UnfreezeWritesHooksHome'));
      const run = result.taskInvocations.find((t) => t.stateName === 'FinalSync')?.input as {
        run: { runId: string };
      };
      expect((await outcomeOf(run.run.runId)).rpo).toMatchObject({
        seconds: 0,
        orderHeld: true,
        mode: 'hook',
      });
      // The hook froze the application: Pendulum changed no database's parameter group
      expect((await readWriteFreeze(artifacts(), 'shop', await failbackId()))?.databases).toEqual([]);
    });

    it('no answer, no failback: a hook that does not say writes are frozen stops it before the final sync', async () => {
      await deployWithFreezeHook({ answers: false });
      const zoneBefore = await listZoneRecords(clients().route53(), estate.zoneId);

      const result = await stack.run('failback', {});

      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('HookVetoError');
      expect(result.cause).toMatch(/did not answer that writes are frozen/);
      expect(result.taskInvocations.map((t) => t.stateName)).not.toContain('FinalSync');
      expect(await listZoneRecords(clients().route53(), estate.zoneId)).toEqual(zoneBefore);
    });

    it('a failure after the freeze tells the hooks that writes resume in the recovery region', async () => {
      await deployWithFreezeHook({ answers: true });

      const result = await stack.run(
        'failback',
        {},
        {
          taskOverrides: {
            FinalSync: () => {
              throw Object.assign(new Error('injected: the final snapshot failed'), {
                name: 'InjectedFault',
              });
            },
          },
        },
      );

      expect(result.status).toBe('FAILED');
      const asked = receiver.requests.map((r) => JSON.parse(r.body) as { phase: string; region: string });
      expect(asked.map((a) => [a.phase, a.region]).slice(1)).toEqual([
        ['freezeWrites', 'us-west-2'],
        ['unfreezeWrites', 'us-west-2'],
      ]);
    });
  });

  it('replica: the home replica is promoted only on a zero ReplicaLag measured after the freeze', {
    timeout: 300_000,
  }, async () => {
    await deploy((p) => {
      const data = p.tiers[0]?.resources[0] as { rds: { failbackSync?: string } };
      data.rds.failbackSync = 'replica';
    });
    // moto resolves a cross-region replica's subnet group in the source region (AWS: in its own),
    // so the group the replica is asked to use must exist in us-west-2 too for moto to accept it.
    const { Subnets = [] } = await clients()
      .ec2('us-west-2')
      .send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['shop-recovery-*'] }] }));
    await clients()
      .rds('us-west-2')
      .send(
        new CreateDBSubnetGroupCommand({
          DBSubnetGroupName: 'shop-primary-db',
          DBSubnetGroupDescription: 'moto quirk: see above',
          SubnetIds: Subnets.map((n) => n.SubnetId as string),
        }),
      );

    // Realistic AWS: ReplicaLag arrives once a minute, for the minute before, as RDS publishes it
    useRealisticAws({ seed: 12, faultRate: 0, throttling: false });
    const result = await stack.run('failback', {}).finally(() => useInstantAws());

    expect(result.status, result.cause).toBe('SUCCEEDED');
    const freeze = await readWriteFreeze(artifacts(), 'shop', await failbackId());
    const run = result.taskInvocations.find((t) => t.stateName === 'FinaliseHome')?.input as {
      run: { runId: string };
    };
    const home = await artifacts().getJson<HomeInventory>(
      runArtifactKey('shop', run.run.runId, 'home-inventory'),
    );
    const db = home.resources.find((r) => r.kind === 'rds');
    expect(db).toMatchObject({ strategy: 'replica', promoted: true });
    expect(Date.parse(String(db?.syncPointAt))).toBeGreaterThanOrEqual(Date.parse(String(freeze?.frozenAt)));
    // The first finalise came before any reading after the freeze: it waited for the next one
    const finalises = result.taskInvocations.filter((t) => t.stateName === 'FinaliseHome');
    const firstFinalise = finalises[0]?.output as { waiting: string[] } | undefined;
    expect(firstFinalise?.waiting).toEqual([
      expect.stringMatching(/no ReplicaLag reading since the write freeze/),
    ]);
    expect((await outcomeOf(run.run.runId)).rpo).toMatchObject({ seconds: 0, orderHeld: true });
  });

  it('maintenance: the stateless records point at the maintenance target while the final sync runs, the data record at the recovery database', async () => {
    await deploy((p) => {
      p.failback = {
        ...(p.failback ?? {}),
        freeze: 'maintenance',
        maintenance: { A: ['192.0.2.80'], CNAME: 'maintenance.shop-cdn.example.net' },
      };
    });
    const recoveryEndpoint = (await recoveryDb()).Endpoint?.Address;
    let atFinalSync: Record<string, string[]> = {};
    const values = async () => {
      const zone = await listZoneRecords(clients().route53(), estate.zoneId);
      return Object.fromEntries(
        ['www', 'static', 'db'].map((n) => [
          n,
          zone
            .filter((r) => r.Name === `${n}.${ZONE}.`)
            .flatMap((r) => (r.ResourceRecords ?? []).map((v) => String(v.Value))),
        ]),
      );
    };

    const result = await stack.run(
      'failback',
      {},
      {
        taskOverrides: {
          FinalSync: async (payload, call) => {
            if (Object.keys(atFinalSync).length === 0) atFinalSync = await values();
            return call.invokeOriginal?.(payload);
          },
        },
      },
    );

    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(atFinalSync).toEqual({
      www: ['192.0.2.80'],
      static: ['maintenance.shop-cdn.example.net'],
      db: [recoveryEndpoint],
    });
    const after = await values();
    expect(after.www).not.toContain('192.0.2.80');
    expect(after.static).toEqual(['static-east.shop-cdn.example.net']);
    const shift = await readDnsShift(artifacts(), 'shop', await failbackId());
    expect(shift?.history.map((h) => h.kind)).toEqual(['maintenance', 'data', 'shift', 'shift']);
  });

  it('freeze none: the report names the window of writes at risk, from the final sync to the data cutover', async () => {
    await deploy((p) => {
      p.failback = { ...(p.failback ?? {}), freeze: 'none' };
    });

    const result = await stack.run('failback', {});

    expect(result.status, result.cause).toBe('SUCCEEDED');
    const run = result.taskInvocations.find((t) => t.stateName === 'FinalSync')?.input as {
      run: { runId: string };
    };
    const { rpo } = await outcomeOf(run.run.runId);
    expect(rpo).toMatchObject({ orderHeld: false, mode: 'none', seconds: expect.any(Number) });
    expect(rpo.problems[0]).toMatch(/no write freeze/);
    const shift = await readDnsShift(artifacts(), 'shop', await failbackId());
    const home = await artifacts().getJson<HomeInventory>(
      runArtifactKey('shop', run.run.runId, 'home-inventory'),
    );
    const syncPoint = Date.parse(String(home.resources.find((r) => r.kind === 'rds')?.syncPointAt));
    expect(rpo.seconds).toBe(Math.round((Date.parse(String(shift?.dataMovedAt)) - syncPoint) / 1000));
  });
});
