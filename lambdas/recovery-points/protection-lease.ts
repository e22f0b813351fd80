/**
 * One protection run per tier at a time. A run takes the lease of every tier it protects before
 * it writes anything to AWS, all or none: when another run still holds one of them, it gives back
 * the ones it took and is skipped.
 */
import type { StateTable } from '../state/state-table';

export interface LeaseRequest {
  readonly app: string;
  /** In plan order, so two runs that want the same tiers ask for them in the same order. */
  readonly tiers: readonly string[];
  readonly runId: string;
  readonly now: Date;
  readonly expiresAt: Date;
}

export type LeaseOutcome =
  | { readonly taken: true }
  | { readonly taken: false; readonly tier: string; readonly heldBy: string; readonly expiresAt?: string };

export async function takeProtectLeases(state: StateTable, request: LeaseRequest): Promise<LeaseOutcome> {
  const { app, runId, now, expiresAt } = request;
  const taken: string[] = [];
  for (const tier of request.tiers) {
    const lease = await state.acquireProtectLease(app, tier, runId, now, expiresAt);
    if (!lease.taken) {
      for (const mine of taken) await state.releaseProtectLease(app, mine, runId);
      return {
        taken: false,
        tier,
        heldBy: lease.heldBy,
        ...(lease.expiresAt ? { expiresAt: lease.expiresAt } : {}),
      };
    }
    taken.push(tier);
  }
  return { taken: true };
}

export async function releaseProtectLeases(
  state: StateTable,
  app: string,
  tiers: readonly string[],
  runId: string,
): Promise<number> {
  let released = 0;
  for (const tier of tiers) if (await state.releaseProtectLease(app, tier, runId)) released++;
  return released;
}
