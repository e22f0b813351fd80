/**
 * A soak longer than a week: the failback hands the retirement of the recovery copies to a
 * one-time EventBridge Scheduler schedule, whose target (the retirement state machine) retires
 * them at T only if the app is still home from that failback. Synthesized workflows, real
 * handlers under IAM enforcement, moto.
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import { atExpression, retirementScheduleName } from '../../lambdas/failback/scheduled-retirement';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { evaluateRequest } from '../../local/iam/evaluate-request';
import { rolePolicies } from '../../local/iam/role-policies';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import type { WorkflowRunResult } from '../../local/local-workflow-runner';
import { stateMachines } from '../../local/synthesized-app';
import { healthEndpointForTests } from '../support/health-endpoint';
import { live as liveInstances } from '../support/live-instances';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';
import { deployScheduleGroups } from '../support/schedule-groups';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const ACCOUNT = '123456789012';

/** The app's instances that run in a region. */
const live = (region: string) => liveInstances(region, [{ Name: `tag:${TAG.app}`, Values: ['shop'] }]);

const entered = (result: WorkflowRunResult) =>
  result.events
    .filter((e) => e.type === 'StateEntered')
    .map((e) => (e as { state?: { name: string } }).state?.name);

describe('a soak longer than the failback execution waits', () => {
  let plan: Plan;
  let stack: LocalStack;
  let state: StateTable;
  let scheduler: SchedulerClient;

  async function failOver() {
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    const result = await stack.run('failover', {});
    expect(result.status, result.cause).toBe('SUCCEEDED');
  }

  /** The failback's retirement schedule, as Scheduler holds it. */
  async function retirementSchedule(): Promise<GetScheduleCommandOutput> {
    const app = await state.getApp('shop', 'us-east-1');
    return scheduler.send(
      new GetScheduleCommand({
        GroupName: 'pendulum-shop-schedules',
        Name: retirementScheduleName('shop', String(app.failbackId)),
      }),
    );
  }

  /** Runs the schedule's target with its input, as Scheduler does at T: its role must be allowed to start it. */
  async function fire(schedule: GetScheduleCommandOutput) {
    const resolve = { region: stack.region, stackName: stack.stackName, accountId: ACCOUNT };
    const role = rolePolicies(stack.template, resolve).find((r) => r.arn === schedule.Target?.RoleArn);
    const start = (arn: string) =>
      evaluateRequest(
        role?.arn ?? '',
        role?.policies ?? [],
        { action: 'states:StartExecution', resource: arn },
        stack.region,
      );
    expect((await start(String(schedule.Target?.Arn))).allowed).toBe(true);
    const machine = stateMachines(stack.template, resolve).find((m) => m.arn === schedule.Target?.Arn);
    return stack.run(
      String(machine?.name.replace('pendulum-shop-', '')),
      JSON.parse(String(schedule.Target?.Input)),
    );
  }

  beforeEach(async () => {
    await aws.reset();
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '40d' };
    });
    await createSampleEstate(clients());
    stack = await deployLocalStack(plan);
    scheduler = new SchedulerClient({ region: stack.region });
    await deployScheduleGroups(stack.template, scheduler);
    state = new StateTable(clients().dynamo(), stack.tableName);
    await failOver();
  });

  it('schedules the retirement for T (home + 40d); at T the retirement machine retires the copies with final snapshots', async () => {
    // Act: the failback, its scheduling task attempted twice (a retry after a lost answer)
    const attempts: unknown[] = [];
    const failback = await stack.run(
      'failback',
      {},
      {
        taskOverrides: {
          ScheduleRetirement: async (payload, call) => {
            attempts.push(await call.invokeOriginal?.(payload));
            attempts.push(await call.invokeOriginal?.(payload));
            return attempts[1];
          },
        },
      },
    );

    // Assess: production home, the stale primary retired, the recovery copies kept, no soak waited here
    expect(failback.status, failback.cause).toBe('SUCCEEDED');
    expect(entered(failback)).toContain('ScheduleRetirement');
    expect(entered(failback)).not.toContain('Soak');
    expect(entered(failback)).not.toContain('RetireRecoveryCopies');
    const copies = await live('us-west-2');
    expect(copies.length).toBeGreaterThan(0);

    // Assess: the schedule: at(T), the retirement machine with the scheduler role, deleted once fired
    const app = await state.getApp('shop', 'us-east-1');
    const run = await state.getRun('shop', String(app.lastFailbackRunId));
    // T: 40 days after production was home, to the whole second (at() has no finer unit), rounded up.
    const T = new Date(Math.ceil((Date.parse(String(run?.completedAt)) + 40 * 86_400_000) / 1000) * 1000);
    const schedule = await retirementSchedule();
    const machines = stateMachines(stack.template, {
      region: stack.region,
      stackName: stack.stackName,
      accountId: ACCOUNT,
    });
    const retirement = machines.find((m) => m.name === 'pendulum-shop-retirement');
    const failbackMachine = machines.find((m) => m.name === 'pendulum-shop-failback');
    const schedulerRole = rolePolicies(stack.template, {
      region: stack.region,
      stackName: stack.stackName,
      accountId: ACCOUNT,
    }).find((r) => /RetirementSchedulerRole/.test(r.logicalId));
    expect(attempts).toEqual([
      { created: true, scheduledFor: T.toISOString(), schedule: `pendulum-shop-schedules/${schedule.Name}` },
      { created: false, scheduledFor: T.toISOString(), schedule: `pendulum-shop-schedules/${schedule.Name}` },
    ]);
    expect(schedule).toMatchObject({
      ScheduleExpression: atExpression(T),
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: retirement?.arn, RoleArn: schedulerRole?.arn },
    });
    expect(JSON.parse(String(schedule.Target?.Input))).toMatchObject({
      run: { app: 'shop', failbackId: app.failbackId },
      retireAt: T.toISOString(),
    });

    // Assess: the run record, the outcome's report and nothing more for the scheduler role
    expect(run).toMatchObject({
      retirementScheduledFor: T.toISOString(),
      retirementSchedule: `pendulum-shop-schedules/${schedule.Name}`,
    });
    const outcomeKey = String(run?.outcomeKey);
    const { Body } = await clients()
      .s3()
      .send(
        new GetObjectCommand({
          Bucket: stack.bucketName,
          Key: outcomeKey.replace(/outcome\.json$/, 'report.md'),
        }),
      );
    expect(await Body?.transformToString()).toContain(
      `Retirement: recovery copies kept until the retirement scheduled for ${T.toISOString()}`,
    );
    const role = rolePolicies(stack.template, {
      region: stack.region,
      stackName: stack.stackName,
      accountId: ACCOUNT,
    }).find((r) => r.arn === schedule.Target?.RoleArn);
    const startFailback = await evaluateRequest(
      String(role?.arn),
      role?.policies ?? [],
      { action: 'states:StartExecution', resource: String(failbackMachine?.arn) },
      stack.region,
    );
    expect(startFailback.allowed).toBe(false);

    // Act: T comes
    const retired = await fire(schedule);

    // Assess: the copies retired, each with a final AMI or snapshot kept, and recorded
    expect(retired.status, retired.cause).toBe('SUCCEEDED');
    expect(entered(retired)).toEqual(
      expect.arrayContaining(['CheckRetirementDue', 'RetireRecoveryCopies', 'RecordRetirement']),
    );
    expect(await live('us-west-2')).toHaveLength(0);
    const { Images = [] } = await clients()
      .ec2('us-west-2')
      .send(new DescribeImagesCommand({ Owners: ['self'] }));
    const finalImages = Images.filter((i) => i.Tags?.some((t) => t.Key === 'pendulum:final'));
    expect(finalImages.map((i) => i.Tags?.find((t) => t.Key === TAG.source)?.Value).sort()).toEqual(
      copies.map((i) => i.InstanceId).sort(),
    );
    const { DBSnapshots = [] } = await clients().rds('us-west-2').send(new DescribeDBSnapshotsCommand({}));
    expect(
      DBSnapshots.filter((s) => s.DBSnapshotIdentifier?.startsWith('pendulum-shop-final-')),
    ).toHaveLength(1);
    expect(await state.getRun('shop', String(app.lastFailbackRunId))).toMatchObject({
      retirement: { status: 'RETIRED', scheduledFor: T.toISOString(), retired: copies.length + 1 },
    });
  });

  it('changes nothing when the app is no longer home from that failback: it records that it skipped', async () => {
    // Prepare: failed back with the retirement scheduled, then failed over again during the soak
    const failback = await stack.run('failback', {});
    expect(failback.status, failback.cause).toBe('SUCCEEDED');
    const schedule = await retirementSchedule();
    const runId = String((await state.getApp('shop', 'us-east-1')).lastFailbackRunId);
    await failOver();
    const before = (await live('us-west-2')).map((i) => i.InstanceId).sort();

    // Act: T comes
    const retired = await fire(schedule);

    // Assess
    expect(retired.status, retired.cause).toBe('SUCCEEDED');
    expect(entered(retired)).toContain('RecordRetirementSkipped');
    expect(entered(retired)).not.toContain('RetireRecoveryCopies');
    expect((await live('us-west-2')).map((i) => i.InstanceId).sort()).toEqual(before);
    expect(await state.getRun('shop', runId)).toMatchObject({
      retirement: {
        status: 'SKIPPED',
        reason: expect.stringMatching(/^shop is FAILED_OVER.*not home from failback/),
      },
    });
  });
});
