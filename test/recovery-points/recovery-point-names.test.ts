import { describe, expect, it } from 'vitest';
import {
  amiName,
  captureStamp,
  dbSnapshotIdentifier,
  dbSnapshotPrefix,
  runMark,
} from '../../lambdas/recovery-points/recovery-point-names';

const RDS_IDENTIFIER = /^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/;
const AMI_NAME = /^[A-Za-z0-9()[\] ./'@_-]{3,128}$/;

describe('recovery point names', () => {
  const at = new Date('2026-01-15T02:03:04.567Z');
  const mark = runMark('run-1');

  it('are deterministic in app, source, capture time and run', () => {
    // Prepare, Act
    const ami = amiName('shop', 'i-0abc12345def67890', at, 'run-1');
    const snapshot = dbSnapshotIdentifier('shop', 'shop-db', at, 'run-1');

    // Assess
    expect(captureStamp(at)).toBe('20260115T020304Z');
    expect(mark).toMatch(/^[0-9a-f]{6}$/);
    expect(ami).toBe(`pendulum-shop-i-0abc12345def67890-20260115T020304Z-${mark}`);
    expect(amiName('shop', 'i-0abc12345def67890', new Date(at), 'run-1')).toBe(ami);
    expect(snapshot).toBe(`pendulum-shop-rp-shop-db-20260115t020304z-${mark}`);
    expect(snapshot.startsWith(dbSnapshotPrefix('shop'))).toBe(true);
    expect(amiName('shop', 'i-0abc12345def67890', new Date(at.getTime() + 1000), 'run-1')).not.toBe(ami);
    // Two runs in the same second never share a name.
    expect(amiName('shop', 'i-0abc12345def67890', at, 'run-2')).not.toBe(ami);
    expect(dbSnapshotIdentifier('shop', 'shop-db', at, 'run-2')).not.toBe(snapshot);
  });

  it('keep RDS identifier rules and AMI name limits for awkward inputs', () => {
    // Prepare
    const awkwardApp = 'a--b-';
    const longSource = `Db-${'x'.repeat(300)}`;

    // Act
    const snapshot = dbSnapshotIdentifier(awkwardApp, longSource, at, 'run-1');
    const ami = amiName('x'.repeat(40), `i-${'f'.repeat(17)}`, at, 'run-1');
    const clipped = amiName('shop', `weird source!${'y'.repeat(200)}`, at, 'run-1');

    // Assess
    expect(snapshot).toMatch(RDS_IDENTIFIER);
    expect(snapshot.length).toBeLessThanOrEqual(255);
    expect(snapshot.startsWith(dbSnapshotPrefix(awkwardApp))).toBe(true);
    expect(dbSnapshotPrefix(awkwardApp)).toBe('pendulum-a-b-rp-');
    expect(ami).toMatch(AMI_NAME);
    expect(clipped).toMatch(AMI_NAME);
    expect(clipped.length).toBe(128);
    expect(clipped.endsWith(`-20260115T020304Z-${mark}`)).toBe(true);
  });
});
