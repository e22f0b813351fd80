import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../lambdas/dns/apply-changes';
import {
  recordPosition,
  type ShiftPosition,
  type ShiftRecord,
  shiftChanges,
} from '../../lambdas/failback/staged-dns';

const original: ResourceRecordSet = {
  Name: 'www.shop.example.com.',
  Type: 'A',
  TTL: 60,
  ResourceRecords: [{ Value: '203.0.113.1' }],
};
const desired: ResourceRecordSet = {
  Name: 'www.shop.example.com.',
  Type: 'A',
  TTL: 60,
  ResourceRecords: [{ Value: '198.51.100.7' }],
};
const staged: ShiftRecord = { key: 'www.shop.example.com. A', original, desired, staged: true };
const unmanaged: ResourceRecordSet = {
  Name: 'mail.shop.example.com.',
  Type: 'MX',
  TTL: 300,
  ResourceRecords: [{ Value: '10 mx.example.net.' }],
};

const START: ShiftPosition = { applied: null, dataMoved: false, maintenance: false };

/** Walks a record through shift positions (a weight is a move of the stateless records), as Route 53 would. */
function walk(record: ShiftRecord, moves: (number | null | Partial<ShiftPosition>)[]) {
  let zone = [original, unmanaged];
  let at = START;
  const states: ResourceRecordSet[][] = [];
  for (const move of moves) {
    const to: ShiftPosition =
      move === null || typeof move === 'number'
        ? { ...at, applied: move, maintenance: false }
        : { ...at, ...move };
    zone = applyChanges(zone, shiftChanges(record, recordPosition(record, at), recordPosition(record, to)));
    at = to;
    states.push(zone.filter((r) => r.Name === original.Name));
  }
  return { zone, states };
}

describe('staged DNS shift', () => {
  it('turns the record into a weighted pair and walks the weights in order, then collapses home', () => {
    const { zone, states } = walk(staged, [10, 50, 100]);
    expect(states[0]?.map((r) => [r.SetIdentifier?.endsWith('-home') ? 'home' : 'away', r.Weight])).toEqual([
      ['home', 10],
      ['away', 90],
    ]);
    expect(states[1]?.map((r) => r.Weight)).toEqual([50, 50]);
    expect(states[2]).toEqual([desired]);
    expect(zone).toContainEqual(unmanaged);
  });

  it('rolls back to the last good weight, or to the original record when no step was good', () => {
    const fromFifty = walk(staged, [10, 50, 10]);
    expect(fromFifty.states[2]?.map((r) => r.Weight)).toEqual([10, 90]);
    const fromTen = walk(staged, [10, null]);
    expect(fromTen.states[1]).toEqual([original]);
  });

  it('moves a record that cannot be staged at once, and back again on rollback', () => {
    const atOnce: ShiftRecord = { ...staged, staged: false };
    const { states } = walk(atOnce, [10, 50, null]);
    expect(states[0]).toEqual([desired]);
    expect(states[1]).toEqual([desired]);
    expect(states[2]).toEqual([original]);
  });

  it('gives each record pair set identifiers of its own (Route 53 deletes by set identifier)', () => {
    const other: ShiftRecord = { ...staged, key: 'api.shop.example.com. A' };
    const ids = (r: ShiftRecord) =>
      shiftChanges(r, 'original', 10).flatMap((c) =>
        c.Action === 'CREATE' ? [c.ResourceRecordSet?.SetIdentifier] : [],
      );
    expect(ids(staged)).toHaveLength(2);
    expect(ids(staged).some((id) => ids(other).includes(id))).toBe(false);
  });

  it('never stages a stateful record: it stays put through every weight and moves once, at the data cutover', () => {
    const data: ShiftRecord = { ...staged, stateful: true, staged: false };
    const { states } = walk(data, [10, 50, { dataMoved: true }, 100, null]);
    expect(states[0]).toEqual([original]);
    expect(states[1]).toEqual([original]);
    expect(states[2]).toEqual([desired]);
    expect(states[3]).toEqual([desired]);
    // A rollback of the stateless records leaves the data record home.
    expect(states[4]).toEqual([desired]);
    expect(states.flat().some((r) => r.Weight !== undefined)).toBe(false);
  });

  it('points a stateless record at the maintenance target during the freeze; the first step or a rollback ends it', () => {
    const maintenance: ResourceRecordSet = { ...original, ResourceRecords: [{ Value: '192.0.2.80' }] };
    const frozen: ShiftRecord = { ...staged, maintenance };
    const shifted = walk(frozen, [{ maintenance: true }, { dataMoved: true }, 10]);
    expect(shifted.states[0]).toEqual([maintenance]);
    expect(shifted.states[1]).toEqual([maintenance]);
    expect(shifted.states[2]?.map((r) => r.Weight)).toEqual([10, 90]);
    const rolledBack = walk(frozen, [{ maintenance: true }, null]);
    expect(rolledBack.states[1]).toEqual([original]);
  });

  it('does nothing when asked to stay where it is', () => {
    expect(shiftChanges(staged, 50, 50)).toEqual([]);
  });
});
