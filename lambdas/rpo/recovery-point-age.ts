/**
 * How old each tier's recovery points are, from the recovery region's catalogue alone (the primary
 * region may be the one that is down). Pure: the publish-rpo-age task lists the points and turns
 * the result into metrics.
 *
 * A resource's age is that of its newest available point. A tier's worst age is the oldest of
 * those; a resource with no available point counts as infinitely old, so the tier's alarm fires.
 */
import { durationSeconds } from '../plan/duration';
import type { Plan } from '../plan/plan-schema';
import type { RecoveryPoint } from '../recovery-points/recovery-point';
import type { ResourceKind } from '../recovery-points/resource-kind';
import { newestAvailablePoint, roleSources } from '../recovery-points/role-sources';
import { MISSING_AGE_SECONDS } from './dr-metric-names';

export interface ResourceAge {
  readonly kind: ResourceKind;
  readonly role: string;
  /** Instance id, DB or cluster identifier; `role <name>` for a tag-selected role with no point at all. */
  readonly source: string;
  /** Seconds since the newest available point was taken, or `missing` when there is none. */
  readonly ageSeconds: number | 'missing';
  /** The newest available point, when there is one. */
  readonly point?: { readonly kind: RecoveryPoint['kind']; readonly id: string; readonly takenAt: string };
}

export interface TierAge {
  readonly tier: string;
  readonly rpoSeconds: number;
  /** The oldest of the resources' ages; `Infinity` when any resource has no point. */
  readonly worstAgeSeconds: number;
  /** Resources without an available point. */
  readonly missing: number;
  readonly withinRpo: boolean;
  readonly resources: readonly ResourceAge[];
}

/** Every tier of the plan, in plan order, with the age of each resource's newest available point. */
export function recoveryPointAges(plan: Plan, points: readonly RecoveryPoint[], now: Date): TierAge[] {
  const bySource = new Map<string, RecoveryPoint[]>();
  for (const point of points) {
    const list = bySource.get(point.source);
    if (list) list.push(point);
    else bySource.set(point.source, [point]);
  }

  return plan.tiers.map((tier): TierAge => {
    const rpoSeconds = durationSeconds(tier.rpo);
    const resources: ResourceAge[] = [];
    const seen = new Set<string>();
    const assess = (kind: ResourceKind, source: string, role: string) => {
      if (seen.has(`${kind}:${source}`)) return;
      seen.add(`${kind}:${source}`);
      const point = newestAvailablePoint(bySource.get(source) ?? []);
      if (!point) {
        resources.push({ kind, role, source, ageSeconds: 'missing' });
        return;
      }
      resources.push({
        kind,
        role,
        source,
        ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(point.takenAt)) / 1000)),
        point: { kind: point.kind, id: point.id, takenAt: point.takenAt },
      });
    };

    for (const resource of tier.resources) {
      if ('ec2' in resource) {
        const { role, ids } = resource.ec2;
        const sources = ids ?? roleSources(points, tier.name, role);
        if (sources.length === 0)
          resources.push({ kind: 'ec2', role, source: `role ${role}`, ageSeconds: 'missing' });
        for (const source of sources) assess('ec2', source, role);
      } else if ('rds' in resource) {
        assess('rds', resource.rds.identifier, resource.rds.role ?? resource.rds.identifier);
      } else {
        const { clusterIdentifier, role } = resource.aurora;
        assess('aurora', clusterIdentifier, role ?? clusterIdentifier);
      }
    }

    const missing = resources.filter((r) => r.ageSeconds === 'missing').length;
    const worstAgeSeconds = resources.reduce(
      (worst, r) => Math.max(worst, r.ageSeconds === 'missing' ? Number.POSITIVE_INFINITY : r.ageSeconds),
      0,
    );
    return {
      tier: tier.name,
      rpoSeconds,
      worstAgeSeconds,
      missing,
      withinRpo: worstAgeSeconds <= rpoSeconds,
      resources,
    };
  });
}

/** A worst age as a metric value: an infinite age (a missing point) becomes {@link MISSING_AGE_SECONDS}. */
export function ageMetricValue(ageSeconds: number): number {
  return Math.min(ageSeconds, MISSING_AGE_SECONDS);
}
