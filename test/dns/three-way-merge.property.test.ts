/**
 * Properties of the failback merge over generated zones: the guarantees failback makes to the people who
 * changed DNS while the application ran in the recovery region.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameOptionalRecord, sameRecord } from '../../lambdas/dns/canonical-record';
import { indexByKey, type RecordKey, recordKey } from '../../lambdas/dns/record-key';
import { applyChanges, threeWayMerge, type ZoneMergeInput } from '../../lambdas/dns/three-way-merge';
import { rrset, zoneApex } from './records';

type RecordType = 'A' | 'CNAME' | 'TXT' | 'MX';

const IDENTITIES: { name: string; type: RecordType; setIdentifier?: string }[] = [
  { name: 'www.example.com', type: 'A' },
  { name: '*.example.com', type: 'CNAME' },
  { name: 'api.example.com', type: 'CNAME' },
  { name: 'app.example.com', type: 'A', setIdentifier: 'primary' },
  { name: 'app.example.com', type: 'A', setIdentifier: 'recovery' },
  { name: 'txt.example.com', type: 'TXT' },
  { name: 'mail.example.com', type: 'MX' },
];

// Few values per type, so that generated records often coincide, as real zones do.
const VALUES: Record<RecordType, string[]> = {
  A: ['192.0.2.1', '192.0.2.2', '198.51.100.1'],
  CNAME: ['lb.primary.example.net', 'lb.recovery.example.net'],
  TXT: ['"v=1"', '"v=2"'],
  MX: ['10 mx1.example.com', '20 mx2.example.com'],
};

function recordArb(identity: (typeof IDENTITIES)[number]): fc.Arbitrary<ResourceRecordSet> {
  return fc
    .record({
      values: fc.subarray(VALUES[identity.type], { minLength: 1 }),
      ttl: fc.constantFrom(60, 300),
    })
    .map(({ values, ttl }) =>
      rrset(identity.name, identity.type, values, {
        TTL: ttl,
        ...(identity.setIdentifier ? { SetIdentifier: identity.setIdentifier, Weight: 50 } : {}),
      }),
    );
}

/** The same record as Route 53 might return it: escaped, upper-cased, with or without the dot, reordered. */
function respelt(record: ResourceRecordSet): fc.Arbitrary<ResourceRecordSet> {
  return fc
    .record({ upper: fc.boolean(), dot: fc.boolean(), escaped: fc.boolean(), reverse: fc.boolean() })
    .map(({ upper, dot, escaped, reverse }) => {
      let name = record.Name ?? '';
      if (escaped) name = name.replace('*', '\\052');
      if (upper) name = name.toUpperCase();
      if (dot) name = `${name}.`;
      const values = [...(record.ResourceRecords ?? [])];
      return { ...record, Name: name, ResourceRecords: reverse ? values.reverse() : values };
    });
}

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

/** One record set's story through failover: before, what failover wrote, what is wanted, and what is there now. */
function historyArb(identity: (typeof IDENTITIES)[number]) {
  const record = recordArb(identity);
  return fc
    .record({
      base: optional(record),
      cutover: optional(record),
      desired: optional(record),
      nowFrom: fc.constantFrom('base', 'cutover', 'desired', 'other', 'absent'),
      other: record,
    })
    .chain((history) => {
      const source = history.nowFrom === 'absent' ? undefined : history[history.nowFrom];
      return (source ? respelt(source) : fc.constant(undefined)).map((now) => ({ ...history, now }));
    });
}

const zoneArb: fc.Arbitrary<ZoneMergeInput> = fc.tuple(...IDENTITIES.map(historyArb)).map((histories) => {
  const pick = (field: 'base' | 'cutover' | 'desired' | 'now') =>
    histories.flatMap((history) => (history[field] ? [history[field]] : []));
  // Every zone has its SOA and apex NS, untouched, which failback must leave alone.
  return {
    base: [...zoneApex(), ...pick('base')],
    cutover: pick('cutover'),
    now: [...zoneApex(), ...pick('now')],
    desired: pick('desired'),
  };
});

const preferArb = fc.constantFrom(undefined, 'failback' as const, 'current' as const);

/** The state nobody-touched-it would leave: what failover wrote, or the original if it wrote nothing. */
function expectedAfterFailover(input: ZoneMergeInput, key: RecordKey): ResourceRecordSet | undefined {
  const cutover = indexByKey(input.cutover);
  return cutover.has(key) ? cutover.get(key) : indexByKey(input.base).get(key);
}

describe('threeWayMerge properties', () => {
  it('(a) never loses or resurrects a change to a record it does not manage', () => {
    fc.assert(
      fc.property(zoneArb, preferArb, (zone, prefer) => {
        // Prepare
        const input = { ...zone, prefer };
        const managed = new Set([...input.desired, ...input.cutover].map(recordKey));

        // Act
        const after = indexByKey(applyChanges(input.now, threeWayMerge(input).changes));

        // Assess
        const now = indexByKey(input.now);
        for (const [key, record] of now) {
          if (!managed.has(key)) expect(after.get(key)).toBe(record);
        }
        for (const key of after.keys()) {
          if (!managed.has(key)) expect(now.has(key)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('(b) leaves every managed record as desired when failback is preferred or nothing conflicts', () => {
    fc.assert(
      fc.property(zoneArb, preferArb, (zone, prefer) => {
        // Prepare
        const input = { ...zone, prefer };

        // Act
        const result = threeWayMerge(input);
        const after = indexByKey(applyChanges(input.now, result.changes));

        // Assess
        fc.pre(prefer === 'failback' || result.conflicts.length === 0);
        for (const wanted of input.desired) {
          const record = after.get(recordKey(wanted));
          expect(record && sameRecord(record, wanted)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('(c) emits no changes when run again on the zone it produced', () => {
    fc.assert(
      fc.property(zoneArb, preferArb, (zone, prefer) => {
        // Prepare
        const input = { ...zone, prefer };
        const first = threeWayMerge(input);

        // Act
        const second = threeWayMerge({ ...input, now: applyChanges(input.now, first.changes) });

        // Assess
        expect(second.changes).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('(d) without a preference, reports every hand-edited managed record and leaves it alone', () => {
    fc.assert(
      fc.property(zoneArb, (input) => {
        // Prepare
        const now = indexByKey(input.now);

        // Act
        const result = threeWayMerge(input);

        // Assess
        const conflicted = new Set(result.conflicts.map((conflict) => conflict.key));
        const changed = new Set(
          result.changes.map((change) => recordKey(change.ResourceRecordSet as ResourceRecordSet)),
        );
        for (const wanted of input.desired) {
          const key = recordKey(wanted);
          const handEdited = !sameOptionalRecord(now.get(key), expectedAfterFailover(input, key));
          const stillToDo = !sameOptionalRecord(now.get(key), wanted);
          expect(conflicted.has(key)).toBe(handEdited && stillToDo);
          if (handEdited) expect(changed.has(key)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('only ever upserts desired records', () => {
    fc.assert(
      fc.property(zoneArb, preferArb, (zone, prefer) => {
        // Prepare
        const input = { ...zone, prefer };

        // Act
        const { changes, decisions } = threeWayMerge(input);

        // Assess
        for (const change of changes) {
          expect(change.Action).toBe('UPSERT');
          expect(input.desired).toContain(change.ResourceRecordSet);
        }
        const managedKeys = [...new Set([...input.desired, ...input.cutover].map(recordKey))].sort();
        expect(decisions.map((decision) => decision.key)).toEqual(managedKeys);
      }),
      { numRuns: 300 },
    );
  });
});
