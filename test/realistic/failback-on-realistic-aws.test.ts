import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modeledMs } from '../../cli/rehearsal/modeled-time';
import { createSampleEstate } from '../../examples/sample-estate';
import { atExpression, retirementScheduleName } from '../../lambdas/failback/scheduled-retirement';
import { durationSeconds } from '../../lambdas/plan/duration';
import type { Plan, PlanInput } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import type { WorkflowEvent, WorkflowRunResult } from '../../local/local-workflow-runner';
import { useInstantAws, useRealisticAws } from '../../local/realistic-aws/realistic-aws';
import { resetVirtualClock, virtualClock } from '../../local/virtual-clock';
import { healthEndpointForTests } from '../support/health-endpoint';
import { live as liveInstances } from '../support/live-instances';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';
import { deployScheduleGroups } from '../support/schedule-groups';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Stamped = { type?: string; timestamp?: number; state?: { name?: string } };

/** Modeled time from the first time `from` is entered to the last time `to` is left. */
function modeledSpan(events: readonly WorkflowEvent[], from: string, to: string): number {
  const stamped = events as readonly Stamped[];
  const start = stamped.find((e) => e.type === 'StateEntered' && e.state?.name === from)?.timestamp;
  const end = stamped.findLast((e) => e.type === 'StateExited' && e.state?.name === to)?.timestamp;
  if (start === undefined || end === undefined) throw new Error(`no ${from} … ${to} in the run`);
  return end - start;
}

const entered = (result: WorkflowRunResult) =>
  result.events
    .filter((e) => e.type === 'StateEntered')
    .map((e) => (e as { state?: { name: string } }).state?.name);

/** The app's instances that run in a region. */
const live = (region: string) => liveInstances(region, [{ Name: `tag:${TAG.app}`, Values: ['shop'] }]);

describe('failback on the realistic local AWS', { timeout: 300_000 }, () => {
  let plan: Plan;
  let stack: LocalStack;
  let state: StateTable;

  /**
   * Protects on instant AWS (the points exist before the incident), turns AWS realistic and fails
   * over: the recovery copy of the database is a restore that took its time.
   */
  async function failedOver(edit: (plan: PlanInput) => void, databaseGiB: number) {
    plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      edit(p);
    });
    await createSampleEstate(clients(), { databaseGiB });
    stack = await deployLocalStack(plan);
    state = new StateTable(clients().dynamo(), stack.tableName);
    const protect = await stack.run('protect', {});
    expect(protect.status, protect.cause).toBe('SUCCEEDED');
    useRealisticAws({ seed: 21 });
    const failover = await stack.run('failover', {});
    expect(failover.status, failover.cause).toBe('SUCCEEDED');
  }

  beforeEach(async () => {
    await aws.reset();
    // Virtual time is the process's: a test after one that modeled hours would start hours ahead
    // of the points protect stamped in real time, older than their RPO.
    resetVirtualClock();
  });
  afterEach(() => useInstantAws());

  it('brings a 500 GiB database home by snapshot, copy and restore, hours past the longest RTO', async () => {
    // Prepare: ~20 min snapshot + ~60 min cross-region copy + ~40 min restore, against a longest RTO of 1 h
    await failedOver((p) => {
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '1h' };
    }, 500);
    const longestRtoMs = Math.max(...plan.tiers.map((t) => durationSeconds(t.rto) * 1000));

    // Act
    const result = await stack.run('failback', {});

    // Assess: the failback finished, production is home
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const app = await state.getApp('shop', 'us-east-1');
    expect(app).toMatchObject({ status: 'PRIMARY_ACTIVE', activeRegion: 'us-east-1' });
    // Assess: bringing home (first SyncHome to FinaliseHome done) took longer than any RTO
    // allows: the old bound (ReadyTimeoutError past the longest tier RTO, before a34c6e6) fails it.
    // Checked: with sync-home's cap put back to the longest tier RTO, this run FAILS.
    expect(longestRtoMs).toBe(HOUR);
    const sync = modeledSpan(result.events, 'SyncHome', 'FinaliseHome');
    expect(sync).toBeGreaterThan(longestRtoMs);
    expect(sync).toBeLessThan(durationSeconds(plan.failback.syncCap) * 1000);
    // Assess: shop-db at home is the one failback restored, available
    const { DBInstances = [] } = await clients()
      .rds('us-east-1')
      .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }));
    expect(DBInstances).toEqual([
      expect.objectContaining({
        DBInstanceStatus: 'available',
        TagList: expect.arrayContaining([expect.objectContaining({ Key: TAG.failback })]),
      }),
    ]);
  });

  it('past failback.syncCap fails naming the cap and the database, records the failure and gives the lock back', async () => {
    // Prepare: a sync cap shorter than the ~2 h it takes to bring 500 GiB home
    await failedOver((p) => {
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '1h', syncCap: '30m' };
    }, 500);

    // Act
    const result = await stack.run('failback', {});

    // Assess: the cap's error, not one from the catch path; DNS never moved, so nothing to roll back
    expect(result.status).toBe('FAILED');
    expect(result.error, result.cause).toBe('ReadyTimeoutError');
    expect(result.cause).toMatch(/failback\.syncCap 1800s.*shop-db/);
    expect(entered(result)).toEqual(expect.arrayContaining(['RollBackDns', 'RecordFailbackFailure']));
    // Assess: the lock given back (no longer FAILING_BACK), the failure recorded, production where it was
    const app = await state.getApp('shop', 'us-east-1');
    expect(app).toMatchObject({ status: 'FAILBACK_FAILED', activeRegion: 'us-west-2' });
    const run = await state.getRun('shop', String(app.runId));
    expect(run).toMatchObject({ status: 'FAILED', error: 'ReadyTimeoutError' });
  });

  it('hands a 40-day soak to a scheduled retirement: the run ends well inside its 30 days, and at T the copies are retired', async () => {
    // Prepare
    await failedOver((p) => {
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '40d' };
    }, 20);
    const scheduler = new SchedulerClient({ region: stack.region });
    await deployScheduleGroups(stack.template, scheduler);

    // Act
    const result = await stack.run('failback', {});

    // Assess: the failback succeeded without waiting the soak, and did not run into its timeout.
    // Checked: with the soak waited inside the execution (no scheduled retirement, the plan's
    // refusal lifted), this run is TIMED_OUT at the execution's 30 days.
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(entered(result)).toContain('ScheduleRetirement');
    expect(entered(result)).not.toContain('Soak');
    expect(modeledMs(result.events)).toBeLessThan(1 * DAY);
    // Assess: the retirement is scheduled 40 days after production was home
    const app = await state.getApp('shop', 'us-east-1');
    const run = await state.getRun('shop', String(app.lastFailbackRunId));
    const T = Math.ceil((Date.parse(String(run?.completedAt)) + 40 * DAY) / 1000) * 1000;
    expect(run?.retirementScheduledFor).toBe(new Date(T).toISOString());
    const schedule = await scheduler.send(
      new GetScheduleCommand({
        GroupName: 'pendulum-shop-schedules',
        Name: retirementScheduleName('shop', String(app.failbackId)),
      }),
    );
    expect(schedule.ScheduleExpression).toBe(atExpression(new Date(T)));
    const copies = await live('us-west-2');
    expect(copies.length).toBeGreaterThan(0);

    // Act: 40 days pass; at T, Scheduler starts its target with its input
    virtualClock().advance(T - virtualClock().now());
    const retired = await stack.run('retirement', JSON.parse(String(schedule.Target?.Input)));

    // Assess: the copies retired, with their final snapshots made (minutes each, on this AWS)
    expect(retired.status, retired.cause).toBe('SUCCEEDED');
    expect(entered(retired)).toContain('RetireRecoveryCopies');
    expect(await live('us-west-2')).toHaveLength(0);
    const { DBSnapshots = [] } = await clients().rds('us-west-2').send(new DescribeDBSnapshotsCommand({}));
    // RDS takes the final snapshot as part of the deletion; retirement confirms it exists. How far
    // it has got when the run ends depends on how long the instances' final AMIs took.
    const finals = DBSnapshots.filter((s) => s.DBSnapshotIdentifier?.startsWith('pendulum-shop-final-'));
    expect(finals).toHaveLength(1);
    expect(['creating', 'available']).toContain(finals[0]?.Status);
    expect(await state.getRun('shop', String(app.lastFailbackRunId))).toMatchObject({
      retirement: { status: 'RETIRED', retired: copies.length + 1 },
    });
  });
});
