/**
 * The one-time schedule that starts a scheduled retirement (EventBridge Scheduler adapter).
 * Idempotent by its deterministic name: a retried task finds the schedule an earlier attempt made
 * and keeps its time; a name taken meanwhile (ConflictException) is the same schedule.
 */
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { atExpression, timeOfAtExpression } from './scheduled-retirement';

export interface RetirementScheduleRequest {
  readonly group: string;
  readonly name: string;
  /** When it fires (UTC). */
  readonly at: Date;
  readonly stateMachineArn: string;
  /** The role Scheduler assumes to start the state machine. */
  readonly roleArn: string;
  /** The state machine's input, JSON. */
  readonly input: string;
  readonly description: string;
}

export interface RetirementSchedule {
  /** This call made it (false: an earlier attempt had). */
  readonly created: boolean;
  /** When it fires: the existing schedule's time if there was one. */
  readonly at: Date;
}

async function existing(
  scheduler: SchedulerClient,
  request: RetirementScheduleRequest,
): Promise<GetScheduleCommandOutput | undefined> {
  try {
    return await scheduler.send(new GetScheduleCommand({ GroupName: request.group, Name: request.name }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

export async function ensureRetirementSchedule(
  scheduler: SchedulerClient,
  request: RetirementScheduleRequest,
): Promise<RetirementSchedule> {
  const found = await existing(scheduler, request);
  if (found) return { created: false, at: timeOfAtExpression(found.ScheduleExpression) ?? request.at };
  try {
    await scheduler.send(
      new CreateScheduleCommand({
        GroupName: request.group,
        Name: request.name,
        Description: request.description,
        ScheduleExpression: atExpression(request.at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        // Nothing is left behind once it has started the retirement.
        ActionAfterCompletion: 'DELETE',
        State: 'ENABLED',
        // Retirement is not urgent: a start Scheduler cannot deliver at once is retried for a day.
        Target: {
          Arn: request.stateMachineArn,
          RoleArn: request.roleArn,
          Input: request.input,
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        },
      }),
    );
    return { created: true, at: request.at };
  } catch (error) {
    if ((error as Error).name !== 'ConflictException') throw error;
    // Made meanwhile (a concurrent attempt) or not visible yet to GetSchedule: the same name, so the same schedule.
    const made = await existing(scheduler, request);
    return { created: false, at: timeOfAtExpression(made?.ScheduleExpression) ?? request.at };
  }
}
