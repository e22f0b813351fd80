/**
 * How often continuous protection runs for a tier. Pure, so the CDK app (which turns it into a
 * Scheduler rate) and anything that reports on protection agree on the same number.
 */
import { durationSeconds } from '../plan/duration';
import type { Tier } from '../plan/plan-schema';

/** The shortest interval a tier gets when the plan leaves `protectEvery` out. */
export const MIN_DEFAULT_PROTECTION_MINUTES = 5;

/**
 * Minutes between protection runs of a tier: its `protectEvery` when the plan sets it (rounded up
 * to whole minutes, at least one: Scheduler rates are whole minutes), otherwise a quarter of its
 * RPO rounded down to whole minutes, and never less than {@link MIN_DEFAULT_PROTECTION_MINUTES}.
 *
 * A quarter leaves room for a run that is slow or fails once and still keeps the RPO: with a 1h
 * RPO the tier is protected every 15 minutes.
 */
export function protectionIntervalMinutes(tier: Pick<Tier, 'rpo' | 'protectEvery'>): number {
  if (tier.protectEvery !== undefined) return Math.max(1, Math.ceil(durationSeconds(tier.protectEvery) / 60));
  const quarter = Math.floor(durationSeconds(tier.rpo) / 4 / 60);
  return Math.max(MIN_DEFAULT_PROTECTION_MINUTES, quarter);
}

/** The EventBridge Scheduler rate expression for a number of minutes, e.g. `rate(15 minutes)`. */
export function rateExpression(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1) throw new Error(`not a whole number of minutes: ${minutes}`);
  return minutes === 1 ? 'rate(1 minute)' : `rate(${minutes} minutes)`;
}
