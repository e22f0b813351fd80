import { describe, expect, it } from 'vitest';
import { indexByKey, managedRecordKey, recordKey } from '../../lambdas/dns/record-key';
import { rrset } from './records';

describe('recordKey', () => {
  it('is the normalised name and the type', () => {
    // Prepare, Act
    const key = recordKey({ Name: 'WWW.Example.com', Type: 'A' });

    // Assess
    expect(key).toBe('www.example.com. A');
  });

  it('gives one key for every spelling of a name', () => {
    // Prepare
    const spellings = ['\\052.example.com.', '*.example.com', '*.EXAMPLE.com.'];

    // Act
    const keys = new Set(spellings.map((Name) => recordKey({ Name, Type: 'CNAME' })));

    // Assess
    expect([...keys]).toEqual(['*.example.com. CNAME']);
  });

  it('tells routing-policy records apart by set identifier', () => {
    // Prepare
    const blue = { Name: 'www.example.com', Type: 'A' as const, SetIdentifier: 'blue' };
    const green = { ...blue, SetIdentifier: 'green light' };

    // Act
    const keys = [recordKey(blue), recordKey(green), recordKey({ ...blue, SetIdentifier: undefined })];

    // Assess
    expect(keys).toEqual(['www.example.com. A blue', 'www.example.com. A green light', 'www.example.com. A']);
  });

  it('treats the type and the set identifier as different parts of the key', () => {
    // Prepare, Act, Assess
    expect(recordKey({ Name: 'a', Type: 'A' })).not.toBe(recordKey({ Name: 'a', Type: 'AAAA' }));
    expect(recordKey({ Name: 'a', Type: 'A', SetIdentifier: 'X' })).not.toBe(
      recordKey({ Name: 'a', Type: 'A', SetIdentifier: 'x' }),
    );
  });

  it('refuses a record set without a name or a type', () => {
    // Prepare, Act, Assess
    expect(() => recordKey({ Name: undefined, Type: 'A' })).toThrow(/without a Name/);
    expect(() => recordKey({ Name: 'a.example.com', Type: undefined })).toThrow(/no Type/);
  });
});

describe('managedRecordKey', () => {
  it('keys a plan record the way its written record set will be keyed', () => {
    // Prepare
    const planRecord = { name: 'Api.example.com', type: 'CNAME' as const, setIdentifier: 'primary' };

    // Act
    const key = managedRecordKey(planRecord);

    // Assess
    expect(key).toBe(recordKey({ Name: 'api.example.com.', Type: 'CNAME', SetIdentifier: 'primary' }));
  });
});

describe('indexByKey', () => {
  it('indexes record sets by key and refuses two with one key', () => {
    // Prepare
    const records = [rrset('a.example.com', 'A', ['192.0.2.1']), rrset('b.example.com', 'A', ['192.0.2.2'])];

    // Act
    const index = indexByKey(records);

    // Assess
    expect([...index.keys()]).toEqual(['a.example.com. A', 'b.example.com. A']);
    expect(() => indexByKey([...records, rrset('A.example.com.', 'A', ['192.0.2.9'])])).toThrow(
      /share the key a\.example\.com\. A/,
    );
  });
});
