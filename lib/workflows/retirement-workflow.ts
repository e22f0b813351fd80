import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { durationSeconds } from '../../lambdas/plan/duration';
import { allowPublish } from '../iam/shared-grants';
import { lambdaTask } from '../lambda-task';
import type { PendulumCore } from '../pendulum-core';
import type { TaskFunction } from '../task-function';
import { SchedulerRole } from '../triggers/scheduler-role';
import { WorkflowStateMachine } from '../workflow-state-machine';
import { pollUntil, taskFactory } from './workflow-parts';

export interface RetirementWorkflowProps {
  readonly core: PendulumCore;
  /** The failback workflow's RetireRecoveryCopies function: one role, one set of grants for both. */
  readonly retireCopies: TaskFunction;
}

/** What no cap bounds in a retirement: the check, the record, Lambda retries. */
const SLACK = Duration.hours(1);

/**
 * The scheduled retirement of the recovery copies, for a soak longer than the failback execution
 * waits (see lambdas/failback/scheduled-retirement.ts for why a machine of its own). Started once
 * by the one-time schedule ScheduleRetirement makes, with `{ run, retireAt }`: it retires only if
 * the app is still home from that failback, else records that it skipped and changes nothing.
 */
export class RetirementWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The role the retirement schedules start this machine with; it may start nothing else. */
  readonly schedulerRole: iam.IRole;

  constructor(scope: Construct, id: string, props: RetirementWorkflowProps) {
    super(scope, id);
    const { core, retireCopies } = props;
    const { plan } = core;
    const task = taskFactory(this, core);

    const check = lambdaTask(
      this,
      'CheckRetirementDue',
      task('CheckRetirementDue', 'check-retirement-due', () => {}),
      { resultPath: '$.check' },
    );
    const retire = lambdaTask(this, 'RetireRecoveryCopies', retireCopies, {
      payload: sfn.TaskInput.fromObject({ 'run.$': '$.check.run' }),
      resultPath: '$.retiredCopies',
    });
    const recordFn = task('RecordRetirement', 'record-retirement', (fn) => allowPublish(fn.role, core.topic));
    const record = lambdaTask(this, 'RecordRetirement', recordFn, {
      payload: sfn.TaskInput.fromObject({
        'run.$': '$.check.run',
        'check.$': '$.check',
        'retired.$': '$.retiredCopies',
      }),
      resultPath: '$.record',
    });
    const recordSkip = lambdaTask(this, 'RecordRetirementSkipped', recordFn, {
      payload: sfn.TaskInput.fromObject({ 'run.$': '$.check.run', 'check.$': '$.check' }),
      resultPath: '$.record',
    });
    const failed = new sfn.Fail(this, 'RetirementFailed', {
      errorPath: '$.retireFailure.Error',
      causePath: '$.retireFailure.Cause',
      comment:
        'Failback succeeded and production is home; some stale or recovery copies were not retired and are kept. Retire them by hand or re-run.',
    });
    retire.addCatch(failed, { errors: ['States.ALL'], resultPath: '$.retireFailure' });

    const definition = check.next(
      new sfn.Choice(this, 'RetirementDue?')
        .when(
          sfn.Condition.booleanEquals('$.check.due', true),
          retire.next(
            pollUntil(this, retire, {
              id: 'CopiesRetired?',
              condition: sfn.Condition.booleanEquals('$.retiredCopies.complete', true),
              next: record.next(new sfn.Succeed(this, 'RetirementComplete', { outputPath: '$.record' })),
              waitId: 'WaitForCopiesRetirement',
              pollPath: '$.retiredCopies.pollSeconds',
            }),
          ),
        )
        .otherwise(
          recordSkip.next(
            new sfn.Succeed(this, 'RetirementSkipped', {
              outputPath: '$.record',
              comment: 'The app is no longer home from this failback: nothing was retired.',
            }),
          ),
        ),
    );

    this.stateMachine = new WorkflowStateMachine(this, 'Workflow', {
      stateMachineName: core.name('retirement'),
      definition,
      // One retirement: the plan's retireCap (deployed now, as check-retirement-due applies it).
      timeout: Duration.seconds(durationSeconds(plan.failback.retireCap)).plus(SLACK),
      comment: `Retires the recovery copies of ${plan.app} in ${plan.recoveryRegion} after a long soak`,
    }).stateMachine;
    const role = new SchedulerRole(this, 'SchedulerRole', {
      description: `Starts ${core.name('retirement')} when a failback's soak is over`,
    }).role;
    this.stateMachine.grantStartExecution(role);
    this.schedulerRole = role;
  }
}
