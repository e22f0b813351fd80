/**
 * Failover on the realistic local AWS: a database restore takes its twenty minutes, new instances
 * are missing from describes for seconds, a promoted replica still looks like one for a while,
 * Route 53 changes are PENDING for most of a minute — and, in one run, a tenth of the calls fail
 * transiently and the account's request budget is mostly spent by others.
 */
import { DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { CreateDBInstanceReadReplicaCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modeledRto } from '../../cli/rehearsal/modeled-time';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import {
  type RealisticAwsOptions,
  realismStats,
  useInstantAws,
  useRealisticAws,
} from '../../local/realistic-aws/realistic-aws';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const MINUTE = 60_000;

async function recoveredInstances(): Promise<Instance[]> {
  const { Reservations = [] } = await clients()
    .ec2('us-west-2')
    .send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${TAG.failover}`, Values: ['*'] }] }));
  return Reservations.flatMap((r) => r.Instances ?? []);
}

async function restoredDatabases(): Promise<string[]> {
  const { DBInstances = [] } = await clients().rds('us-west-2').send(new DescribeDBInstancesCommand({}));
  return DBInstances.map((db) => db.DBInstanceIdentifier ?? '').filter((id) => id.startsWith('shop-db-pf-'));
}

describe('failover on the realistic local AWS', { timeout: 300_000 }, () => {
  let plan: Plan;
  let estate: SampleEstate;
  let stack: LocalStack;

  /** Protects on instant AWS (the points exist before the incident), then turns AWS realistic. */
  async function prepare(edit: Parameters<typeof samplePlanWith>[0], realism: RealisticAwsOptions) {
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      edit(p);
    });
    estate = await createSampleEstate(clients(), {});
    stack = await deployLocalStack(plan);
    const protect = await stack.run('protect', {});
    expect(protect.status, protect.cause).toBe('SUCCEEDED');
    useRealisticAws(realism);
  }

  beforeEach(async () => {
    await aws.reset();
  });
  afterEach(() => useInstantAws());

  it('recovers a data tier whose restore outlasts its RTO: the miss is reported, recovery goes on, one copy of each resource', async () => {
    // Prepare: a 5-minute RTO for a database whose restore takes about 20
    await prepare(
      (p) => {
        const data = p.tiers.find((t) => t.name === 'data');
        if (data) data.rto = '5m';
      },
      { seed: 2 },
    );

    // Act
    const result = await stack.run('failover', {});

    // Assess: the failover finished, and says the data tier missed its RTO
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ status: 'FAILED_OVER', targetsMet: false });
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const app = await state.getApp('shop', 'us-east-1');
    const run = await state.getRun('shop', String(app.lastFailoverRunId));
    expect(run?.rtoMissed).toEqual([expect.objectContaining({ tier: 'data' })]);
    // Assess: modeled time, tens of minutes, most of it the restore
    const rto = modeledRto(
      result.events,
      plan.tiers.map((t) => t.name),
    );
    expect(rto.overallMs ?? 0).toBeGreaterThan(15 * MINUTE);
    expect(rto.tiers[0]?.ms ?? 0).toBeGreaterThan(15 * MINUTE);
    // Assess: exactly one copy of each resource
    const sources = (await recoveredInstances()).map((i) => i.Tags?.find((t) => t.Key === TAG.source)?.Value);
    expect(sources.sort()).toEqual([...estate.instances.web, ...estate.instances.api].sort());
    expect(await restoredDatabases()).toHaveLength(1);
  });

  it('recovers the same way with 10 % transient faults and a request budget mostly spent by others', async () => {
    // Prepare
    await prepare(() => {}, { seed: 4, faultRate: 0.1, throttleScale: 0.02 });

    // Act
    const result = await stack.run('failover', {});

    // Assess: faults and throttles happened, and changed nothing about the result
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const stats = realismStats();
    expect(stats.faultsBefore + stats.faultsAfter).toBeGreaterThan(0);
    expect(stats.throttled).toBeGreaterThan(0);
    const sources = (await recoveredInstances()).map((i) => i.Tags?.find((t) => t.Key === TAG.source)?.Value);
    expect(sources.sort()).toEqual([...estate.instances.web, ...estate.instances.api].sort());
    expect(await restoredDatabases()).toHaveLength(1);
  });

  it('moves DNS only once a promoted replica is standalone, not while it still looks like one', async () => {
    // Prepare: the plan fails the database over by promoting its cross-region replica
    await prepare(
      (p) => {
        const db = p.tiers[0]?.resources[0];
        if (db && 'rds' in db) db.rds.replicaIdentifier = 'shop-db-replica';
      },
      { seed: 6 },
    );
    useInstantAws();
    await clients()
      .rds('us-west-2')
      .send(
        new CreateDBInstanceReadReplicaCommand({
          DBInstanceIdentifier: 'shop-db-replica',
          SourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:shop-db',
          DBInstanceClass: 'db.t3.medium',
        }),
      );
    useRealisticAws({ seed: 6 });
    const atCutover: { status?: string; source?: string }[] = [];

    // Act
    const result = await stack.run(
      'failover',
      {},
      {
        taskOverrides: {
          CutOverDns: async (payload, call) => {
            const { DBInstances = [] } = await clients()
              .rds('us-west-2')
              .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db-replica' }));
            atCutover.push({
              status: DBInstances[0]?.DBInstanceStatus,
              source: DBInstances[0]?.ReadReplicaSourceDBInstanceIdentifier,
            });
            return call.invokeOriginal?.(payload);
          },
        },
      },
    );

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(atCutover).toEqual([{ status: 'available', source: undefined }]);
  });
});
