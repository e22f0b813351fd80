/**
 * Alarm health checks: each names a CloudWatch alarm (metric or composite) in the target region that
 * must be OK. All of them are read with one DescribeAlarms call (more only past 100 names or pages).
 * A missing alarm fails, and so does INSUFFICIENT_DATA: no data is not evidence of health.
 */
import { DescribeAlarmsCommand, type DescribeAlarmsCommandOutput } from '@aws-sdk/client-cloudwatch';
import type { HealthCheck } from '../plan/plan-schema';
import type { AwsClients } from '../runtime/aws-clients';
import { type HealthCheckResult, shortDetail } from './health-check-result';

export type AlarmHealthCheck = HealthCheck & { readonly alarmName: string };

/** DescribeAlarms takes at most 100 alarm names per call. */
const NAMES_PER_CALL = 100;

interface AlarmState {
  readonly state: string | undefined;
  readonly reason: string | undefined;
}

async function describeAlarms(
  clients: AwsClients,
  region: string,
  names: readonly string[],
): Promise<Map<string, AlarmState>> {
  const found = new Map<string, AlarmState>();
  const client = clients.cloudWatch(region);
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    let nextToken: string | undefined;
    do {
      const page: DescribeAlarmsCommandOutput = await client.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(i, i + NAMES_PER_CALL),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken: nextToken,
        }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        if (alarm.AlarmName !== undefined) {
          found.set(alarm.AlarmName, { state: alarm.StateValue, reason: alarm.StateReason });
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return found;
}

/** Results in the order of `checks`. Never throws: an unreadable alarm fails its check. */
export async function runAlarmHealthChecks(
  checks: readonly AlarmHealthCheck[],
  region: string,
  clients: AwsClients,
): Promise<HealthCheckResult[]> {
  if (checks.length === 0) return [];
  const started = performance.now();
  const names = [...new Set(checks.map((check) => check.alarmName))];
  let alarms: Map<string, AlarmState>;
  try {
    alarms = await describeAlarms(clients, region, names);
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return checks.map((check) => ({
      name: check.name,
      ok: false,
      detail: shortDetail(`could not read alarm ${check.alarmName} in ${region}: ${why}`),
      ms,
    }));
  }
  const ms = Math.round(performance.now() - started);
  return checks.map((check) => {
    const alarm = alarms.get(check.alarmName);
    if (alarm === undefined) {
      return { name: check.name, ok: false, detail: `alarm ${check.alarmName} not found in ${region}`, ms };
    }
    const state = alarm.state ?? 'UNKNOWN';
    const ok = state === 'OK';
    const detail = ok || !alarm.reason ? state : `${state}: ${alarm.reason}`;
    return { name: check.name, ok, detail: shortDetail(detail), ms };
  });
}
