/**
 * What every task needs to know about its deployment: where state lives and which plan it serves.
 *
 * The plan is embedded at synth time: esbuild replaces `process.env.PENDULUM_PLAN` with the plan's
 * JSON when it bundles the function (Lambda environment variables are limited to 4 KB; a plan is not).
 * The local runner sets the same variable, so both paths read it the same way.
 */
import { parsePlanObject } from '../plan/parse-plan';
import { formatPlanPath } from '../plan/plan-references';
import type { Plan } from '../plan/plan-schema';
import { PlanUnavailableError } from './task-errors';

export interface TaskConfig {
  readonly tableName: string;
  readonly bucketName: string;
  readonly topicArn: string | undefined;
  readonly plan: Plan;
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new PlanUnavailableError(`environment variable ${name} is not set`);
  return value;
}

let cached: { raw: string; plan: Plan } | undefined;

export function embeddedPlan(): Plan {
  const raw = process.env.PENDULUM_PLAN;
  if (raw === undefined || raw === '') throw new PlanUnavailableError('no plan is embedded in this function');
  if (cached?.raw === raw) return cached.plan;
  const result = parsePlanObject(JSON.parse(raw));
  if (!result.ok) {
    const first = result.problems[0];
    throw new PlanUnavailableError(
      `the embedded plan is invalid: ${first ? `${formatPlanPath(first.path)}: ${first.message}` : 'unknown problem'}`,
    );
  }
  cached = { raw, plan: result.plan };
  return result.plan;
}

export function taskConfig(): TaskConfig {
  return {
    tableName: required('STATE_TABLE_NAME'),
    bucketName: required('ARTIFACT_BUCKET_NAME'),
    topicArn: process.env.NOTIFICATION_TOPIC_ARN || undefined,
    plan: embeddedPlan(),
  };
}
