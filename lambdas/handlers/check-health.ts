/**
 * Runs the plan's health checks (or the named ones) against a region, all at once, and reports each.
 * A failed check does not throw: the workflow decides what a failure means (wait, roll back, stop).
 * No checks selected (or none in the plan) passes.
 */
import { z } from 'zod';
import { type AlarmHealthCheck, runAlarmHealthChecks } from '../health/alarm-health-check';
import type { HealthCheckResult } from '../health/health-check-result';
import { type HttpHealthCheck, runHttpHealthCheck } from '../health/http-health-check';
import { region } from '../plan/plan-schema';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { taskConfig } from '../runtime/task-config';
import { InvalidInputError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const inputSchema = z.strictObject({
  /** The region whose health is checked: `{region}` in URLs, and where alarms are read. */
  region,
  runId: z.string().min(1).max(256),
  /** Names of the plan's checks to run; all of them when absent. */
  checks: z.array(z.string().min(1).max(64)).max(100).optional(),
});

export type CheckHealthInput = z.input<typeof inputSchema>;

export interface CheckHealthResult {
  readonly region: string;
  readonly passed: boolean;
  readonly results: HealthCheckResult[];
}

export interface CheckHealthDeps {
  readonly clients?: AwsClients;
  readonly fetch?: typeof fetch;
}

export function makeCheckHealthHandler(deps: CheckHealthDeps = {}) {
  return async (event: unknown): Promise<CheckHealthResult> => {
    const input = parseTaskInput(inputSchema, event, 'check-health');
    const { plan } = taskConfig();
    const clients = deps.clients ?? defaultAwsClients();

    let selected = plan.healthChecks;
    if (input.checks !== undefined) {
      const known = new Set(plan.healthChecks.map((check) => check.name));
      const unknown = [...new Set(input.checks.filter((name) => !known.has(name)))];
      if (unknown.length > 0) {
        throw new InvalidInputError(
          `invalid check-health input: unknown health check(s) ${unknown.join(', ')}; the plan has ${[...known].join(', ') || 'none'}`,
          { unknown },
        );
      }
      const wanted = new Set(input.checks);
      selected = plan.healthChecks.filter((check) => wanted.has(check.name));
    }

    const alarmChecks = selected.filter((check): check is AlarmHealthCheck => check.alarmName !== undefined);
    const httpChecks = selected.filter((check): check is HttpHealthCheck => check.url !== undefined);
    const [alarmResults, httpResults] = await Promise.all([
      runAlarmHealthChecks(alarmChecks, input.region, clients),
      Promise.all(
        httpChecks.map((check) =>
          runHttpHealthCheck(check, input.region, deps.fetch ? { fetch: deps.fetch } : {}),
        ),
      ),
    ]);
    const byName = new Map([...alarmResults, ...httpResults].map((result) => [result.name, result]));
    const results = selected.flatMap((check) => byName.get(check.name) ?? []);
    const passed = results.every((result) => result.ok);
    logger.info('health checked', {
      region: input.region,
      runId: input.runId,
      passed,
      failed: results.filter((result) => !result.ok).map((result) => result.name),
    });
    return { region: input.region, passed, results };
  };
}

export const handler = makeCheckHealthHandler();
