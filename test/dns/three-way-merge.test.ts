import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { applyChanges, threeWayMerge } from '../../lambdas/dns/three-way-merge';
import { rrset, upsert, zoneApex } from './records';

const primary = rrset('www.example.com', 'A', ['192.0.2.10']);
const recovery = rrset('www.example.com', 'A', ['198.51.100.10']);
const other = rrset('mail.example.com', 'MX', ['10 mx.example.com']);

/** A zone failed over by Pendulum: www moved to the recovery region (`nowWww` null: deleted since). */
function failedOver(extraNow: ResourceRecordSet[] = [], nowWww: ResourceRecordSet | null = recovery) {
  const base = [...zoneApex(), primary, other];
  const now = [...zoneApex(), other, ...(nowWww ? [nowWww] : []), ...extraNow];
  return { base, cutover: [recovery], now, desired: [primary] };
}

describe('threeWayMerge', () => {
  it('points a managed record that failover wrote back at the primary', () => {
    // Prepare
    const input = failedOver();

    // Act
    const result = threeWayMerge(input);

    // Assess
    expect(result.changes).toEqual([upsert(primary)]);
    expect(result.conflicts).toEqual([]);
    expect(result.preserved).toEqual([]);
    expect(result.decisions).toEqual([
      { key: 'www.example.com. A', action: 'upsert', reason: expect.stringContaining('as failover left it') },
    ]);
  });

  it('emits nothing for a record that is already as desired', () => {
    // Prepare
    const input = failedOver([], rrset('WWW.example.com.', 'A', ['192.0.2.10']));

    // Act
    const result = threeWayMerge(input);

    // Assess
    expect(result.changes).toEqual([]);
    expect(result.conflicts).toEqual([]);
    expect(result.decisions.map((decision) => decision.action)).toEqual(['none']);
  });

  it('does not mistake Route 53 spelling for a hand edit', () => {
    // Prepare
    const written = rrset('*.example.com', 'A', ['198.51.100.1', '198.51.100.2']);
    const readBack = rrset('\\052.example.com.', 'A', ['198.51.100.2', '198.51.100.1']);
    const wanted = rrset('*.example.com', 'A', ['192.0.2.1']);

    // Act
    const result = threeWayMerge({ base: [wanted], cutover: [written], now: [readBack], desired: [wanted] });

    // Assess
    expect(result.conflicts).toEqual([]);
    expect(result.changes).toEqual([upsert(wanted)]);
  });

  describe('a managed record edited by hand during failover', () => {
    const edited = rrset('www.example.com', 'A', ['203.0.113.5']);

    it('is a conflict left alone when there is no preference', () => {
      // Prepare
      const input = failedOver([], edited);

      // Act
      const result = threeWayMerge(input);

      // Assess
      expect(result.changes).toEqual([]);
      expect(result.conflicts).toEqual([
        {
          key: 'www.example.com. A',
          kind: 'changed',
          base: primary,
          cutover: recovery,
          now: edited,
          desired: primary,
          resolution: 'unresolved',
        },
      ]);
      expect(result.decisions).toEqual([
        { key: 'www.example.com. A', action: 'conflict', reason: expect.stringContaining('changed by hand') },
      ]);
    });

    it('is overwritten with the desired record when failback is preferred', () => {
      // Prepare
      const input = { ...failedOver([], edited), prefer: 'failback' as const };

      // Act
      const result = threeWayMerge(input);

      // Assess
      expect(result.changes).toEqual([upsert(primary)]);
      expect(result.conflicts.map((conflict) => conflict.resolution)).toEqual(['failback']);
      expect(result.decisions.map((decision) => decision.action)).toEqual(['upsert']);
    });

    it('is kept when the current zone is preferred', () => {
      // Prepare
      const input = { ...failedOver([], edited), prefer: 'current' as const };

      // Act
      const result = threeWayMerge(input);

      // Assess
      expect(result.changes).toEqual([]);
      expect(result.conflicts.map((conflict) => conflict.resolution)).toEqual(['current']);
      expect(result.decisions.map((decision) => decision.action)).toEqual(['keep-current']);
    });
  });

  it('reports a managed record deleted during failover, and recreates it only when failback is preferred', () => {
    // Prepare
    const input = failedOver([], null);

    // Act
    const unresolved = threeWayMerge(input);
    const resolved = threeWayMerge({ ...input, prefer: 'failback' });

    // Assess
    expect(unresolved.conflicts.map((conflict) => [conflict.kind, conflict.now])).toEqual([
      ['deleted', undefined],
    ]);
    expect(unresolved.changes).toEqual([]);
    expect(resolved.changes).toEqual([upsert(primary)]);
  });

  it('compares a managed record failover did not write with the zone before failover', () => {
    // Prepare: api was not part of the cutover (say its target was not recovered), but is desired.
    const api = rrset('api.example.com', 'CNAME', ['lb.primary.example.net']);
    const apiEdited = rrset('api.example.com', 'CNAME', ['lb.elsewhere.example.net']);
    const apiMoved = rrset('api.example.com', 'CNAME', ['lb.moved.example.net']);

    // Act
    const untouched = threeWayMerge({ base: [api], cutover: [], now: [api], desired: [api] });
    const edited = threeWayMerge({ base: [api], cutover: [], now: [apiEdited], desired: [api] });
    const appeared = threeWayMerge({ base: [], cutover: [], now: [apiEdited], desired: [apiMoved] });
    const missing = threeWayMerge({ base: [], cutover: [], now: [], desired: [api] });

    // Assess
    expect(untouched.changes).toEqual([]);
    expect(edited.conflicts.map((conflict) => conflict.kind)).toEqual(['changed']);
    expect(appeared.conflicts.map((conflict) => conflict.kind)).toEqual(['added']);
    expect(missing.changes).toEqual([upsert(api)]);
    expect(missing.conflicts).toEqual([]);
  });

  it('preserves every change to records it does not manage, and writes none of them', () => {
    // Prepare
    const added = rrset('new.example.com', 'TXT', ['"added during failover"']);
    const changedOther = rrset('mail.example.com', 'MX', ['20 mx2.example.com']);
    const deleted = rrset('old.example.com', 'A', ['192.0.2.99']);
    const input = failedOver();
    input.base.push(deleted);
    input.now = [...zoneApex(), recovery, changedOther, added];

    // Act
    const result = threeWayMerge(input);

    // Assess
    expect(result.changes).toEqual([upsert(primary)]);
    expect(result.preserved).toEqual([
      { key: 'mail.example.com. MX', reason: 'changed', base: other, now: changedOther },
      { key: 'new.example.com. TXT', reason: 'added', base: undefined, now: added },
      { key: 'old.example.com. A', reason: 'deleted', base: deleted, now: undefined },
    ]);
    expect(result.decisions.map((decision) => decision.key)).toEqual(['www.example.com. A']);
  });

  it('never manages the SOA or the apex NS record, but does manage a delegation below the apex', () => {
    // Prepare
    const [soa, apexNs] = zoneApex() as [ResourceRecordSet, ResourceRecordSet];
    const newApexNs = { ...apexNs, ResourceRecords: [{ Value: 'ns.attacker.example.' }] };
    const newSoa = { ...soa, TTL: 60 };
    const delegation = rrset('sub.example.com', 'NS', ['ns-9.awsdns-09.net.']);
    const input = {
      base: [soa, apexNs],
      cutover: [],
      now: [soa, apexNs],
      desired: [newSoa, newApexNs, delegation],
    };

    // Act
    const result = threeWayMerge(input);

    // Assess
    expect(result.changes).toEqual([upsert(delegation)]);
    expect(result.decisions).toEqual([
      { key: 'example.com. NS', action: 'ignore', reason: expect.any(String) },
      { key: 'example.com. SOA', action: 'ignore', reason: expect.any(String) },
      { key: 'sub.example.com. NS', action: 'upsert', reason: expect.any(String) },
    ]);
  });

  it('finds the apex from zoneName when the zone has no SOA record in hand', () => {
    // Prepare
    const apexNs = rrset('example.com', 'NS', ['ns.example.net.']);

    // Act
    const withName = threeWayMerge({
      base: [],
      cutover: [],
      now: [],
      desired: [apexNs],
      zoneName: 'Example.com',
    });

    // Assess
    expect(withName.changes).toEqual([]);
    expect(withName.decisions.map((decision) => decision.action)).toEqual(['ignore']);
  });

  it('leaves a record failover wrote that is not desired, and says so', () => {
    // Prepare
    const recoveryOnly = rrset('status.example.com', 'TXT', ['"running in recovery"']);
    const input = failedOver([recoveryOnly]);
    input.cutover.push(recoveryOnly);

    // Act
    const result = threeWayMerge(input);

    // Assess
    expect(result.changes).toEqual([upsert(primary)]);
    expect(result.preserved).toEqual([]);
    expect(result.decisions).toContainEqual({
      key: 'status.example.com. TXT',
      action: 'leave',
      reason: expect.stringContaining('not in desired'),
    });
  });

  it('merges weighted records with one set identifier each', () => {
    // Prepare
    const weighted = (id: string, value: string, weight: number) =>
      rrset('app.example.com', 'A', [value], { SetIdentifier: id, Weight: weight });
    const base = [weighted('primary', '192.0.2.1', 100), weighted('recovery', '198.51.100.1', 0)];
    const cutover = [weighted('primary', '192.0.2.1', 0), weighted('recovery', '198.51.100.1', 100)];
    const now = [cutover[0] as ResourceRecordSet, weighted('recovery', '198.51.100.1', 50)];

    // Act
    const result = threeWayMerge({ base, cutover, now, desired: base });

    // Assess
    expect(result.changes).toEqual([upsert(base[0] as ResourceRecordSet)]);
    expect(result.conflicts.map((conflict) => conflict.key)).toEqual(['app.example.com. A recovery']);
  });

  it('emits no changes the second time', () => {
    // Prepare
    const input = {
      ...failedOver([], rrset('www.example.com', 'A', ['203.0.113.5'])),
      prefer: 'failback' as const,
    };
    const first = threeWayMerge(input);

    // Act
    const second = threeWayMerge({ ...input, now: applyChanges(input.now, first.changes) });

    // Assess
    expect(first.changes).toHaveLength(1);
    expect(second.changes).toEqual([]);
    expect(second.conflicts).toEqual([]);
  });
});
