/**
 * Applies a move of the failback's DNS shift from where it stands to a new position (a weight of
 * the stateless records, the data cutover, the maintenance freeze, or back to the last good
 * weight): one change batch per zone, recorded in the shift state before returning.
 */
import type { Change, Route53Client } from '@aws-sdk/client-route-53';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { toChangeBatches } from '../dns/change-batches';
import { applyChangeBatch } from '../route53/hosted-zone';
import { type DnsShiftState, positionOf, writeDnsShift } from './dns-shift-state';
import { recordPosition, type ShiftPosition, shiftChanges } from './staged-dns';

export async function moveDnsShift(
  route53: Route53Client,
  artifacts: ArtifactStore,
  app: string,
  state: DnsShiftState,
  move: Partial<ShiftPosition>,
  kind: DnsShiftState['history'][number]['kind'],
  comment: string,
  now: Date,
): Promise<{ changes: number; changeIds: string[] }> {
  const from = positionOf(state);
  const to: ShiftPosition = { ...from, ...move };
  const changeIds: string[] = [];
  let total = 0;
  for (const zone of state.zones) {
    const changes: Change[] = zone.records.flatMap((record) =>
      shiftChanges(record, recordPosition(record, from), recordPosition(record, to)),
    );
    total += changes.length;
    for (const batch of toChangeBatches(changes))
      changeIds.push(await applyChangeBatch(route53, zone.id, batch, comment));
  }
  state.history.push({ weight: to.applied, at: now.toISOString(), changes: total, changeIds, kind });
  state.applied = to.applied;
  state.maintenance = to.maintenance;
  if (to.dataMoved && !state.dataMoved) state.dataMovedAt = now.toISOString();
  state.dataMoved = to.dataMoved;
  await writeDnsShift(artifacts, app, state);
  return { changes: total, changeIds };
}
