/**
 * What a readiness check decides about a tier that is not ready yet, from the time since the
 * start of the run: keep waiting; keep waiting but record that the RTO was missed; or give up
 * because the recovery cap is reached. Pure: the handler brings the clock and the describes.
 */
export type TierWaitDecision =
  | { readonly kind: 'ready' }
  | { readonly kind: 'wait'; readonly rtoMissedNow: boolean }
  | { readonly kind: 'cap-reached' };

export function decideTierWait(input: {
  readonly ready: boolean;
  readonly elapsedSeconds: number;
  readonly rtoSeconds: number;
  readonly recoveryCapSeconds: number;
  /** An earlier check already recorded the miss. */
  readonly rtoMissRecorded: boolean;
}): TierWaitDecision {
  if (input.ready) return { kind: 'ready' };
  if (input.elapsedSeconds > input.recoveryCapSeconds) return { kind: 'cap-reached' };
  return { kind: 'wait', rtoMissedNow: input.elapsedSeconds > input.rtoSeconds && !input.rtoMissRecorded };
}
