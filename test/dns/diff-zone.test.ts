import { describe, expect, it } from 'vitest';
import { diffZone } from '../../lambdas/dns/diff-zone';
import { rrset } from './records';

describe('diffZone', () => {
  it('sorts record sets into added, removed, changed and unchanged by key', () => {
    // Prepare
    const kept = rrset('kept.example.com', 'A', ['192.0.2.1']);
    const gone = rrset('gone.example.com', 'A', ['192.0.2.2']);
    const edited = rrset('edited.example.com', 'TXT', ['"v1"']);
    const blue = rrset('w.example.com', 'A', ['192.0.2.3'], { SetIdentifier: 'blue', Weight: 1 });
    const green = rrset('w.example.com', 'A', ['192.0.2.4'], { SetIdentifier: 'green', Weight: 1 });
    const before = [kept, gone, edited, blue];
    const after = [
      rrset('KEPT.example.com.', 'A', ['192.0.2.1']),
      { ...edited, ResourceRecords: [{ Value: '"v2"' }] },
      blue,
      green,
    ];

    // Act
    const diff = diffZone(before, after);

    // Assess
    expect(diff.added).toEqual([green]);
    expect(diff.removed).toEqual([gone]);
    expect(diff.changed).toEqual([{ before: edited, after: after[1] }]);
    expect(diff.unchanged).toBe(2);
  });

  it('finds nothing between a zone and itself', () => {
    // Prepare
    const zone = [
      rrset('a.example.com', 'A', ['192.0.2.1']),
      rrset('b.example.com', 'CNAME', ['a.example.com']),
    ];

    // Act
    const diff = diffZone(zone, zone);

    // Assess
    expect(diff).toEqual({ added: [], removed: [], changed: [], unchanged: 2 });
  });
});
