import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../lambdas/dns/canonical-json';
import { canonicalRecord, sameRecord, zoneChecksum } from '../../lambdas/dns/canonical-record';
import { rrset } from './records';

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order and drops undefined fields', () => {
    // Prepare
    const value = { b: 1, a: { d: [3, 1], c: undefined, b: 'x' } };

    // Act
    const text = canonicalJson(value);

    // Assess
    expect(text).toBe('{"a":{"b":"x","d":[3,1]},"b":1}');
  });
});

describe('canonicalRecord', () => {
  it('normalises the name and type and sorts and de-duplicates values', () => {
    // Prepare
    const record = rrset('\\052.Example.com', 'A', ['192.0.2.9', '192.0.2.1', '192.0.2.9']);

    // Act
    const canonical = canonicalRecord(record);

    // Assess
    expect(canonical).toEqual({
      Name: '*.example.com.',
      Type: 'A',
      TTL: 60,
      ResourceRecords: ['192.0.2.1', '192.0.2.9'],
    });
  });

  it('normalises names inside CNAME, NS, MX and SRV values but not TXT values', () => {
    // Prepare
    const records = [
      rrset('a.example.com', 'CNAME', ['Primary.Example.NET']),
      rrset('b.example.com', 'MX', ['10 Mail.Example.com']),
      rrset('c.example.com', 'SRV', ['1 10 443 Host.example.com.']),
      rrset('d.example.com', 'TXT', ['"Hello World"']),
    ];

    // Act
    const values = records.map((record) => canonicalRecord(record).ResourceRecords);

    // Assess
    expect(values).toEqual([
      ['primary.example.net.'],
      ['10 mail.example.com.'],
      ['1 10 443 host.example.com.'],
      ['"Hello World"'],
    ]);
  });

  it('normalises alias targets', () => {
    // Prepare
    const record = {
      Name: 'www.example.com',
      Type: 'A' as const,
      AliasTarget: {
        HostedZoneId: 'Z35SXDOTRQ7X7K',
        DNSName: 'My-LB-1.us-east-1.elb.amazonaws.com',
        EvaluateTargetHealth: true,
      },
    };

    // Act
    const canonical = canonicalRecord(record);

    // Assess
    expect(canonical.AliasTarget).toEqual({
      HostedZoneId: 'Z35SXDOTRQ7X7K',
      DNSName: 'my-lb-1.us-east-1.elb.amazonaws.com.',
      EvaluateTargetHealth: true,
    });
    expect(canonical.ResourceRecords).toBeUndefined();
  });
});

describe('sameRecord', () => {
  it('ignores spelling, value order and field order', () => {
    // Prepare
    const written = rrset('*.example.com', 'A', ['192.0.2.1', '192.0.2.2'], {
      SetIdentifier: 'blue',
      Weight: 10,
    });
    const readBack = {
      Weight: 10,
      ResourceRecords: [{ Value: '192.0.2.2' }, { Value: '192.0.2.1' }],
      TTL: 60,
      SetIdentifier: 'blue',
      Type: 'A' as const,
      Name: '\\052.example.com.',
    };

    // Act, Assess
    expect(sameRecord(written, readBack)).toBe(true);
  });

  it.each([
    ['a value', { ResourceRecords: [{ Value: '192.0.2.3' }] }],
    ['the TTL', { TTL: 300 }],
    ['the weight', { Weight: 20 }],
    ['the set identifier', { SetIdentifier: 'green' }],
    ['the health check', { HealthCheckId: 'abc' }],
    ['the failover role', { Failover: 'SECONDARY' as const }],
  ])('notices a different %s', (_what, change) => {
    // Prepare
    const record = rrset('www.example.com', 'A', ['192.0.2.1'], { SetIdentifier: 'blue', Weight: 10 });

    // Act, Assess
    expect(sameRecord(record, { ...record, ...change })).toBe(false);
  });
});

describe('zoneChecksum', () => {
  const zone = [
    rrset('www.example.com', 'A', ['192.0.2.1', '192.0.2.2']),
    rrset('api.example.com', 'CNAME', ['lb.example.net']),
  ];

  it('is a SHA-256 hex digest that ignores order and spelling', () => {
    // Prepare
    const reordered = [
      rrset('API.example.com.', 'CNAME', ['lb.example.net.']),
      rrset('www.example.com.', 'A', ['192.0.2.2', '192.0.2.1']),
    ];

    // Act
    const checksums = [zoneChecksum(zone), zoneChecksum(reordered)];

    // Assess
    expect(checksums[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(checksums[1]).toBe(checksums[0]);
  });

  it('changes when any record changes', () => {
    // Prepare
    const changed = [zone[0], rrset('api.example.com', 'CNAME', ['other.example.net'])].filter(
      (record) => record !== undefined,
    );

    // Act, Assess
    expect(zoneChecksum(changed)).not.toBe(zoneChecksum(zone));
    expect(zoneChecksum([])).not.toBe(zoneChecksum(zone));
  });
});
