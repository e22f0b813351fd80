/**
 * What a plan names that IAM statements can be scoped to: its instances (by id or tag), databases,
 * Aurora clusters, replicas, key pairs, instance roles, subnet groups and alarms.
 */
import type { Plan } from '../../lambdas/plan/plan-schema';

export function planInstances(plan: Plan) {
  const ec2 = plan.tiers.flatMap((t) => t.resources.flatMap((r) => ('ec2' in r ? [r.ec2] : [])));
  return {
    ids: ec2.flatMap((r) => r.ids ?? []),
    tags: ec2.flatMap((r) => (r.tag ? [r.tag] : [])),
  };
}

export function planDatabases(plan: Plan) {
  const rds = plan.tiers.flatMap((t) => t.resources.flatMap((r) => ('rds' in r ? [r.rds] : [])));
  return {
    identifiers: rds.map((r) => r.identifier),
    /** Databases protected by snapshots (no replica). */
    snapshotted: rds.filter((r) => !r.replicaIdentifier).map((r) => r.identifier),
    replicas: rds.flatMap((r) => (r.replicaIdentifier ? [r.replicaIdentifier] : [])),
    /** Aurora clusters (by cluster identifier): restored as clusters, their instances made after. */
    clusters: plan.tiers.flatMap((t) =>
      t.resources.flatMap((r) => ('aurora' in r ? [r.aurora.clusterIdentifier] : [])),
    ),
  };
}

/** The Aurora clusters the plan names, by identifier. */
export function planAuroraClusters(plan: Plan): string[] {
  return plan.tiers.flatMap((t) =>
    t.resources.flatMap((r) => ('aurora' in r ? [r.aurora.clusterIdentifier] : [])),
  );
}

export function planPlacements(plan: Plan) {
  const placements = Object.values(plan.placement);
  return {
    keyNames: [...new Set(placements.flatMap((p) => (p.keyName ? [p.keyName] : [])))],
    instanceRoles: [...new Set(placements.flatMap((p) => (p.instanceRole ? [p.instanceRole] : [])))],
    dbSubnetGroups: [...new Set(placements.flatMap((p) => (p.dbSubnetGroup ? [p.dbSubnetGroup] : [])))],
  };
}

/** Names of the alarms the plan's health checks read. */
export function healthCheckAlarms(plan: Plan): string[] {
  return [...new Set(plan.healthChecks.flatMap((c) => (c.alarmName ? [c.alarmName] : [])))];
}
