/**
 * How long a protection run may take and how often it asks whether its captures are done. Pure:
 * the workflow (timeout), the lease (expiry) and the protect task (cap, next poll) all read it.
 *
 * Real captures take hours: a snapshot "remains in the pending state until all of data has been
 * transferred to Amazon S3. This can take several hours" (Amazon EBS User Guide, Create Amazon EBS
 * snapshots), and "a cross-region snapshot copy can take hours to complete" and may be queued
 * (Amazon RDS User Guide, Copying a DB snapshot). A run waits up to the plan's
 * `protection.copyCap` (default 24h), polling with a bounded backoff, so history grows with
 * polls, never with resources.
 */
import { durationSeconds } from '../plan/duration';
import type { Plan } from '../plan/plan-schema';
import type { CaptureOutcome } from './capture';

/** The first polls come quickly: a small database snapshot is done in minutes. */
export const POLL_MIN_SECONDS = 30;
/** Never more than five minutes apart, so a finished copy is seen soon and a 10 h copy is ~130 polls. */
export const POLL_MAX_SECONDS = 300;
/**
 * Past the cap a run still makes one last poll, pruning and the lease release; the execution is
 * stopped, and its lease expires, this long after the cap.
 */
export const RUN_MARGIN_SECONDS = 1800;

export function copyCapSeconds(plan: Plan): number {
  return durationSeconds(plan.protection.copyCap);
}

/** The longest a protection run lasts: its execution timeout and its lease's lifetime. */
export function protectRunSeconds(plan: Plan): number {
  return copyCapSeconds(plan) + RUN_MARGIN_SECONDS;
}

/** When a run's lease stops keeping other runs of its tiers out, should it never release it. */
export function leaseExpiresAt(plan: Plan, startedAt: Date): Date {
  return new Date(startedAt.getTime() + protectRunSeconds(plan) * 1000);
}

/**
 * Bounded backoff: a quarter of the time the tier has waited so far, between 30 s and 5 min. A
 * copy that takes 10 h is asked about ~130 times (test/recovery-points/protect-polling.test.ts).
 */
export function nextPollSeconds(waitedSeconds: number): number {
  return Math.min(POLL_MAX_SECONDS, Math.max(POLL_MIN_SECONDS, Math.round(waitedSeconds / 4)));
}

/** The waits of a tier whose captures take `seconds`: one entry per poll after the first call. */
export function pollWaits(seconds: number): number[] {
  const waits: number[] = [];
  let waited = 0;
  while (waited < seconds) {
    const wait = nextPollSeconds(waited);
    waits.push(wait);
    waited += wait;
  }
  return waits;
}

/** `i-0abc (copy ami-123 in us-west-2)` / `shop-db (capture in us-east-1)`: what is still being made. */
export function describePending(
  outcomes: readonly CaptureOutcome[],
  regions: { capture: string; copy: string },
): string[] {
  return outcomes
    .filter((o) => o.state === 'pending')
    .map((o) =>
      o.id ? `${o.source} (copy ${o.id} in ${regions.copy})` : `${o.source} (capture in ${regions.capture})`,
    );
}
