/**
 * How long a failback will take, for the window check: the slowest tier's RTO to bring resources
 * home, plus the hold at each staged step. Deliberately pessimistic: overrunning a window is worse
 * than waiting for the next one.
 */
import { durationSeconds } from '../plan/duration';
import type { Plan } from '../plan/plan-schema';

export function estimateFailbackSeconds(
  plan: Plan,
  strategy: 'cutover' | 'staged',
  steps: readonly number[],
): number {
  const bringHome = Math.max(0, ...plan.tiers.map((t) => durationSeconds(t.rto)));
  const staging = strategy === 'staged' ? steps.length * durationSeconds(plan.failback.stepHold) : 0;
  return bringHome + staging;
}
