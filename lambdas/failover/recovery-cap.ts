/**
 * When a failover gives up on a tier. The RTO is a target: missing it is recorded and reported
 * while recovery goes on, because abandoning a 30-minute restore at minute 30 of an incident helps
 * no one. Only the cap, counted like the RTO from the start of the run, ends the wait.
 */
import { durationSeconds } from '../plan/duration';
import type { Tier } from '../plan/plan-schema';

/** Long enough for a large RDS restore plus a slow fleet of instances. */
export const DEFAULT_RECOVERY_CAP_SECONDS = 4 * 3600;

/** The plan's `recoveryCap`, or 4h, or twice the RTO when that is longer. */
export function recoveryCapSeconds(tier: Pick<Tier, 'rto' | 'recoveryCap'>): number {
  if (tier.recoveryCap !== undefined) return durationSeconds(tier.recoveryCap);
  return Math.max(DEFAULT_RECOVERY_CAP_SECONDS, 2 * durationSeconds(tier.rto));
}
