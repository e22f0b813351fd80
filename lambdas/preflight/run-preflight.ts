/**
 * Which checks run where, and the one entry point for them. Every check reads, none writes.
 *
 * - `validate --aws` (the CLI, with the operator's credentials): all of them, strictly.
 * - protect (protect-tier, first call of a tier, forward): the tier's sources (kinds, Auto Scaling,
 *   Aurora members) and the keys their copies need. A source that is gone is counted missing, as
 *   before, not refused.
 * - plan failover (plan-failover): placement in the recovery region, instance profiles, hosted
 *   zones, vCPU capacity of what it would launch, the members of the plan's Aurora global
 *   databases (one to promote in the recovery region, with an instance to serve from). Keys are not read here: recovery checks the key
 *   of each point it restores or launches, and protect checked them as it made the points.
 * - failback (failback-prepare, dry run or not): hosted zones, instance profiles, and the keys
 *   named for either region (a warning). Failback launches and restores where the stale primary
 *   runs (its subnets, groups, key pair), so the plan's placement names nothing there.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { keyResolver } from '../encryption/key-resolver';
import type { Plan } from '../plan/plan-schema';
import {
  checkVcpuCapacity,
  copyLimitProblems,
  type Launch,
  launchesOf,
  type VcpuQuota,
} from './check-capacity';
import { checkGlobalMembers } from './check-global-members';
import { checkNamedKeys, checkSourceKeys } from './check-keys';
import { checkInstanceProfiles, checkNetworkPlacement } from './check-placement';
import { checkSources, type SourceFindings } from './check-sources';
import { checkZones } from './check-zones';
import { type PreflightProblem, type PreflightReport, problem, sortProblems } from './preflight-problem';

export interface PreflightClients {
  ec2(region: string): EC2Client;
  rds(region: string): RDSClient;
  kms(region: string): KMSClient;
  route53(): Route53Client;
  iam(): IAMClient;
  /** Reads the Standard vCPU quota; without it the quota is not compared. */
  readonly vcpuQuota?: VcpuQuota;
}

export interface PreflightScope {
  /** The sources of these tiers (all when `true`). */
  readonly sources?: true | readonly string[];
  /** Check the keys the sources' copies need. */
  readonly sourceKeys?: boolean;
  /** Check every key the plan names in these regions, with this severity. */
  readonly namedKeys?: { readonly regions: readonly string[]; readonly severity: 'error' | 'warning' };
  /** Subnets, security groups, key pairs and DB subnet groups of the placement in this region. */
  readonly placementRegion?: string;
  readonly instanceProfiles?: boolean;
  readonly zones?: boolean;
  /** vCPUs of these launches (or, with `sources`, of what was found) in the recovery region. */
  readonly capacity?: boolean | readonly Launch[];
  readonly copyLimits?: boolean;
  /** Check that Aurora clusters exist. */
  readonly aurora?: boolean;
  /** Check the plan's Aurora global databases: members in both regions, instances in the recovery one. */
  readonly globalMembers?: boolean;
}

export const PREFLIGHT_SCOPES = {
  validate: (plan: Plan): PreflightScope => ({
    sources: true,
    sourceKeys: true,
    aurora: true,
    globalMembers: true,
    namedKeys: { regions: [plan.primaryRegion, plan.recoveryRegion], severity: 'error' },
    placementRegion: plan.recoveryRegion,
    instanceProfiles: true,
    zones: true,
    capacity: true,
    copyLimits: true,
  }),
  protect: (tier: string): PreflightScope => ({ sources: [tier], sourceKeys: true, aurora: true }),
  planFailover: (plan: Plan, launches: readonly Launch[]): PreflightScope => ({
    placementRegion: plan.recoveryRegion,
    globalMembers: true,
    instanceProfiles: true,
    zones: true,
    capacity: launches,
  }),
  failback: (plan: Plan): PreflightScope => ({
    namedKeys: { regions: [plan.primaryRegion, plan.recoveryRegion], severity: 'warning' },
    instanceProfiles: true,
    zones: true,
  }),
} as const;

export interface PreflightOptions {
  /**
   * What a check that cannot get an answer (a throttle, a timeout, a region in trouble) does:
   * `fail` the preflight (validate, protect, dry runs), or become a `warning` so a real failover,
   * which must not wait on what it could not ask, goes on and refuses only what it found wrong.
   * @default fail
   */
  readonly unanswered?: 'fail' | 'warning';
}

export async function runPreflight(
  clients: PreflightClients,
  plan: Plan,
  scope: PreflightScope,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const primary = plan.primaryRegion;
  const recovery = plan.recoveryRegion;
  const keys = keyResolver(plan, (region) => clients.kms(region));
  const checks: Promise<PreflightProblem[]>[] = [];

  const sources: Promise<SourceFindings> | undefined = scope.sources
    ? checkSources({ ec2: clients.ec2(primary), rds: clients.rds(primary) }, plan, {
        region: primary,
        ...(scope.sources === true ? {} : { tiers: scope.sources }),
        volumes: scope.sourceKeys === true || scope.copyLimits === true,
        aurora: scope.aurora === true,
      })
    : undefined;
  if (sources) {
    checks.push(sources.then((found) => found.problems));
    if (scope.sourceKeys)
      checks.push(sources.then((found) => checkSourceKeys(keys, found, { primary, recovery })));
    if (scope.copyLimits) checks.push(sources.then((found) => copyLimitProblems(plan, found)));
  }
  if (scope.globalMembers)
    checks.push(checkGlobalMembers({ primary: clients.rds(primary), recovery: clients.rds(recovery) }, plan));
  if (scope.namedKeys)
    checks.push(checkNamedKeys(keys, plan, scope.namedKeys.regions, scope.namedKeys.severity));
  if (scope.placementRegion) {
    const region = scope.placementRegion;
    checks.push(checkNetworkPlacement({ ec2: clients.ec2(region), rds: clients.rds(region) }, plan, region));
  }
  if (scope.instanceProfiles && Object.values(plan.placement).some((p) => p.instanceProfile))
    checks.push(checkInstanceProfiles(clients.iam(), plan));
  if (scope.zones && plan.dns.zones.length > 0) checks.push(checkZones(clients.route53(), plan));
  if (scope.capacity) {
    const capacity = scope.capacity;
    const launches =
      capacity === true
        ? (sources ?? Promise.resolve(undefined)).then((found) => launchesOf(plan, found?.instances ?? []))
        : Promise.resolve(capacity);
    checks.push(
      launches.then((l) => checkVcpuCapacity(clients.ec2(recovery), recovery, l, clients.vcpuQuota)),
    );
  }
  const answered =
    options.unanswered === 'warning'
      ? checks.map((check) => check.catch((error: unknown) => [unanswered(error)]))
      : checks;
  return { problems: sortProblems(withoutRepeats((await Promise.all(answered)).flat())) };
}

function unanswered(error: unknown): PreflightProblem {
  const { name = 'Error', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  return problem(
    'unanswered',
    [],
    `a preflight check could not be made (${name}: ${message}); the run went on without it`,
    'run pendulum validate --plan <file> --aws once AWS answers again',
    'warning',
  );
}

/**
 * A named key that is not usable is said once, where the plan names it: a source's copy refused
 * for the same reason would say it again.
 */
function withoutRepeats(problems: readonly PreflightProblem[]): PreflightProblem[] {
  const keyReasons = problems
    .filter((p) => p.check === 'keys' && p.path[0] === 'encryption')
    .map((p) => p.message.split(';')[0] ?? '');
  return problems.filter(
    (p) => p.check !== 'keys' || p.path[0] !== 'tiers' || !keyReasons.some((r) => r && p.message.includes(r)),
  );
}
