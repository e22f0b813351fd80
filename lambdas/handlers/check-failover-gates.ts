/**
 * Gates for an alarm-started failover: the alarm must still fire after the confirmation delay,
 * the app must not have failed over within the cooldown, and in approval mode someone must have
 * approved. Every decision is recorded on the run and sent to the topic; nothing else is written.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { z } from 'zod';
import { failoverRunSchema } from '../failover/failover-run';
import {
  type ApprovalRecord,
  alarmGate,
  approvalGate,
  cooldownGate,
  type GateDecision,
} from '../failover/gate-decision';
import { arnRegion } from '../hooks/arn-region';
import { notify } from '../notify/notify';
import { type TaskContext, type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema, gate: z.enum(['alarm', 'approval']) });

async function record(
  ctx: TaskContext,
  run: z.infer<typeof failoverRunSchema>,
  decision: GateDecision,
): Promise<void> {
  await ctx.state.put({
    pk: `APP#${run.app}`,
    sk: `GATE#${run.runId}#${decision.gate}`,
    runId: run.runId,
    ...decision,
    at: ctx.now().toISOString(),
  });
  if (decision.verdict !== 'wait') {
    await notify(ctx.clients.sns(), ctx.config.topicArn, {
      subject: `Pendulum: ${run.app} failover gate ${decision.gate}: ${decision.verdict}`,
      lines: [`Alarm-started failover ${run.runId}: ${decision.detail}.`],
    });
  }
}

export function makeCheckFailoverGatesHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<GateDecision> => {
    const { run, gate } = parseTaskInput(eventSchema, event, 'check-failover-gates');
    const ctx = taskContext(deps);
    if (gate === 'approval') {
      const approval = (await ctx.state.get(`APP#${run.app}`, 'APPROVAL#failover')) as
        | ApprovalRecord
        | undefined;
      const decision = approvalGate(
        approval,
        run.startedAt,
        run.gates.approvalTimeoutSeconds,
        run.gates.onApprovalTimeout,
        ctx.now(),
      );
      await record(ctx, run, decision);
      return decision;
    }
    const trigger = run.trigger;
    if (!trigger) return { gate: 'alarm', verdict: 'pass', detail: 'not started by an alarm' };
    const region = trigger.alarmArn
      ? arnRegion(trigger.alarmArn, ctx.plan.primaryRegion)
      : ctx.plan.primaryRegion;
    const { MetricAlarms = [], CompositeAlarms = [] } = await ctx.clients.cloudWatch(region).send(
      new DescribeAlarmsCommand({
        AlarmNames: [trigger.alarmName],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      }),
    );
    const state = MetricAlarms[0]?.StateValue ?? CompositeAlarms[0]?.StateValue;
    const firing = alarmGate(trigger.alarmName, state, run.gates.confirmationDelaySeconds);
    if (firing.verdict !== 'pass') {
      await record(ctx, run, firing);
      return firing;
    }
    const app = await ctx.state.getApp(run.app, ctx.plan.primaryRegion);
    const cooldown = cooldownGate(
      typeof app.lastFailoverAt === 'string' ? app.lastFailoverAt : undefined,
      run.gates.cooldownSeconds,
      ctx.now(),
    );
    const decision = cooldown.verdict === 'pass' ? firing : cooldown;
    await record(ctx, run, decision);
    return decision;
  };
}

export const handler = makeCheckFailoverGatesHandler();
