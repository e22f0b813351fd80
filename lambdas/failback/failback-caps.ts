/**
 * How long failback's long waits may take, and how often they poll. Failback is not urgent: it
 * must not be bounded by an RTO (which is sized for failover) but by caps of its own, sized from
 * how long AWS says the work can take, and when a cap is exceeded it says what was still pending.
 *
 * Sizing the defaults (AWS documentation):
 * - Cross-region snapshot copies: "Depending on the regions involved and the amount of data to be
 *   copied, a cross-region snapshot copy can take hours to complete", and copies beyond 20 at a
 *   time per region pair are queued (Amazon RDS User Guide, "Copying a DB snapshot",
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html). A cross-region
 *   read replica starts from the same kind of snapshot and copy before it catches up.
 * - AMI copies are EBS snapshot copies; standard copies are best effort, and even the paid
 *   time-based copies promise completion within 15 minutes to at most 48 hours (Amazon EBS User
 *   Guide, "Time-based copies", https://docs.aws.amazon.com/ebs/latest/userguide/time-based-copies.html).
 * So bringing home (snapshot + copy + restore, or replica creation + catch-up, plus image copies)
 * gets 48 hours by default. Retiring makes final AMIs and DB snapshots in-region only (no
 * cross-region transfer), but a first EBS snapshot of a large volume is a full copy: 12 hours.
 */
import { ReadyTimeoutError } from '../runtime/task-errors';
import { retirementIsScheduled } from './scheduled-retirement';

export const DEFAULT_FAILBACK_CAPS = { syncCap: '48h', retireCap: '12h' } as const;

/** The largest caps a plan may name, so that a failback's longest path fits its execution (see failback-budget). */
export const MAX_SYNC_CAP_SECONDS = 7 * 86_400;
export const MAX_RETIRE_CAP_SECONDS = 3 * 86_400;
export const MIN_CAP_SECONDS = 10 * 60;

/** Polls at least this often apart, at most this far apart. */
export const MIN_POLL_SECONDS = 30;
export const MAX_POLL_SECONDS = 300;

/**
 * The pause before the next check: a tenth of the time waited so far, between 30 s and 5 min.
 * Quick work is noticed quickly; a 48-hour copy costs about 600 polls, not 5,760, so the
 * execution's history (25,000 events) grows with time slowly and never with the estate.
 */
export function nextPollSeconds(waitedSeconds: number): number {
  return Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, Math.round(waitedSeconds / 10)));
}

export interface CapWait {
  /** What is being waited for, for the error: "the new primary in us-east-1". */
  readonly what: string;
  /** Which plan field bounds it: `failback.syncCap`. */
  readonly capName: string;
  readonly capSeconds: number;
  /** When the wait began (the first check), ISO-8601. */
  readonly startedAt: string;
  readonly now: Date;
  /** What is not done yet, e.g. `i-0abc (pending)`; the first 10 are named. */
  readonly pending: readonly string[];
}

/** Seconds since the wait began (never negative). */
export function waitedSeconds(startedAt: string, now: Date): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(startedAt)) / 1000));
}

/**
 * Throws ReadyTimeoutError, naming what is still pending, when something is pending and the wait
 * is past its cap; otherwise returns the seconds waited.
 */
export function assertWithinCap(wait: CapWait): number {
  const waited = waitedSeconds(wait.startedAt, wait.now);
  if (wait.pending.length > 0 && waited > wait.capSeconds) {
    const named = wait.pending.slice(0, 10).join(', ');
    const more = wait.pending.length > 10 ? ` and ${wait.pending.length - 10} more` : '';
    throw new ReadyTimeoutError(
      `${wait.what} is not done after ${waited}s (${wait.capName} ${wait.capSeconds}s); still pending: ${named}${more}`,
      { waitedSeconds: waited, capSeconds: wait.capSeconds, pending: wait.pending.slice(0, 50) },
    );
  }
  return waited;
}

/** The retirements' form of the cap check: `failback.retireCap`, pending items with their reasons. */
export function assertRetiredWithinCap(
  what: string,
  retireSeconds: number,
  startedAt: string,
  now: Date,
  pending: readonly { readonly id: string; readonly reason?: string }[],
): number {
  return assertWithinCap({
    what,
    capName: 'failback.retireCap',
    capSeconds: retireSeconds,
    startedAt,
    now,
    pending: pending.map((p) => (p.reason ? `${p.id} (${p.reason})` : p.id)),
  });
}

/** The failback execution's timeout (the workflow's own; Step Functions allows up to a year). */
export const FAILBACK_EXECUTION_TIMEOUT_SECONDS = 30 * 86_400;

/** Slack for what no cap bounds: hooks, health checks, DNS INSYNC confirmations, Lambda retries. */
const UNCAPPED_SLACK_SECONDS = 86_400;

/**
 * The longest a failback execution can run when every wait uses its whole cap: bringing home,
 * the staged holds, retiring the stale primary, then either the soak and retiring the recovery
 * copies, or (a soak handed to a scheduled retirement) only creating the schedule. It must fit
 * the execution's timeout, or the run would be cut short with retirements undone.
 */
export function longestFailbackSeconds(f: {
  syncCapSeconds: number;
  retireCapSeconds: number;
  soakSeconds: number;
  stagedHoldSeconds: number;
}): number {
  const afterStale = retirementIsScheduled(f.soakSeconds) ? 0 : f.soakSeconds + f.retireCapSeconds;
  return f.syncCapSeconds + f.stagedHoldSeconds + f.retireCapSeconds + afterStale + UNCAPPED_SLACK_SECONDS;
}
