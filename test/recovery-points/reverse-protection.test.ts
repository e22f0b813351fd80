import { describe, expect, it } from 'vitest';
import { protectionFor } from '../../lambdas/recovery-points/active-protection';
import { type CaptureContext, pointTags } from '../../lambdas/recovery-points/capture';
import { pointFromTags, REVERSE_POINT_KIND, TAG } from '../../lambdas/recovery-points/recovery-point';
import {
  amiName,
  dbSnapshotIdentifier,
  dbSnapshotPrefix,
  reverseDbSnapshotPrefix,
  runMark,
} from '../../lambdas/recovery-points/recovery-point-names';
import { APP_STATUSES } from '../../lambdas/state/app-status';

const regions = { primaryRegion: 'us-east-1', recoveryRegion: 'us-west-2' };

describe('which way protection runs', () => {
  it('protects the primary estate into the recovery region while the app runs in the primary', () => {
    // Act, Assess
    for (const status of ['PRIMARY_ACTIVE', 'FAILOVER_FAILED'] as const)
      expect(protectionFor({ status }, regions)).toEqual({
        protect: true,
        active: { direction: 'forward', captureRegion: 'us-east-1', copyRegion: 'us-west-2' },
      });
  });

  it('protects the recovered estate into the primary while failed over, with the failover outcome it runs from', () => {
    // Act, Assess
    for (const status of ['FAILED_OVER', 'FAILBACK_FAILED'] as const)
      expect(
        protectionFor({ status, outcomeKey: 'runs/shop/f/outcome.json', failoverId: 'f-1' }, regions),
      ).toEqual({
        protect: true,
        active: {
          direction: 'reverse',
          captureRegion: 'us-west-2',
          copyRegion: 'us-east-1',
          outcomeKey: 'runs/shop/f/outcome.json',
          failoverId: 'f-1',
        },
      });
  });

  it('holds while a workflow moves production, and when failed over without an outcome to protect from', () => {
    // Act, Assess
    expect(protectionFor({ status: 'FAILING_OVER' }, regions)).toEqual({
      protect: false,
      reason: 'skipped: the app is FAILING_OVER',
    });
    expect(protectionFor({ status: 'FAILING_BACK' }, regions)).toEqual({
      protect: false,
      reason: 'skipped: the app is FAILING_BACK',
    });
    expect(protectionFor({ status: 'FAILED_OVER' }, regions)).toMatchObject({ protect: false });
    // Every status has an answer.
    for (const status of APP_STATUSES)
      expect(protectionFor({ status, outcomeKey: 'k' }, regions)).toBeDefined();
  });
});

describe('reverse points', () => {
  const at = new Date('2026-01-15T02:03:04.567Z');
  const ctx: CaptureContext = {
    app: 'shop',
    tier: 'app',
    protectRun: 'run-1',
    direction: 'reverse',
    captureRegion: 'us-west-2',
    copyRegion: 'us-east-1',
    failoverId: 'f-1',
    noReboot: true,
    copyKey: async () => ({ encrypt: false }),
    now: at,
  };

  it('are tagged as reverse points, with the primary resource they stand in for and the failover episode', () => {
    // Act
    const tags = pointTags(ctx, {
      kind: 'ec2',
      id: 'i-recovered',
      role: 'web',
      tier: 'app',
      origin: 'i-stale',
    });

    // Assess
    expect(tags).toEqual({
      [TAG.app]: 'shop',
      [TAG.tier]: 'app',
      [TAG.role]: 'web',
      [TAG.source]: 'i-recovered',
      [TAG.takenAt]: at.toISOString(),
      [TAG.protectRun]: 'run-1',
      [TAG.kind]: REVERSE_POINT_KIND,
      [TAG.origin]: 'i-stale',
      [TAG.failover]: 'f-1',
    });
    expect(pointFromTags('ami', 'ami-1', tags, 'available')).toMatchObject({
      source: 'i-recovered',
      origin: 'i-stale',
    });
    // Forward points carry neither.
    const forward = pointTags(
      { ...ctx, direction: 'forward' },
      { kind: 'ec2', id: 'i-1', role: 'web', tier: 'app' },
    );
    expect(forward[TAG.kind]).toBe('recovery-point');
    expect(forward).not.toHaveProperty(TAG.origin);
    expect(forward).not.toHaveProperty(TAG.failover);
  });

  it('are named apart from forward points, under the prefix only reverse grants reach', () => {
    // Act
    const ami = amiName('shop', 'i-recovered', at, 'run-1', 'reverse');
    const snapshot = dbSnapshotIdentifier('shop', 'shop-db-pf-1a2b3c4d', at, 'run-1', 'reverse');

    // Assess
    expect(ami).toBe(`pendulum-shop-rv-i-recovered-20260115T020304Z-${runMark('run-1')}`);
    expect(snapshot).toBe(`pendulum-shop-rv-shop-db-pf-1a2b3c4d-20260115t020304z-${runMark('run-1')}`);
    expect(snapshot.startsWith(reverseDbSnapshotPrefix('shop'))).toBe(true);
    expect(snapshot.startsWith(dbSnapshotPrefix('shop'))).toBe(false);
  });
});
