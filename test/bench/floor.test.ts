/**
 * The floor issues exactly the calls it claims, no more: for a tiny estate (one web and one api
 * instance, one database) against moto, every operation is counted and checked, and the outcome is
 * what the workflows promise (DNS at the recovered resources, then at home).
 */
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import { floorFailback } from '../../bench/floor-failback';
import { floorFailover } from '../../bench/floor-failover';
import { floorProtect } from '../../bench/floor-protect';
import { measure } from '../../bench/measure-run';
import { createSyntheticEstate, type SyntheticEstate, syntheticPlan } from '../../bench/synthetic-estate';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { localAwsForTests } from '../support/local-aws';

const aws = localAwsForTests('us-west-2');
const clients = () => createAwsClients();

describe('the floor for a tiny estate', () => {
  let estate: SyntheticEstate;
  let plan: Plan;

  beforeAll(async () => {
    await aws.reset();
    estate = await createSyntheticEstate(clients(), 2);
    plan = syntheticPlan(estate, { healthUrl: 'http://127.0.0.1:9/health?region={region}' });
  });

  const zone = async () =>
    new Map(
      (await listZoneRecords(clients().route53(), estate.zoneId)).map((r) => [
        `${r.Name} ${r.Type}`,
        (r.ResourceRecords ?? []).map((v) => v.Value),
      ]),
    );

  it('protect: finds the instances, captures and copies each resource, sees each step done', async () => {
    const { value, measurement } = await measure(() => floorProtect(clients(), estate));

    expect(value).toEqual({ images: 2, snapshots: 1 });
    expect(measurement.calls).toEqual({
      'EC2.CopyImage': 2,
      'EC2.CreateImage': 2,
      'EC2.DescribeImages': 2,
      'EC2.DescribeInstances': 1,
      'RDS.CopyDBSnapshot': 1,
      'RDS.CreateDBSnapshot': 1,
      'RDS.DescribeDBSnapshots': 2,
    });
  });

  it('failover: finds the points, restores and launches each resource, one DNS pass and one batch', async () => {
    const { value, measurement } = await measure(() => floorFailover(clients(), estate, plan));

    expect(value).toEqual({ instances: 2, databases: 1, changeBatches: 1 });
    expect(measurement.calls).toEqual({
      'EC2.DescribeImages': 1,
      'EC2.DescribeInstances': 1,
      'EC2.RunInstances': 2,
      'RDS.DescribeDBInstances': 1,
      'RDS.DescribeDBSnapshots': 1,
      'RDS.RestoreDBInstanceFromDBSnapshot': 1,
      'Route53.ChangeResourceRecordSets': 1,
      'Route53.ListResourceRecordSets': 1,
    });
    const records = await zone();
    const { DBInstances = [] } = await clients()
      .rds('us-west-2')
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'bench-db-0001-fo' }));
    expect(records.get('db-0001.bench.example.com. CNAME')).toEqual([DBInstances[0]?.Endpoint?.Address]);
    expect(records.get('static-0001.bench.example.com. CNAME')).toBeUndefined(); // N=2: no fixed records
    expect(records.get('web.bench.example.com. A')).toHaveLength(1);
  });

  it('failback: brings each resource home, renames the databases, moves DNS, retires both sides', async () => {
    const { value, measurement } = await measure(() => floorFailback(clients(), estate, plan));

    // Two DNS moves: the data record at the data cutover, then the rest
    expect(value).toEqual({ instances: 2, databases: 1, changeBatches: 2, retired: 6 });
    expect(measurement.calls).toEqual({
      'EC2.CopyImage': 2,
      'EC2.CreateImage': 4, // home images (the recovery copies' final AMIs) and the stale ones' final AMIs
      'EC2.DescribeImages': 3,
      'EC2.DescribeInstances': 3,
      'EC2.RunInstances': 2,
      'EC2.TerminateInstances': 2, // one per region, up to 1,000 ids each
      'RDS.CopyDBSnapshot': 1,
      'RDS.CreateDBSnapshot': 1,
      'RDS.DeleteDBInstance': 2,
      'RDS.DescribeDBInstances': 4,
      'RDS.DescribeDBSnapshots': 2,
      'RDS.ModifyDBInstance': 2,
      'RDS.RestoreDBInstanceFromDBSnapshot': 1,
      'Route53.ChangeResourceRecordSets': 2,
      'Route53.ListResourceRecordSets': 1,
    });
    const { DBInstances = [] } = await clients()
      .rds('us-east-1')
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'bench-db-0001' }));
    expect((await zone()).get('db-0001.bench.example.com. CNAME')).toEqual([
      DBInstances[0]?.Endpoint?.Address,
    ]);
  });
});
