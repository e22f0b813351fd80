import { describe, expect, it } from 'vitest';
import { changeCost, toChangeBatches } from '../../lambdas/dns/change-batches';
import { create, remove, rrset, upsert } from './records';

/** A record whose one value is `length` characters long. */
function sized(name: string, length: number) {
  return rrset(`${name}.example.com`, 'TXT', ['x'.repeat(length)]);
}

describe('changeCost', () => {
  it('counts records and value characters twice for an UPSERT', () => {
    // Prepare
    const record = rrset('a.example.com', 'A', ['192.0.2.1', '192.0.2.22']);

    // Act
    const costs = [changeCost(upsert(record)), changeCost(create(record)), changeCost(remove(record))];

    // Assess
    expect(costs).toEqual([
      { changes: 1, records: 4, valueChars: 38 },
      { changes: 1, records: 2, valueChars: 19 },
      { changes: 1, records: 2, valueChars: 19 },
    ]);
  });

  it('counts nothing but the change for an alias record', () => {
    // Prepare
    const alias = {
      Name: 'a.example.com',
      Type: 'A' as const,
      AliasTarget: { HostedZoneId: 'Z1', DNSName: 'lb.example.net', EvaluateTargetHealth: false },
    };

    // Act, Assess
    expect(changeCost(upsert(alias))).toEqual({ changes: 1, records: 0, valueChars: 0 });
  });
});

describe('toChangeBatches', () => {
  it('gives no batch for no changes and one batch for a normal zone', () => {
    // Prepare
    const changes = Array.from({ length: 50 }, (_, i) => upsert(sized(`r${i}`, 20)));

    // Act
    const batches = [toChangeBatches([]), toChangeBatches(changes)];

    // Assess
    expect(batches[0]).toEqual([]);
    expect(batches[1]).toEqual([changes]);
  });

  it('splits on the number of changes', () => {
    // Prepare
    const changes = Array.from({ length: 5 }, (_, i) => create(sized(`r${i}`, 1)));

    // Act
    const batches = toChangeBatches(changes, { maxChanges: 2 });

    // Assess
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches.flat()).toEqual(changes);
  });

  it('splits on value characters, counting an UPSERT twice', () => {
    // Prepare: each UPSERT of a 5-character value costs 10 of the 10 allowed; a CREATE costs 5.
    const upserts = [upsert(sized('a', 5)), upsert(sized('b', 5))];
    const creates = [create(sized('c', 5)), create(sized('d', 5))];

    // Act
    const upsertBatches = toChangeBatches(upserts, { maxValueChars: 10 });
    const createBatches = toChangeBatches(creates, { maxValueChars: 10 });

    // Assess
    expect(upsertBatches).toEqual([[upserts[0]], [upserts[1]]]);
    expect(createBatches).toEqual([creates]);
  });

  it('splits on resource records, counting an UPSERT twice', () => {
    // Prepare
    const changes = [upsert(rrset('a.example.com', 'A', ['192.0.2.1', '192.0.2.2'])), create(sized('b', 1))];

    // Act
    const batches = toChangeBatches(changes, { maxRecords: 4 });

    // Assess
    expect(batches).toEqual([[changes[0]], [changes[1]]]);
  });

  it('fills an earlier batch that still has room', () => {
    // Prepare
    const big = upsert(sized('big', 8));
    const bigger = upsert(sized('bigger', 9));
    const small = upsert(sized('small', 1));

    // Act
    const batches = toChangeBatches([big, bigger, small], { maxValueChars: 20 });

    // Assess
    expect(batches).toEqual([[big, small], [bigger]]);
  });

  it('keeps every change to one name in one batch', () => {
    // Prepare: replacing an A record with a CNAME is only valid as one atomic batch.
    const oldA = rrset('www.example.com', 'A', ['192.0.2.1']);
    const newCname = rrset('WWW.example.com.', 'CNAME', ['lb.example.net']);
    const changes = [remove(oldA), create(sized('x', 1)), create(newCname)];

    // Act
    const batches = toChangeBatches(changes, { maxChanges: 2 });

    // Assess
    expect(batches).toEqual([[remove(oldA), create(newCname)], [changes[1]]]);
  });

  it('splits one name change by change when no DELETE makes that unsafe', () => {
    // Prepare
    const weighted = ['a', 'b', 'c'].map((id) =>
      upsert(rrset('w.example.com', 'A', ['192.0.2.1'], { SetIdentifier: id, Weight: 1 })),
    );

    // Act
    const batches = toChangeBatches(weighted, { maxChanges: 2 });

    // Assess
    expect(batches).toEqual([weighted.slice(0, 2), weighted.slice(2)]);
  });

  it('refuses what cannot be sent safely', () => {
    // Prepare
    const oldA = rrset('www.example.com', 'A', ['192.0.2.1']);
    const newCname = rrset('www.example.com', 'CNAME', ['lb.example.net']);

    // Act, Assess
    expect(() => toChangeBatches([remove(oldA), create(newCname)], { maxChanges: 1 })).toThrow(
      /include a DELETE/,
    );
    expect(() => toChangeBatches([upsert(sized('huge', 20000))])).toThrow(/larger than one change batch/);
  });
});
