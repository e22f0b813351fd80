/**
 * Which way protection runs, from the app's status in the state table. Pure: take-protect-lease
 * reads the status once per run and every poll of the run follows that answer.
 *
 * - `PRIMARY_ACTIVE`: production is in the primary region; protect it into the recovery region.
 * - `FAILED_OVER`, `FAILBACK_FAILED`: production is the recovered estate in the recovery region
 *   (a failed failback leaves it there); protect it, keeping points there and copying them to the
 *   primary (reverse). The stale primary is never imaged as if it were production.
 * - `FAILING_OVER`, `FAILING_BACK`: a workflow is moving production; protection holds (writes a
 *   skip record) rather than race it: failover is choosing points, and failback's sync builds on
 *   the newest reverse points, which a prune could otherwise remove under it.
 * - `FAILOVER_FAILED`: as before this change, the primary estate is protected (nothing was moved
 *   for good; a re-run of the failover resumes from the points).
 */
import type { AppStatus } from '../state/app-status';
import type { ProtectionDirection } from './capture';

export interface ActiveProtection {
  readonly direction: ProtectionDirection;
  /** Where the protected estate runs: sources are captured here. */
  readonly captureRegion: string;
  /** Where the copies go. */
  readonly copyRegion: string;
  /** Reverse: the failover outcome whose inventory maps each primary resource to its recovered one. */
  readonly outcomeKey?: string;
  /** Reverse: the failover episode, tagged on every reverse point. */
  readonly failoverId?: string;
}

export type ProtectionDecision =
  | { readonly protect: true; readonly active: ActiveProtection }
  | { readonly protect: false; readonly reason: string };

export interface AppState {
  readonly status: AppStatus;
  readonly outcomeKey?: unknown;
  readonly failoverId?: unknown;
}

export function protectionFor(
  app: AppState,
  regions: { readonly primaryRegion: string; readonly recoveryRegion: string },
): ProtectionDecision {
  const forward: ActiveProtection = {
    direction: 'forward',
    captureRegion: regions.primaryRegion,
    copyRegion: regions.recoveryRegion,
  };
  switch (app.status) {
    case 'PRIMARY_ACTIVE':
    case 'FAILOVER_FAILED':
      return { protect: true, active: forward };
    case 'FAILED_OVER':
    case 'FAILBACK_FAILED': {
      const outcomeKey = typeof app.outcomeKey === 'string' ? app.outcomeKey : '';
      if (!outcomeKey)
        return {
          protect: false,
          reason: `skipped: ${app.status} without a failover outcome to say what runs in ${regions.recoveryRegion}`,
        };
      return {
        protect: true,
        active: {
          direction: 'reverse',
          captureRegion: regions.recoveryRegion,
          copyRegion: regions.primaryRegion,
          outcomeKey,
          ...(typeof app.failoverId === 'string' && app.failoverId ? { failoverId: app.failoverId } : {}),
        },
      };
    }
    default:
      return { protect: false, reason: `skipped: the app is ${app.status}` };
  }
}
