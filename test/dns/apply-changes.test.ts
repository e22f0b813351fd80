import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../lambdas/dns/apply-changes';
import { create, remove, rrset, upsert } from './records';

describe('applyChanges', () => {
  const a = rrset('a.example.com', 'A', ['192.0.2.1']);
  const b = rrset('b.example.com', 'A', ['192.0.2.2']);

  it('replaces in place on UPSERT, appends on CREATE, removes on DELETE, and leaves the input alone', () => {
    // Prepare
    const zone = [a, b];
    const newA = rrset('A.example.com.', 'A', ['192.0.2.9']);
    const c = rrset('c.example.com', 'CNAME', ['a.example.com']);

    // Act
    const after = applyChanges(zone, [upsert(newA), create(c), remove(b)]);

    // Assess
    expect(after).toEqual([newA, c]);
    expect(zone).toEqual([a, b]);
  });

  it('creates on UPSERT when the record set does not exist', () => {
    // Prepare, Act
    const after = applyChanges([a], [upsert(b)]);

    // Assess
    expect(after).toEqual([a, b]);
  });

  it('rejects what Route 53 rejects', () => {
    // Prepare, Act, Assess
    expect(() => applyChanges([a], [create(rrset('a.example.com.', 'A', ['192.0.2.5']))])).toThrow(
      /already exists/,
    );
    expect(() => applyChanges([a], [remove(b)])).toThrow(/no such record set/);
    expect(() => applyChanges([a], [remove(rrset('a.example.com', 'A', ['192.0.2.5']))])).toThrow(
      /do not match/,
    );
    expect(() => applyChanges([a], [remove(a), remove(a)])).toThrow(/no such record set/);
    expect(() => applyChanges([a], [{ Action: undefined, ResourceRecordSet: b }])).toThrow(/unknown change/);
    expect(() => applyChanges([a], [{ Action: 'UPSERT', ResourceRecordSet: undefined }])).toThrow(
      /no ResourceRecordSet/,
    );
  });

  it('deletes a record set given in another spelling', () => {
    // Prepare
    const readBack = rrset('\\052.example.com.', 'A', ['192.0.2.2', '192.0.2.1']);

    // Act
    const after = applyChanges([readBack], [remove(rrset('*.example.com', 'A', ['192.0.2.1', '192.0.2.2']))]);

    // Assess
    expect(after).toEqual([]);
  });
});
