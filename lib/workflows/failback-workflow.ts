import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FAILBACK_EXECUTION_TIMEOUT_SECONDS } from '../../lambdas/failback/failback-caps';
import { SCHEDULED_RETIREMENT_AFTER_SECONDS } from '../../lambdas/failback/scheduled-retirement';
import { hasPrivateZones } from '../../lambdas/failover/private-zone-associations';
import { durationSeconds } from '../../lambdas/plan/duration';
import { freezeModeOf } from '../../lambdas/plan/failback-freeze';
import { TASK_ERROR_NAMES as E } from '../../lambdas/runtime/task-errors';
import {
  allowFinaliseHome,
  allowFreezeWrites,
  allowReconcile,
  allowRetireRecoveryCopies,
  allowRetireStalePrimary,
  allowScheduleRetirement,
  allowSyncHome,
  allowUnfreezeWrites,
} from '../iam/failback-grants';
import { healthCheckAlarms } from '../iam/plan-resources';
import { allowFailbackPreflight } from '../iam/preflight-grants';
import { allowReadPrivateZones } from '../iam/private-zone-grants';
import {
  allowDnsSyncCheck,
  allowPublish,
  allowReadAlarms,
  allowRoute53Change,
  allowRoute53Read,
} from '../iam/shared-grants';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';
import { WorkflowStateMachine } from '../workflow-state-machine';
import { hookTasks } from './hook-tasks';
import { RetirementWorkflow } from './retirement-workflow';
import { pollUntil, prepareState, rejectionState, taskFactory } from './workflow-parts';

export interface FailbackWorkflowProps {
  readonly core: PendulumCore;
}

/**
 * Brings production home. Everything that can refuse (input, state, window, target health, hooks,
 * reconciliation conflicts) runs before the lock and changes nothing. Then instances and replicas
 * come home and are validated; writes freeze in the recovery region (failback.freeze); the final
 * sync runs after the freeze; the home databases are promoted; the data records move home at once
 * (never weighted: one writable database at every moment); writes resume at home; the stateless
 * records move back (at once or in weighted steps with health gates), the
 * stale primary is retired with final snapshots, and after the soak the recovery copies too: a soak
 * of up to a week waits here, a longer one is handed to a scheduled retirement (RetirementWorkflow).
 * A failure rolls the stateless records back to the last healthy step, lets the recovery region
 * write again if the data had not moved yet, and deletes nothing.
 */
export class FailbackWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The scheduled retirement of the recovery copies, for soaks this execution does not wait out. */
  readonly retirement: RetirementWorkflow;

  constructor(scope: Construct, id: string, props: FailbackWorkflowProps) {
    super(scope, id);
    const { core } = props;
    const { plan } = core;
    const regions = [plan.primaryRegion, plan.recoveryRegion];
    const task = taskFactory(this, core);
    const run = { 'run.$': '$.run' };
    const rejected = rejectionState(
      this,
      'FailbackRejected',
      'Bad input, wrong state, outside the window, unhealthy target, a hook veto or a DNS conflict: nothing was changed.',
    );
    const prepare = prepareState(
      this,
      'PrepareFailback',
      task('PrepareFailback', 'failback-prepare', (fn) => allowFailbackPreflight(fn.role, plan)),
      rejected,
      [E.invalidInput, E.wrongState, E.gateClosed, E.planUnavailable, E.preflightFailed],
    );

    const healthFn = task('CheckHealth', 'check-health', (fn) =>
      allowReadAlarms(fn.role, regions, healthCheckAlarms(plan)),
    );
    const checkHealth = (stateName: string, resultPath: string) =>
      lambdaTask(this, stateName, healthFn, {
        payload: sfn.TaskInput.fromObject({ 'region.$': '$.run.targetRegion', 'runId.$': '$.run.runId' }),
        resultPath,
      });
    const targetHealth = checkHealth('CheckTargetHealth', '$.targetHealth');
    const targetUnhealthy = new sfn.Fail(this, 'TargetUnhealthy', {
      error: E.gateClosed,
      cause: 'Health checks fail in the target region; failback did not start and nothing was changed.',
    });

    const hooks = hookTasks(this, core, 'Failback');
    hooks.pre.addCatch(rejected, { errors: [E.hookVeto, E.hookFailed], resultPath: '$.rejection' });
    // Private zones must still resolve at home before anything moves; checked, never associated here.
    let checkZones: sfn.TaskStateBase | undefined;
    if (hasPrivateZones(plan)) {
      checkZones = lambdaTask(
        this,
        'CheckPrivateZones',
        task('CheckPrivateZones', 'check-private-zones', (fn) => allowReadPrivateZones(fn.role, plan)),
        { payload: sfn.TaskInput.fromObject(run), resultPath: '$.privateZones' },
      );
      checkZones.addCatch(rejected, { errors: [E.gateClosed], resultPath: '$.rejection' });
    }

    const reconcile = lambdaTask(
      this,
      'Reconcile',
      task('Reconcile', 'reconcile-failback', (fn) => {
        allowRoute53Read(fn.role, plan);
        allowReconcile(fn.role, plan);
      }),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.reconciliation' },
    );
    reconcile.addCatch(rejected, { errors: [E.reconcileConflict, E.wrongState], resultPath: '$.rejection' });
    const dryRunDone = new sfn.Succeed(this, 'FailbackDryRunComplete', { outputPath: '$.reconciliation' });

    const takeLock = lambdaTask(
      this,
      'TakeFailbackLock',
      task('TakeFailbackLock', 'take-failback-lock', (fn) => allowPublish(fn.role, core.topic)),
      {
        payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', 'reconciliation.$': '$.reconciliation' }),
        resultPath: '$.lock',
      },
    );
    takeLock.addCatch(rejected, { errors: [E.wrongState], resultPath: '$.rejection' });

    // Data and instances home: one task advances and assesses everything, polled in bulk.
    const syncHomeFn = task(
      'SyncHome',
      'sync-home',
      (fn) => allowSyncHome(fn.role, plan),
      Duration.minutes(10),
    );
    const syncHome = lambdaTask(this, 'SyncHome', syncHomeFn, {
      payload: sfn.TaskInput.fromObject({ ...run, phase: 'home' }),
      resultPath: '$.home',
    });
    const homeHealth = checkHealth('CheckHomeHealth', '$.homeHealth');
    const homeUnhealthy = new sfn.Fail(this, 'HomeUnhealthy', {
      error: E.validationFailed,
      cause: 'The new primary fails its health checks; DNS was not moved back.',
    });
    const finalise = lambdaTask(
      this,
      'FinaliseHome',
      task('FinaliseHome', 'finalise-home', (fn) => {
        allowFinaliseHome(fn.role, plan);
      }),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.finalised' },
    );

    const shiftFn = task('ShiftDns', 'shift-dns', (fn) => {
      allowRoute53Read(fn.role, plan);
      allowRoute53Change(fn.role, plan);
    });
    const confirmFn = task('ConfirmFailbackDns', 'confirm-dns-sync', (fn) => allowDnsSyncCheck(fn.role));
    const confirm = (stateName: string, from: string) => {
      const state = lambdaTask(this, stateName, confirmFn, {
        payload: sfn.TaskInput.fromObject({ 'changeIds.$': `${from}.changeIds` }),
        resultPath: '$.dnsSync',
      });
      state.addRetry({
        errors: [E.notReady],
        interval: Duration.seconds(10),
        backoffRate: 1.5,
        maxAttempts: 20,
      });
      return state;
    };
    // The write freeze and the data cutover: bring home → freeze → final sync → promote/finalise →
    // data records → unfreeze at home → the stateless records (staged or at once).
    const mode = freezeModeOf(plan);
    const freezeFn = task('FreezeWrites', 'freeze-writes', (fn) => {
      if (mode === 'readOnly') allowFreezeWrites(fn.role, plan);
    });
    const freeze = lambdaTask(this, 'FreezeWrites', freezeFn, {
      payload: sfn.TaskInput.fromObject(run),
      resultPath: '$.freeze',
    });
    const finalSync = lambdaTask(this, 'FinalSync', syncHomeFn, {
      payload: sfn.TaskInput.fromObject({ ...run, phase: 'final' }),
      resultPath: '$.finalSync',
    });
    const moveData = lambdaTask(this, 'ShiftDnsData', shiftFn, {
      payload: sfn.TaskInput.fromObject({ ...run, move: 'data' }),
      resultPath: '$.dataShift',
    });
    const startFreeze: sfn.IChainable =
      mode === 'hook'
        ? hooks.freezeCall('freezeWrites', 'FreezeWritesHooks', '$.run.sourceRegion').next(freeze)
        : mode === 'maintenance'
          ? lambdaTask(this, 'ShiftDnsMaintenance', shiftFn, {
              payload: sfn.TaskInput.fromObject({ ...run, move: 'maintenance' }),
              resultPath: '$.maintenanceShift',
            })
              .next(confirm('ConfirmMaintenanceDns', '$.maintenanceShift'))
              .next(freeze)
          : freeze;
    const dataMoved = moveData.next(confirm('ConfirmDataDns', '$.dataShift'));
    const unfreezeHome =
      mode === 'hook'
        ? hooks.freezeCall('unfreezeWrites', 'UnfreezeWritesHooksHome', '$.run.targetRegion')
        : undefined;

    const cutover = lambdaTask(this, 'ShiftDnsCutover', shiftFn, {
      payload: sfn.TaskInput.fromObject(run),
      resultPath: '$.shift',
    });
    const cutoverPath = cutover.next(confirm('ConfirmCutoverDns', '$.shift'));

    // Staged: each weight is applied, confirmed, held, and gated on health in the target region.
    // A loop over the step index (not a Map): a step's failure must stop the steps after it.
    const startStages = new sfn.Pass(this, 'StartStages', {
      result: sfn.Result.fromObject({ next: 0 }),
      resultPath: '$.shift',
    });
    const step = lambdaTask(this, 'ShiftDnsStep', shiftFn, {
      payload: sfn.TaskInput.fromObject({ 'run.$': '$.run', 'step.$': '$.shift.next' }),
      resultPath: '$.shift',
    });
    const hold = new sfn.Wait(this, 'HoldStep', {
      time: sfn.WaitTime.duration(Duration.seconds(durationSeconds(plan.failback.stepHold))),
    });
    const stepHealth = checkHealth('CheckStepHealth', '$.stepHealth');
    const stepUnhealthy = new sfn.Fail(this, 'StepUnhealthy', {
      error: E.validationFailed,
      cause: 'A staged failback step failed its health gate; DNS goes back to the last healthy step.',
    });
    const stagesDone = new sfn.Pass(this, 'StagesDone');
    const stages = startStages
      .next(step)
      .next(confirm('ConfirmStepDns', '$.shift'))
      .next(hold)
      .next(stepHealth)
      .next(
        new sfn.Choice(this, 'StepHealthy?')
          .when(
            sfn.Condition.booleanEquals('$.stepHealth.passed', true),
            new sfn.Choice(this, 'MoreSteps?')
              .when(sfn.Condition.booleanEquals('$.shift.done', true), stagesDone)
              .otherwise(step),
          )
          .otherwise(stepUnhealthy),
      );

    const retireStale = lambdaTask(
      this,
      'RetireStalePrimary',
      task(
        'RetireStalePrimary',
        'retire-stale-primary',
        (fn) => allowRetireStalePrimary(fn.role, plan),
        Duration.minutes(10),
      ),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.retiredStale' },
    );
    const record = lambdaTask(
      this,
      'RecordFailback',
      task('RecordFailback', 'record-failback', (fn) => allowPublish(fn.role, core.topic)),
      {
        payload: sfn.TaskInput.fromObject({ ...run, 'hookResults.$': '$.hookResults' }),
        resultPath: '$.outcome',
      },
    );

    const afterShift = hooks.post.next(record);
    stagesDone.next(afterShift);
    const shiftDns = new sfn.Choice(this, 'Staged?')
      .when(sfn.Condition.stringEquals('$.run.strategy', 'staged'), stages)
      .otherwise(cutoverPath.next(afterShift));
    const afterData = unfreezeHome ? dataMoved.next(unfreezeHome).next(shiftDns) : dataMoved.next(shiftDns);
    const finaliseLoop = finalise.next(
      pollUntil(this, finalise, {
        id: 'HomeFinal?',
        condition: sfn.Condition.booleanEquals('$.finalised.finished', true),
        next: afterData,
        waitId: 'WaitForFinalise',
        pollPath: '$.finalised.pollSeconds',
      }),
    );
    const finalSyncLoop = finalSync.next(
      pollUntil(this, finalSync, {
        id: 'FinalSynced?',
        condition: sfn.Condition.booleanEquals('$.finalSync.ready', true),
        next: finaliseLoop,
        waitId: 'WaitForFinalSync',
        pollPath: '$.finalSync.pollSeconds',
      }),
    );
    freeze.next(
      pollUntil(this, freeze, {
        id: 'WritesFrozen?',
        condition: sfn.Condition.booleanEquals('$.freeze.finished', true),
        next: finalSyncLoop,
        waitId: 'WaitForFreeze',
        pollPath: '$.freeze.pollSeconds',
      }),
    );
    const homeReady = new sfn.Choice(this, 'HomeReady?')
      .when(
        sfn.Condition.booleanEquals('$.home.ready', true),
        homeHealth.next(
          new sfn.Choice(this, 'HomeHealthy?')
            .when(sfn.Condition.booleanEquals('$.homeHealth.passed', true), startFreeze)
            .otherwise(homeUnhealthy),
        ),
      )
      .otherwise(
        new sfn.Wait(this, 'WaitForHome', { time: sfn.WaitTime.secondsPath('$.home.pollSeconds') }).next(
          syncHome,
        ),
      );

    const failback = new sfn.Parallel(this, 'Failback', {
      resultSelector: { 'outcome.$': '$[0].outcome' },
      resultPath: '$.result',
    });
    failback.branch(syncHome.next(homeReady));
    const rollBack = lambdaTask(
      this,
      'RollBackDns',
      task('RollBackDns', 'roll-back-dns', (fn) => allowRoute53Change(fn.role, plan)),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.rollback' },
    );
    const recordFailure = lambdaTask(
      this,
      'RecordFailbackFailure',
      task('RecordFailbackFailure', 'record-failback-failure', (fn) => allowPublish(fn.role, core.topic)),
      {
        payload: sfn.TaskInput.fromObject({
          'run.$': '$.run',
          'failure.$': '$.failure',
          'rollback.$': '$.rollback',
          'unfreeze.$': '$.unfreeze',
        }),
        resultPath: '$.failureRecord',
      },
    );
    // After a failure: DNS back, then writes resume where the data is (see unfreeze-writes).
    const unfreeze = lambdaTask(
      this,
      'UnfreezeWrites',
      task('UnfreezeWrites', 'unfreeze-writes', (fn) => {
        if (mode === 'readOnly') allowUnfreezeWrites(fn.role, plan);
      }),
      { payload: sfn.TaskInput.fromObject(run), resultPath: '$.unfreeze' },
    );
    // A failure to unfreeze must not hide the failback's own failure: it is recorded with it.
    unfreeze.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.unfreeze' });
    const afterUnfreeze: sfn.IChainable =
      mode === 'hook'
        ? new sfn.Choice(this, 'TellHooksWritesResume?')
            .when(
              sfn.Condition.booleanEquals('$.unfreeze.callHooks', true),
              hooks
                .freezeCall('unfreezeWrites', 'UnfreezeWritesHooks', '$.unfreeze.hooksRegion')
                .addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.unfreezeHooks' })
                .next(recordFailure),
            )
            .otherwise(recordFailure)
        : recordFailure;
    unfreeze.next(
      pollUntil(this, unfreeze, {
        id: 'WritesResumed?',
        condition: sfn.Condition.booleanEquals('$.unfreeze.finished', true),
        next: afterUnfreeze,
        waitId: 'WaitForUnfreeze',
        pollPath: '$.unfreeze.pollSeconds',
      }),
    );
    failback.addCatch(rollBack.next(unfreeze), { errors: ['States.ALL'], resultPath: '$.failure' });
    recordFailure.next(
      new sfn.Fail(this, 'FailbackFailed', {
        errorPath: '$.failure.Error',
        causePath: '$.failure.Cause',
      }),
    );

    // After production is home: wait out the soak, then retire the recovery copies (final
    // snapshots kept). A failure here leaves the copies in place and says so; it is not a failback failure.
    const soak = new sfn.Wait(this, 'Soak', { time: sfn.WaitTime.secondsPath('$.run.soakSeconds') });
    const retireCopiesFn = task(
      'RetireRecoveryCopies',
      'retire-recovery-copies',
      (fn) => allowRetireRecoveryCopies(fn.role, plan),
      Duration.minutes(10),
    );
    const retireCopies = lambdaTask(this, 'RetireRecoveryCopies', retireCopiesFn, {
      payload: sfn.TaskInput.fromObject(run),
      resultPath: '$.retiredCopies',
    });
    // A soak longer than this execution should wait goes to a scheduled retirement instead.
    this.retirement = new RetirementWorkflow(this, 'Retirement', { core, retireCopies: retireCopiesFn });
    const { schedulerRole } = this.retirement;
    const scheduleRetirement = lambdaTask(
      this,
      'ScheduleRetirement',
      task('ScheduleRetirement', 'schedule-retirement', (fn) => {
        allowScheduleRetirement(fn.role, plan, { group: core.scheduleGroupName, schedulerRole });
        allowPublish(fn.role, core.topic);
      }),
      {
        payload: sfn.TaskInput.fromObject({
          ...run,
          home: {
            'completedAt.$': '$.result.outcome.completedAt',
            'outcomeKey.$': '$.result.outcome.outcomeKey',
          },
          target: {
            stateMachineArn: this.retirement.stateMachine.stateMachineArn,
            roleArn: schedulerRole.roleArn,
            scheduleGroup: core.scheduleGroupName,
          },
        }),
        resultPath: '$.retirementSchedule',
      },
    );
    const retirementFailed = new sfn.Fail(this, 'RetirementFailed', {
      errorPath: '$.retireFailure.Error',
      causePath: '$.retireFailure.Cause',
      comment:
        'Failback succeeded and production is home; some stale or recovery copies were not retired and are kept. Retire them by hand or re-run.',
    });
    // Retiring is housekeeping after production is home: its failure must not roll DNS back or
    // mark the failback failed, so it runs after the try/catch, with a catch of its own.
    retireStale.addCatch(retirementFailed, { errors: ['States.ALL'], resultPath: '$.retireFailure' });
    retireCopies.addCatch(retirementFailed, { errors: ['States.ALL'], resultPath: '$.retireFailure' });
    scheduleRetirement.addCatch(retirementFailed, { errors: ['States.ALL'], resultPath: '$.retireFailure' });
    const done = new sfn.Succeed(this, 'FailbackComplete', { outputPath: '$.result.outcome' });
    retireStale.next(
      pollUntil(this, retireStale, {
        id: 'StaleRetired?',
        condition: sfn.Condition.booleanEquals('$.retiredStale.complete', true),
        next: new sfn.Choice(this, 'SoakScheduled?')
          .when(
            sfn.Condition.numberGreaterThan('$.run.soakSeconds', SCHEDULED_RETIREMENT_AFTER_SECONDS),
            scheduleRetirement.next(done),
          )
          .otherwise(soak),
        waitId: 'WaitForStaleRetirement',
        pollPath: '$.retiredStale.pollSeconds',
      }),
    );
    soak.next(retireCopies).next(
      pollUntil(this, retireCopies, {
        id: 'CopiesRetired?',
        condition: sfn.Condition.booleanEquals('$.retiredCopies.complete', true),
        next: done,
        waitId: 'WaitForCopiesRetirement',
        pollPath: '$.retiredCopies.pollSeconds',
      }),
    );

    const windowSkipped = new sfn.Succeed(this, 'WindowSkipped', {
      outputPath: '$.run.skipped',
      comment:
        'A scheduled window found nothing to do (not failed over, no approval, or too little time): nothing was changed.',
    });
    const definition = prepare.next(
      new sfn.Choice(this, 'Skipped?')
        .when(sfn.Condition.isPresent('$.run.skipped'), windowSkipped)
        .otherwise(targetHealth),
    );
    targetHealth.next(
      new sfn.Choice(this, 'TargetHealthy?')
        .when(sfn.Condition.booleanEquals('$.targetHealth.passed', false), targetUnhealthy)
        .otherwise(
          (checkZones ? checkZones.next(hooks.pre) : hooks.pre)
            .next(reconcile)
            .next(
              new sfn.Choice(this, 'FailbackDryRun?')
                .when(sfn.Condition.booleanEquals('$.run.dryRun', true), dryRunDone)
                .otherwise(takeLock.next(failback).next(retireStale)),
            ),
        ),
    );

    this.stateMachine = new WorkflowStateMachine(this, 'Workflow', {
      stateMachineName: core.name('failback'),
      definition,
      // Soaks beyond a week are scheduled; plans whose longest path still would not fit are refused (plan-schema).
      timeout: Duration.seconds(FAILBACK_EXECUTION_TIMEOUT_SECONDS),
      comment: `Fails ${plan.app} back from ${plan.recoveryRegion} to ${plan.primaryRegion}`,
    }).stateMachine;
  }
}
