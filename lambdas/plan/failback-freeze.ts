/**
 * What the plan says about protecting writes during failback: which records carry data (they move
 * at once, at the data cutover) and how writes are frozen before the final sync.
 */
import type { FreezeMode, ManagedRecord, Plan } from './plan-schema';

/** A record clients write data through: a database target always is; others when the plan says so. */
export function isStatefulRecord(record: Pick<ManagedRecord, 'target' | 'stateful'>): boolean {
  return 'database' in record.target || record.stateful === true;
}

/**
 * The freeze a plan gets: its own choice, else its preFailback hooks (they know the application),
 * else read-only recovery databases, so that a plan with data never fails back with writes open.
 */
export function freezeModeOf(plan: Pick<Plan, 'failback' | 'hooks' | 'tiers'>): FreezeMode {
  if (plan.failback.freeze) return plan.failback.freeze;
  if (plan.hooks.preFailback.length > 0) return 'hook';
  // An Aurora cluster takes writes like a DB instance: a plan with one never defaults to no freeze.
  const hasDatabases = plan.tiers.some((t) => t.resources.some((r) => 'rds' in r || 'aurora' in r));
  return hasDatabases ? 'readOnly' : 'none';
}
