/**
 * Checks that need the whole plan: names that must be unique and references between sections.
 * The schema checks the form of each field; this checks that the fields agree with each other.
 */

import { phaseBudgetProblem } from '../hooks/hook-budget';
import { HOOK_PHASES, isPrePhase } from '../hooks/hook-payload';
import { durationSeconds } from './duration';
import { freezeModeOf, isStatefulRecord } from './failback-freeze';
import type { Plan } from './plan-schema';

export type PlanPath = ReadonlyArray<string | number>;

export interface PlanProblem {
  /** Where in the file, as segments: ['tiers', 1, 'resources', 0, 'ec2', 'tag']. */
  readonly path: PlanPath;
  readonly message: string;
  /** 1-based line and column in the source file, where known. */
  readonly line?: number;
  readonly column?: number;
}

/** `tiers[1].resources[0].ec2.tag`: the path the way a person reads it. */
export function formatPlanPath(path: PlanPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text === '' ? '(plan)' : text;
}

function normaliseDnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export function checkPlanReferences(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const problem = (path: PlanPath, message: string) => problems.push({ path, message });

  if (plan.primaryRegion === plan.recoveryRegion) {
    problem(['recoveryRegion'], `expected a region other than the primary region ${plan.primaryRegion}`);
  }

  const tierNames = new Set<string>();
  const ec2Roles = new Map<string, PlanPath>();
  const databases = new Map<string, PlanPath>();
  const dbRoles = new Set<string>();
  const instanceIds = new Map<string, PlanPath>();

  plan.tiers.forEach((tier, t) => {
    if (tierNames.has(tier.name))
      problem(['tiers', t, 'name'], `expected a unique tier name; "${tier.name}" is used twice`);
    tierNames.add(tier.name);
    for (const field of ['rpo', 'rto'] as const) {
      if (durationSeconds(tier[field]) === 0)
        problem(['tiers', t, field], 'expected a duration greater than zero');
    }
    if (tier.recoveryCap !== undefined && durationSeconds(tier.recoveryCap) < durationSeconds(tier.rto))
      problem(
        ['tiers', t, 'recoveryCap'],
        `expected at least the tier's rto (${tier.rto}): the cap is when recovery gives up, the RTO only a target`,
      );
    tier.resources.forEach((resource, r) => {
      const base: PlanPath = ['tiers', t, 'resources', r];
      if ('ec2' in resource) {
        const seen = ec2Roles.get(resource.ec2.role);
        if (seen) {
          problem(
            [...base, 'ec2', 'role'],
            `expected each role once; "${resource.ec2.role}" is already at ${formatPlanPath(seen)}`,
          );
        } else ec2Roles.set(resource.ec2.role, [...base, 'ec2', 'role']);
        resource.ec2.ids?.forEach((id, i) => {
          const other = instanceIds.get(id);
          if (other)
            problem(
              [...base, 'ec2', 'ids', i],
              `expected each instance once; ${id} is also at ${formatPlanPath(other)}`,
            );
          else instanceIds.set(id, [...base, 'ec2', 'ids', i]);
        });
      } else {
        const db = 'rds' in resource ? resource.rds.identifier : resource.aurora.clusterIdentifier;
        const key = 'rds' in resource ? 'rds' : 'aurora';
        const seen = databases.get(db);
        if (seen)
          problem(
            [...base, key],
            `expected each database once; "${db}" is already at ${formatPlanPath(seen)}`,
          );
        else databases.set(db, [...base, key]);
        dbRoles.add(('rds' in resource ? resource.rds.role : resource.aurora.role) ?? db);
        if ('rds' in resource && resource.rds.replicaIdentifier === resource.rds.identifier) {
          problem([...base, 'rds', 'replicaIdentifier'], 'expected the replica to have its own identifier');
        }
      }
    });
  });

  for (const role of Object.keys(plan.placement)) {
    if (!ec2Roles.has(role) && !dbRoles.has(role)) {
      problem(['placement', role], `expected a role or database named in a tier; "${role}" is not`);
    }
  }

  const zoneIds = new Set<string>();
  plan.dns.zones.forEach((zone, z) => {
    const zoneName = normaliseDnsName(zone.name);
    // A public and a private zone may share a name (split-horizon DNS): by name, they differ by privacy.
    const zoneKey = zone.id ?? `${zoneName} (${zone.private ? 'private' : 'public'})`;
    if (zoneIds.has(zoneKey))
      problem(['dns', 'zones', z], `expected each hosted zone once; ${zoneKey} is listed twice`);
    zoneIds.add(zoneKey);
    const recordKeys = new Set<string>();
    zone.records.forEach((record, i) => {
      const base: PlanPath = ['dns', 'zones', z, 'records', i];
      const recordName = normaliseDnsName(record.name);
      if (recordName !== zoneName && !recordName.endsWith(`.${zoneName}`)) {
        problem([...base, 'name'], `expected a name inside the zone ${zoneName}`);
      }
      const key = `${recordName}|${record.type}|${record.setIdentifier ?? ''}`;
      if (recordKeys.has(key))
        problem(base, `expected each managed record once; ${record.name} ${record.type} is listed twice`);
      recordKeys.add(key);
      const target = record.target;
      if ('role' in target) {
        if (!ec2Roles.has(target.role)) {
          problem(
            [...base, 'target', 'role'],
            `expected an EC2 role named in a tier; "${target.role}" is not`,
          );
        }
        if (record.type !== 'A')
          problem([...base, 'type'], 'expected type A for a record that targets instances of a role');
      } else if ('database' in target) {
        if (!databases.has(target.database)) {
          problem(
            [...base, 'target', 'database'],
            `expected a database named in a tier; "${target.database}" is not`,
          );
        }
        if (target.endpoint === 'reader' && databases.get(target.database)?.at(-1) !== 'aurora')
          problem(
            [...base, 'target', 'endpoint'],
            `expected endpoint: reader only for an Aurora cluster; "${target.database}" is not one (an RDS DB instance has one endpoint)`,
          );
        if (record.type !== 'CNAME')
          problem([...base, 'type'], 'expected type CNAME for a record that targets a database');
        if (record.stateful === false)
          problem(
            [...base, 'stateful'],
            'expected no stateful: false on a database record: clients write through it, so it moves once, for all clients, at the data cutover',
          );
      } else {
        for (const needed of [plan.primaryRegion, plan.recoveryRegion]) {
          if (!(needed in target.values))
            problem([...base, 'target', 'values'], `expected values for region ${needed}`);
        }
        if (record.type === 'CNAME') {
          for (const [valueRegion, values] of Object.entries(target.values)) {
            if (values.length !== 1)
              problem([...base, 'target', 'values', valueRegion], 'expected exactly one value for a CNAME');
          }
        }
      }
    });
  });

  problems.push(...checkFreeze(plan));
  problems.push(...checkKeys(plan));

  const checkNames = new Set<string>();
  plan.healthChecks.forEach((check, i) => {
    if (checkNames.has(check.name))
      problem(['healthChecks', i, 'name'], `expected a unique name; "${check.name}" is used twice`);
    checkNames.add(check.name);
  });

  for (const phase of HOOK_PHASES) {
    const hooks = plan.hooks[phase];
    const overBudget = phaseBudgetProblem(hooks);
    if (overBudget) problem(['hooks', phase], overBudget);
    if (!isPrePhase(phase)) continue;
    hooks.forEach((hook, i) => {
      const kind = 'webhook' in hook ? 'webhook' : 'lambda';
      const mustPass = 'webhook' in hook ? hook.webhook.mustPass : hook.lambda.mustPass;
      if (mustPass === false)
        problem(
          ['hooks', phase, i, kind, 'mustPass'],
          'expected no mustPass: false on a pre-phase hook; a veto or failure there always stops the run',
        );
    });
  }

  const steps = plan.failback.steps;
  steps.forEach((step, i) => {
    if (i > 0 && step <= (steps[i - 1] ?? 0))
      problem(['failback', 'steps', i], 'expected weights in increasing order');
  });
  if (steps[steps.length - 1] !== 100) problem(['failback', 'steps'], 'expected the last step to be 100');

  return problems;
}

/**
 * Every key is named for one of the plan's two regions, and a key or alias ARN lies in the region
 * it is listed under: KMS keys are regional, and a copy can only be encrypted with a key of the
 * region it lands in.
 */
function checkKeys(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const regions = [plan.primaryRegion, plan.recoveryRegion];
  const check = (keys: Record<string, string> | undefined, path: PlanPath) => {
    for (const [region, ref] of Object.entries(keys ?? {})) {
      if (!regions.includes(region))
        problems.push({
          path: [...path, region],
          message: `expected a key for ${regions.join(' or ')}: the plan works in no other region`,
        });
      const arnRegion = /^arn:[^:]+:kms:([^:]+):/.exec(ref)?.[1];
      if (arnRegion && arnRegion !== region)
        problems.push({
          path: [...path, region],
          message: `expected a key in ${region}; ${ref} is in ${arnRegion} (KMS keys are regional)`,
        });
    }
  };
  check(plan.encryption.kmsKeys, ['encryption', 'kmsKeys']);
  plan.tiers.forEach((tier, t) => {
    tier.resources.forEach((resource, r) => {
      const [kind, body] = Object.entries(resource)[0] as [string, { kmsKeys?: Record<string, string> }];
      check(body.kmsKeys, ['tiers', t, 'resources', r, kind, 'kmsKeys']);
    });
  });
  return problems;
}

/** The write freeze the plan asks for must be one failback can carry out. */
function checkFreeze(plan: Plan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const { freeze, maintenance } = plan.failback;
  // readOnly works through each database's DB parameter group; a cluster's writes would need its
  // cluster parameter group, which Pendulum does not change, so it would keep taking writes while
  // its final snapshot is taken and two databases would be writable at the cutover.
  const cluster = plan.tiers
    .flatMap((t) => t.resources)
    .find((r): r is Extract<typeof r, { aurora: unknown }> => 'aurora' in r);
  if (cluster && freezeModeOf(plan) === 'readOnly')
    problems.push({
      path: ['failback', 'freeze'],
      message: `expected hook, maintenance or none: readOnly${freeze ? '' : ' (the default with databases)'} cannot freeze writes to Aurora cluster ${cluster.aurora.clusterIdentifier}; freeze them with preFailback hooks or a maintenance target`,
    });
  if (freeze === 'hook' && plan.hooks.preFailback.length === 0)
    problems.push({
      path: ['failback', 'freeze'],
      message:
        'expected a preFailback hook to freeze writes with; add one, or choose readOnly, maintenance or none',
    });
  if (freeze === 'maintenance' && !maintenance)
    problems.push({
      path: ['failback', 'maintenance'],
      message:
        'expected the maintenance target (A, AAAA or CNAME values) the stateless records point at during the freeze',
    });
  if (freeze !== 'maintenance' || !maintenance) return problems;
  plan.dns.zones.forEach((zone, z) => {
    zone.records.forEach((record, i) => {
      if (isStatefulRecord(record) || record.type === 'TXT') return;
      if (maintenance[record.type] === undefined)
        problems.push({
          path: ['dns', 'zones', z, 'records', i, 'type'],
          message: `expected failback.maintenance.${record.type}: this stateless ${record.type} record points at the maintenance target during the freeze`,
        });
    });
  });
  return problems;
}
