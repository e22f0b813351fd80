/**
 * The plan the rehearsal plays: `examples/pendulum.yaml` (or `--plan FILE`), with its local health
 * check URLs pointed at the port the rehearsal's health endpoint really got. The change is made
 * to the parsed plan in memory; the file stays as people copy it.
 */
import { join } from 'node:path';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { describePlanProblems, readPlanFile } from '../../lib/plan-file';
import { REPO_ROOT } from '../../local/repo-root';

export const SAMPLE_PLAN_FILE = join(REPO_ROOT, 'examples', 'pendulum.yaml');

/** The plan file is missing or invalid; the message lists every problem with its place. */
export class RehearsalPlanError extends Error {
  override readonly name = 'RehearsalPlanError';
}

export function loadRehearsalPlan(file: string): Plan {
  const result = readPlanFile(file);
  if (!result.ok) {
    throw new RehearsalPlanError(
      `${file} is not a valid plan:\n${describePlanProblems(file, result.problems)
        .map((line) => `  ${line}`)
        .join('\n')}`,
    );
  }
  return result.plan;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `http://127.0.0.1:48080/health?region={region}` → its URL, when it is served on this machine. */
function loopbackUrl(template: string): URL | undefined {
  try {
    // `{region}` is not valid in every part of a URL; any region-shaped word parses the same way.
    const url = new URL(template.replaceAll('{region}', 'us-east-1'));
    return LOOPBACK.has(url.hostname) ? url : undefined;
  } catch {
    return undefined;
  }
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** The port the plan expects its local health endpoint on (the first loopback URL check's), if any. */
export function plannedHealthPort(plan: Plan): number | undefined {
  for (const check of plan.healthChecks) {
    const url = check.url ? loopbackUrl(check.url) : undefined;
    if (url?.protocol === 'http:') return portOf(url);
  }
  return undefined;
}

/** Health checks the rehearsal cannot answer: URLs off this machine and CloudWatch alarms. */
export function unservedHealthChecks(plan: Plan): string[] {
  return plan.healthChecks
    .filter((check) => (check.url ? loopbackUrl(check.url)?.protocol !== 'http:' : true))
    .map((check) => `${check.name} (${check.url ?? `alarm ${check.alarmName}`})`);
}

/**
 * The plan with every loopback health check URL on `from` moved to `to`. A copy: the parsed plan
 * from the file is not changed, and the file is never written.
 */
export function withHealthPort(plan: Plan, from: number, to: number): Plan {
  if (from === to) return plan;
  const copy = structuredClone(plan);
  copy.healthChecks = copy.healthChecks.map((check) => {
    const url = check.url ? loopbackUrl(check.url) : undefined;
    if (!check.url || !url || portOf(url) !== from) return check;
    const hostPort = `${url.hostname}${url.port ? `:${url.port}` : ''}`;
    return { ...check, url: check.url.replace(hostPort, `${url.hostname}:${to}`) };
  });
  return copy;
}
