/**
 * How old each protected resource's newest recovery point is, and whether each tier keeps its
 * RPO. Pure: it works from the recovery region's catalogue of points and, when the primary region
 * answered, from the resources the plan selects there now.
 */
import { durationSeconds } from '../lambdas/plan/duration';
import type { Plan } from '../lambdas/plan/plan-schema';
import type { RecoveryPoint } from '../lambdas/recovery-points/recovery-point';
import type { ProtectedSource } from '../lambdas/recovery-points/resolve-protected-sources';
import type { ResourceKind } from '../lambdas/recovery-points/resource-kind';
import { newestAvailablePoint, roleSources } from '../lambdas/recovery-points/role-sources';

export interface ResourceRpo {
  readonly kind: ResourceKind;
  readonly role: string;
  /** Instance id or DB identifier; for a tag selector that matched nothing, a description. */
  readonly source: string;
  /** The newest available recovery point, if any. */
  readonly point?: { readonly kind: string; readonly id: string; readonly takenAt: string };
  readonly ageSeconds?: number;
  readonly missing: boolean;
  readonly withinRpo: boolean;
  readonly note?: string;
}

export interface TierRpo {
  readonly tier: string;
  readonly rpoSeconds: number;
  /** The oldest of the resources' newest points; undefined when no resource has one. */
  readonly worstAgeSeconds?: number;
  readonly missing: number;
  readonly rpoMet: boolean;
  readonly resources: readonly ResourceRpo[];
}

export function rpoByTier(
  plan: Plan,
  points: readonly RecoveryPoint[],
  now: Date,
  /** The resources the plan selects in the primary region now, when it could be asked. */
  primarySources?: readonly ProtectedSource[],
): TierRpo[] {
  const bySource = new Map<string, RecoveryPoint[]>();
  for (const p of points) bySource.set(p.source, [...(bySource.get(p.source) ?? []), p]);

  return plan.tiers.map((tier) => {
    const rpoSeconds = durationSeconds(tier.rpo);
    const resources: ResourceRpo[] = [];
    const seen = new Set<string>();
    const assess = (kind: ResourceKind, source: string, role: string) => {
      if (seen.has(`${kind}:${source}`)) return;
      seen.add(`${kind}:${source}`);
      const point = newestAvailablePoint(bySource.get(source) ?? []);
      if (!point) {
        resources.push({ kind, role, source, missing: true, withinRpo: false });
        return;
      }
      const ageSeconds = Math.max(0, Math.round((now.getTime() - Date.parse(point.takenAt)) / 1000));
      resources.push({
        kind,
        role,
        source,
        point: { kind: point.kind, id: point.id, takenAt: point.takenAt },
        ageSeconds,
        missing: false,
        withinRpo: ageSeconds <= rpoSeconds,
      });
    };
    for (const resource of tier.resources) {
      if ('ec2' in resource) {
        const { role, ids, tag } = resource.ec2;
        const sources =
          ids ??
          (primarySources
            ? primarySources
                .filter((s) => s.kind === 'ec2' && s.tier === tier.name && s.role === role)
                .map((s) => s.id)
            : roleSources(points, tier.name, role));
        if (sources.length === 0)
          resources.push({
            kind: 'ec2',
            role,
            source: `role ${role}${tag ? ` (tag ${tag.key}=${tag.value})` : ''}`,
            missing: true,
            withinRpo: false,
            note: primarySources ? 'no instance carries the tag' : 'no recovery point of any instance',
          });
        for (const source of sources) assess('ec2', source, role);
      } else if ('rds' in resource) {
        assess('rds', resource.rds.identifier, resource.rds.role ?? resource.rds.identifier);
      } else {
        const { clusterIdentifier, role } = resource.aurora;
        assess('aurora', clusterIdentifier, role ?? clusterIdentifier);
      }
    }
    const ages = resources.flatMap((r) => (r.ageSeconds === undefined ? [] : [r.ageSeconds]));
    const missing = resources.filter((r) => r.missing).length;
    const worstAgeSeconds = ages.length > 0 ? Math.max(...ages) : undefined;
    return {
      tier: tier.name,
      rpoSeconds,
      ...(worstAgeSeconds !== undefined ? { worstAgeSeconds } : {}),
      missing,
      rpoMet: missing === 0 && resources.every((r) => r.withinRpo),
      resources,
    };
  });
}
