/**
 * Nothing unknown is ignored: what people made in the recovery region during the failover, outside
 * the plan's roles, shows in the reconciliation report with what failback does with it. Synthesized
 * workflow, real handlers, moto.
 */
import { DescribeImagesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import type { Reconciliation } from '../../lambdas/failback/reconciliation';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { healthEndpointForTests } from '../support/health-endpoint';
import { live, tag } from '../support/live-instances';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const RECOVERY = 'us-west-2';

async function launch(
  imageId: string | undefined,
  subnetId: string | undefined,
  tags: Record<string, string>,
) {
  const { Instances = [] } = await clients()
    .ec2(RECOVERY)
    .send(
      new RunInstancesCommand({
        ImageId: imageId,
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.small',
        SubnetId: subnetId,
        TagSpecifications: [
          { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
        ],
      }),
    );
  return Instances[0]?.InstanceId ?? '';
}

describe('failback and what the inventory does not know', () => {
  let plan: Plan;
  let stack: LocalStack;
  let state: StateTable;

  beforeEach(async () => {
    await aws.reset();
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '1h' };
    });
    await createSampleEstate(clients());
    stack = await deployLocalStack(plan);
    state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    const failover = await stack.run('failover', {});
    expect(failover.status, failover.cause).toBe('SUCCEEDED');
  });

  it('reports an unknown database and instances made during the failover, stops until prefer, then leaves them in place and brings home the clone', async () => {
    // Prepare: during the failover, people made three things the plan does not know
    const recoveredWeb = (await live(RECOVERY, [{ Name: `tag:${TAG.failover}`, Values: ['*'] }])).find(
      (i) => tag(i, TAG.role) === 'web',
    );
    // (1) a clone of a recovered web server: its recovery-point AMI, the app's tag, no role tag
    const clone = await launch(recoveredWeb?.ImageId, recoveredWeb?.SubnetId, {
      [TAG.app]: 'shop',
      Name: 'web-clone',
    });
    // (2) a box in the web placement subnet, from a stock image, without the role's tag
    const [stock] =
      (
        await clients()
          .ec2(RECOVERY)
          .send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }))
      ).Images ?? [];
    const box = await launch(stock?.ImageId, recoveredWeb?.SubnetId, { Name: 'debug-box' });
    // (3) a reporting database with the app's tags, in the placement's DB subnet group
    await clients()
      .rds(RECOVERY)
      .send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: 'shop-reporting',
          DBSubnetGroupName: 'shop-recovery-db',
          Engine: 'postgres',
          DBInstanceClass: 'db.t3.medium',
          AllocatedStorage: 20,
          MasterUsername: 'shop',
          MasterUserPassword: 'rehearsal-only-password',
          Tags: [
            { Key: TAG.app, Value: 'shop' },
            { Key: TAG.role, Value: 'shop-db' },
          ],
        }),
      );
    const artifacts = new ArtifactStore(clients().s3(), stack.bucketName);
    const report = async (cause: string | undefined) => {
      const markdownKey = /s3:\/\/[^/]+\/(\S+\.md)/.exec(cause ?? '')?.[1] ?? '';
      return {
        json: await artifacts.getJson<Reconciliation>(markdownKey.replace(/\.md$/, '.json')),
        markdown: await (
          await clients()
            .s3()
            .send(new GetObjectCommand({ Bucket: stack.bucketName, Key: markdownKey }))
        ).Body?.transformToString(),
      };
    };

    // Act
    const stopped = await stack.run('failback', {});

    // Assess: stopped before any change, the box and the database named, the report says why
    expect(stopped.status).toBe('FAILED');
    expect(stopped.error).toBe('ReconcileConflictError');
    expect(stopped.cause).toMatch(new RegExp(`ec2 ${box}`));
    expect(stopped.cause).toMatch(/rds shop-reporting \(like shop-db\)/);
    expect(stopped.cause).not.toMatch(new RegExp(clone));
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    expect(await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }])).toHaveLength(0);
    const first = await report(stopped.cause);
    const outcomes = (r: Reconciliation) =>
      Object.fromEntries(r.resources.unknown.map((u) => [u.id, [u.kind, u.role ?? null, u.outcome]]));
    expect(outcomes(first.json)).toEqual({
      [clone]: ['ec2', 'web', 'bring home'],
      [box]: ['ec2', null, 'conflict'],
      'shop-reporting': ['rds', 'shop-db', 'conflict'],
    });
    expect(first.json.unresolvedConflicts).toBe(2);
    expect(first.markdown).toMatch(/## Not in the failover's inventory/);
    expect(first.markdown).toMatch(
      new RegExp(`\\| ec2 ${box} \\| in subnet ${recoveredWeb?.SubnetId}.*\\*\\*conflict\\*\\*`),
    );
    expect(first.markdown).toMatch(
      /\| rds shop-reporting \| carries pendulum:app=shop \| shop-db \|.*\*\*conflict\*\*/,
    );

    // Act again, having read the report
    const done = await stack.run('failback', { prefer: 'failback' });

    // Assess: home, the clone with a counterpart; the box and the database still where they were
    expect(done.status, done.cause).toBe('SUCCEEDED');
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    const reconciled = done.taskInvocations.find((t) => t.stateName === 'Reconcile')?.output as {
      key: string;
    };
    const second = await artifacts.getJson<Reconciliation>(reconciled.key);
    expect(outcomes(second)).toEqual({
      [clone]: ['ec2', 'web', 'bring home'],
      [box]: ['ec2', null, 'leave in place'],
      'shop-reporting': ['rds', 'shop-db', 'leave in place'],
    });
    expect(second.unresolvedConflicts).toBe(0);
    const home = await live('us-east-1', [{ Name: `tag:${TAG.failback}`, Values: ['*'] }]);
    expect(home.find((i) => tag(i, TAG.source) === clone)?.Tags).toContainEqual({
      Key: TAG.role,
      Value: 'web',
    });
    expect(home.map((i) => tag(i, TAG.source))).not.toContain(box);
    expect(
      (await live(RECOVERY, [{ Name: 'instance-id', Values: [clone, box] }])).map((i) => i.InstanceId).sort(),
    ).toEqual([clone, box].sort());
    const recoveryDbs =
      (await clients().rds(RECOVERY).send(new DescribeDBInstancesCommand({}))).DBInstances ?? [];
    expect(recoveryDbs.map((d) => d.DBInstanceIdentifier)).toContain('shop-reporting');
  });
});
