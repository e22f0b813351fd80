/**
 * Applies a move of the failback's DNS shift from where it stands to a new weight (or back to the
 * last good one): one change batch per zone, recorded in the shift state before returning.
 */
import type { Change, Route53Client } from '@aws-sdk/client-route-53';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { toChangeBatches } from '../dns/change-batches';
import { applyChangeBatch } from '../route53/hosted-zone';
import { type DnsShiftState, writeDnsShift } from './dns-shift-state';
import { effectiveWeight, shiftChanges } from './staged-dns';

export async function moveDnsShift(
  route53: Route53Client,
  artifacts: ArtifactStore,
  app: string,
  state: DnsShiftState,
  to: number | null,
  kind: 'shift' | 'rollback',
  comment: string,
  now: Date,
): Promise<{ changes: number; changeIds: string[] }> {
  const changeIds: string[] = [];
  let total = 0;
  for (const zone of state.zones) {
    const changes: Change[] = zone.records.flatMap((record) =>
      shiftChanges(record, effectiveWeight(record, state.applied), effectiveWeight(record, to)),
    );
    total += changes.length;
    for (const batch of toChangeBatches(changes))
      changeIds.push(await applyChangeBatch(route53, zone.id, batch, comment));
  }
  state.history.push({ weight: to, at: now.toISOString(), changes: total, changeIds, kind });
  state.applied = to;
  await writeDnsShift(artifacts, app, state);
  return { changes: total, changeIds };
}
