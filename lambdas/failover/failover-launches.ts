/**
 * What a failover would launch in the recovery region, per role and instance type: the
 * placement's type, else the source's (recorded on its point), else the default Pendulum launches.
 */

import type { Plan } from '../plan/plan-schema';
import type { Launch } from '../preflight/check-capacity';
import type { RecoverySelection } from './recovery-selection';

/** The type recover-tier launches when neither the placement nor the point names one. */
export const DEFAULT_INSTANCE_TYPE = 't3.micro';

export function launchTypeOf(plan: Plan, role: string, sourceType: string | undefined): string {
  return plan.placement[role]?.instanceType ?? sourceType ?? DEFAULT_INSTANCE_TYPE;
}

export function failoverLaunches(plan: Plan, selection: RecoverySelection): Launch[] {
  const launches = new Map<string, Launch>();
  for (const tier of selection.tiers)
    for (const r of tier.resources) {
      if (r.kind !== 'ec2') continue;
      const instanceType = launchTypeOf(plan, r.role, r.point.sourceType);
      const key = `${r.role}|${instanceType}`;
      const path = plan.placement[r.role]?.instanceType
        ? ['placement', r.role, 'instanceType']
        : ['placement', r.role];
      launches.set(key, { path, instanceType, count: (launches.get(key)?.count ?? 0) + 1 });
    }
  return [...launches.values()];
}
