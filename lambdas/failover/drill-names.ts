/**
 * Drills point only drill names at the recovered resources: `drill.www.shop.example.com` for
 * `www.shop.example.com`, in the same zone. Production records are never written.
 */
import type { Plan } from '../plan/plan-schema';

export function drillRecordName(prefix: string, name: string): string {
  return `${prefix}.${name.replace(/^\*\./, 'wildcard.')}`;
}

/** The plan with every managed record renamed to its drill name (and routing identifiers dropped). */
export function drillPlan(plan: Plan): Plan {
  return {
    ...plan,
    dns: {
      zones: plan.dns.zones.map((zone) => ({
        ...zone,
        records: zone.records.map(({ setIdentifier: _ignored, ...record }) => ({
          ...record,
          name: drillRecordName(plan.drills.recordPrefix, record.name),
        })),
      })),
    },
  };
}
