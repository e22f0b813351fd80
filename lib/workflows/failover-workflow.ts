import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { hasPrivateZones } from '../../lambdas/failover/private-zone-associations';
import { TASK_ERROR_NAMES as E } from '../../lambdas/runtime/task-errors';
import {
  allowCheckTier,
  allowReadCatalogue,
  allowReadRecoveryPoints,
  allowRecoverTier,
  allowTearDownDrill,
} from '../iam/failover-grants';
import { healthCheckAlarms } from '../iam/plan-resources';
import { allowFailoverPreflight, allowPlanFailoverPreflight } from '../iam/preflight-grants';
import { allowAssociatePrivateZones, allowReadPrivateZones } from '../iam/private-zone-grants';
import {
  allowDnsSyncCheck,
  allowPublish,
  allowReadAlarmArns,
  allowReadAlarms,
  allowRoute53Change,
  allowRoute53Read,
} from '../iam/shared-grants';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';
import { WorkflowStateMachine } from '../workflow-state-machine';
import { hookTasks } from './hook-tasks';
import { prepareState, rejectionState, taskFactory } from './workflow-parts';

export interface FailoverWorkflowProps {
  readonly core: PendulumCore;
}

/**
 * Fails the app over to the recovery region. Checks that can refuse (input, state, pre-failover
 * hooks, recovery points) run before the lock and write nothing; then DNS snapshot, tiers in
 * order (each tier's resources started in parallel, in bounded batches), health, DNS cutover,
 * record. History grows with tiers, batches and polls: one batch per 200 resources.
 */
export class FailoverWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: FailoverWorkflowProps) {
    super(scope, id);
    const { core } = props;
    const { plan } = core;
    const recovery = plan.recoveryRegion;
    const task = taskFactory(this, core);
    const run = { 'run.$': '$.run' };

    const rejected = rejectionState(
      this,
      'FailoverRejected',
      'Bad input, the wrong state, a hook veto, an unusable recovery point or a failed preflight: nothing was written.',
    );
    const prepare = prepareState(
      this,
      'PrepareFailover',
      task('PrepareFailover', 'failover-prepare', () => {}),
      rejected,
      [E.invalidInput, E.wrongState, E.planUnavailable],
    );

    const planFailover = lambdaTask(
      this,
      'PlanFailover',
      task('PlanFailover', 'plan-failover', (fn) => {
        allowReadCatalogue(fn.role, plan);
        allowRoute53Read(fn.role, plan);
        allowReadPrivateZones(fn.role, plan, false);
        allowPlanFailoverPreflight(fn.role, plan);
      }),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.plan' },
    );
    const dryRunDone = new sfn.Succeed(this, 'DryRunComplete', { outputPath: '$.plan' });

    const hooks = hookTasks(this, core, 'Failover', '$.run.skipHooks');
    const snapshotDns = lambdaTask(
      this,
      'SnapshotDns',
      task('SnapshotDns', 'snapshot-dns', (fn) => allowRoute53Read(fn.role, plan)),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.dnsSnapshot' },
    );
    const chooseFn = task('ChooseRecoveryPoints', 'choose-recovery-points', (fn) => {
      allowReadRecoveryPoints(fn.role, plan);
      allowFailoverPreflight(fn.role, plan);
    });
    // Checked before the lock (nothing written if a point is missing or too old), stored after it.
    const checkPoints = lambdaTask(this, 'CheckRecoveryPoints', chooseFn, {
      payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', store: false }),
      resultPath: '$.pointCheck',
    });
    checkPoints.addCatch(rejected, {
      errors: [E.recoveryPointMissing, E.recoveryPointTooOld, E.preflightFailed],
      resultPath: '$.rejection',
    });
    const choosePoints = lambdaTask(this, 'ChooseRecoveryPoints', chooseFn, {
      payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', store: true }),
      resultPath: '$.selection',
    });
    const takeLock = lambdaTask(
      this,
      'TakeFailoverLock',
      task('TakeFailoverLock', 'take-failover-lock', (fn) => allowPublish(fn.role, core.topic)),
      {
        payload: sfn.TaskInput.fromObject(run),
        resultPath: '$.lock',
      },
    );
    takeLock.addCatch(rejected, { errors: [E.wrongState], resultPath: '$.rejection' });

    // One tier at a time, in plan order; inside a tier resources start in parallel, a bounded
    // batch per invocation (lambdas/failover/recovery-batch.ts), looping until all are started.
    const recoverTier = lambdaTask(
      this,
      'RecoverTier',
      task('RecoverTier', 'recover-tier', (fn) => allowRecoverTier(fn.role, plan), Duration.minutes(10)),
      {
        payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', 'tier.$': '$.tier' }),
        resultPath: '$.recovery',
      },
    );
    // Bounded backoff: the check says how long to wait before asking again (5 s to 60 s).
    const waitForTier = new sfn.Wait(this, 'WaitForTier', {
      time: sfn.WaitTime.secondsPath('$.readiness.nextPollSeconds'),
    });
    const checkTier = lambdaTask(
      this,
      'CheckTierReady',
      task('CheckTierReady', 'check-tier-ready', (fn) => allowCheckTier(fn.role, plan)),
      {
        payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', 'tier.$': '$.tier' }),
        resultPath: '$.readiness',
      },
    );
    const tierReady = new sfn.Choice(this, 'TierReady?')
      .when(sfn.Condition.booleanEquals('$.readiness.ready', true), new sfn.Succeed(this, 'TierRecovered'))
      .otherwise(waitForTier);
    const recoverTiers = new sfn.Map(this, 'RecoverTiers', {
      itemsPath: '$.run.tiers',
      itemSelector: { 'run.$': '$.run', 'tier.$': '$$.Map.Item.Value' },
      maxConcurrency: 1,
      resultPath: sfn.JsonPath.DISCARD,
    });
    const tierStarted = new sfn.Choice(this, 'TierStarted?')
      .when(sfn.Condition.booleanEquals('$.recovery.done', true), checkTier.next(tierReady))
      .otherwise(recoverTier);
    recoverTiers.itemProcessor(recoverTier.next(tierStarted));
    waitForTier.next(checkTier);

    const checkHealth = lambdaTask(
      this,
      'CheckRecoveryHealth',
      task('CheckRecoveryHealth', 'check-health', (fn) =>
        allowReadAlarms(fn.role, [recovery], healthCheckAlarms(plan)),
      ),
      {
        payload: sfn.TaskInput.fromObject({ 'region.$': '$.run.targetRegion', 'runId.$': '$.run.runId' }),
        resultPath: '$.health',
      },
    );
    const unhealthy = new sfn.Fail(this, 'RecoveryUnhealthy', {
      error: E.validationFailed,
      cause: 'Health checks failed in the recovery region; DNS was not changed.',
    });
    const cutOver = lambdaTask(
      this,
      'CutOverDns',
      // Drills run the same cut-over on the drill names.
      task('CutOverDns', 'cut-over-dns', (fn) => {
        allowRoute53Read(fn.role, plan);
        allowRoute53Change(fn.role, plan, 'both');
      }),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.cutover' },
    );
    // Private zones answer only in their VPCs: the recovery VPCs first, then the records move.
    let associateZones: sfn.TaskStateBase | undefined;
    if (hasPrivateZones(plan)) {
      associateZones = lambdaTask(
        this,
        'AssociatePrivateZones',
        task('AssociatePrivateZones', 'associate-private-zones', (fn) => {
          allowAssociatePrivateZones(fn.role, plan);
          allowDnsSyncCheck(fn.role);
        }),
        { payload: sfn.TaskInput.fromObject(run), resultPath: '$.zoneAssociations' },
      );
      associateZones.addRetry({
        errors: [E.notReady],
        interval: Duration.seconds(10),
        backoffRate: 1.5,
        maxAttempts: 20,
      });
    }
    const confirmSync = lambdaTask(
      this,
      'ConfirmDnsSync',
      task('ConfirmDnsSync', 'confirm-dns-sync', (fn) => allowDnsSyncCheck(fn.role)),
      {
        payload: sfn.TaskInput.fromObject({ 'changeIds.$': '$.cutover.changeIds' }),
        resultPath: '$.dnsSync',
      },
    );
    confirmSync.addRetry({
      errors: [E.notReady],
      interval: Duration.seconds(10),
      backoffRate: 1.5,
      maxAttempts: 20,
    });
    const recordFn = task('RecordFailover', 'record-failover', (fn) => allowPublish(fn.role, core.topic));
    const record = lambdaTask(this, 'RecordFailover', recordFn, {
      payload: sfn.TaskInput.fromObject({
        'run.$': '$.run',
        'dnsSync.$': '$.dnsSync',
        'hookResults.$': '$.hookResults',
      }),
      resultPath: '$.outcome',
    });

    hooks.pre.addCatch(rejected, { errors: [E.hookVeto, E.hookFailed], resultPath: '$.rejection' });
    const steps = snapshotDns
      .next(choosePoints)
      .next(recoverTiers)
      .next(checkHealth)
      .next(
        new sfn.Choice(this, 'RecoveryHealthy?')
          .when(
            sfn.Condition.booleanEquals('$.health.passed', true),
            (associateZones ? associateZones.next(cutOver) : cutOver)
              .next(confirmSync)
              .next(hooks.post)
              .next(record),
          )
          .otherwise(unhealthy),
      );

    // Parallel as try/catch: any failure after the lock is recorded before the execution fails.
    const failover = new sfn.Parallel(this, 'Failover', {
      resultSelector: { 'outcome.$': '$[0].outcome' },
      resultPath: '$.result',
    });
    failover.branch(steps);
    const recordFailure = lambdaTask(
      this,
      'RecordFailoverFailure',
      task('RecordFailoverFailure', 'record-failover-failure', (fn) => allowPublish(fn.role, core.topic)),
      {
        payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', 'failure.$': '$.failure' }),
        resultPath: '$.failureRecord',
      },
    );
    // Drills tear down what they made, on success and on failure alike.
    const teardownFn = task('TearDownDrill', 'tear-down-drill', (fn) => {
      allowTearDownDrill(fn.role, plan);
      allowRoute53Read(fn.role, plan);
      allowRoute53Change(fn.role, plan, 'drill');
    });
    const teardown = lambdaTask(this, 'TearDownDrill', teardownFn, {
      payload: sfn.TaskInput.fromObject(run),
      resultPath: '$.teardown',
    });
    const teardownAfterFailure = lambdaTask(this, 'TearDownFailedDrill', teardownFn, {
      payload: sfn.TaskInput.fromObject(run),
      resultPath: '$.teardown',
    });
    const failed = new sfn.Fail(this, 'FailoverFailed', {
      errorPath: '$.failure.Error',
      causePath: '$.failure.Cause',
    });
    failover.addCatch(
      recordFailure.next(
        new sfn.Choice(this, 'FailedDrill?')
          .when(sfn.Condition.booleanEquals('$.run.drill', true), teardownAfterFailure.next(failed))
          .otherwise(failed),
      ),
      { errors: ['States.ALL'], resultPath: '$.failure' },
    );
    const complete = new sfn.Succeed(this, 'FailoverComplete', { outputPath: '$.result.outcome' });
    const afterFailover = new sfn.Choice(this, 'Drill?')
      .when(sfn.Condition.booleanEquals('$.run.drill', true), teardown.next(complete))
      .otherwise(complete);

    // Gates for alarm-started runs: still firing after the delay, outside the cooldown, approved.
    const gateFn = task('CheckFailoverGates', 'check-failover-gates', (fn) => {
      allowReadAlarmArns(fn.role, plan.triggers.alarms);
      allowPublish(fn.role, core.topic);
    });
    const gateStopped = new sfn.Succeed(this, 'GateStopped', {
      outputPath: '$.gate',
      comment: 'A gate decided not to fail over; the decision is recorded and notified. Nothing was changed.',
    });
    const confirmationDelay = new sfn.Wait(this, 'ConfirmationDelay', {
      time: sfn.WaitTime.secondsPath('$.run.gates.confirmationDelaySeconds'),
    });
    const checkAlarm = lambdaTask(this, 'CheckAlarmGate', gateFn, {
      payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', gate: 'alarm' }),
      resultPath: '$.gate',
    });
    const checkApproval = lambdaTask(this, 'CheckApproval', gateFn, {
      payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', gate: 'approval' }),
      resultPath: '$.gate',
    });
    const waitForApproval = new sfn.Wait(this, 'WaitForApproval', {
      time: sfn.WaitTime.duration(Duration.seconds(30)),
    });

    const dryRunChoice = new sfn.Choice(this, 'DryRun?')
      .when(sfn.Condition.booleanEquals('$.run.dryRun', true), planFailover.next(dryRunDone))
      .otherwise(hooks.pre.next(checkPoints).next(takeLock).next(failover).next(afterFailover));
    const approvalDecision = new sfn.Choice(this, 'Approved?')
      .when(sfn.Condition.stringEquals('$.gate.verdict', 'pass'), dryRunChoice)
      .when(sfn.Condition.stringEquals('$.gate.verdict', 'wait'), waitForApproval.next(checkApproval))
      .otherwise(gateStopped);
    const gates = confirmationDelay
      .next(checkAlarm)
      .next(
        new sfn.Choice(this, 'AlarmStillFiring?')
          .when(sfn.Condition.stringEquals('$.gate.verdict', 'stop'), gateStopped)
          .when(
            sfn.Condition.booleanEquals('$.run.gates.approvalRequired', true),
            checkApproval.next(approvalDecision),
          )
          .otherwise(dryRunChoice),
      );

    const definition = prepare.next(
      new sfn.Choice(this, 'AlarmStarted?')
        .when(sfn.Condition.isPresent('$.run.trigger'), gates)
        .otherwise(dryRunChoice),
    );

    this.stateMachine = new WorkflowStateMachine(this, 'Workflow', {
      stateMachineName: core.name('failover'),
      definition,
      comment: `Fails ${plan.app} over from ${plan.primaryRegion} to ${plan.recoveryRegion}`,
    }).stateMachine;
  }
}
