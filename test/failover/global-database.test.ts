/**
 * Promoting the recovery region's member of an Aurora global database, against moto and the
 * global-cluster double (moto keeps the global database, the double who writes): a switchover or
 * a failover makes it the writer, a retry finds it done, and a region with no member is refused.
 */

import { RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  describeGlobalDatabase,
  globalPromotionDone,
  promoteGlobalMember,
} from '../../lambdas/failover/global-database';
import { createGlobalDatabase } from '../recovery-points/global-database-estate';
import { localAwsForTests } from '../support/local-aws';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const aws = localAwsForTests(RECOVERY);
const rds = (region: string) => new RDSClient({ region });

describe('promoting a global database member', () => {
  beforeEach(async () => {
    // Prepare: a global database written in the primary region, read in the recovery region.
    await aws.reset();
    await createGlobalDatabase(rds, {
      primary: PRIMARY,
      recovery: RECOVERY,
      cluster: 'shop-orders',
      secondaryInstances: false,
    });
  });

  it('switches over to the recovery member, and a retry finds it done', async () => {
    // Prepare
    const before = await describeGlobalDatabase(rds(RECOVERY), 'shop-global');
    if (!before) throw new Error('no global database');

    // Act
    const first = await promoteGlobalMember(rds(RECOVERY), before, RECOVERY, 'switchover');
    const after = await describeGlobalDatabase(rds(RECOVERY), 'shop-global');
    const again = await promoteGlobalMember(rds(RECOVERY), after ?? before, RECOVERY, 'switchover');

    // Assess
    expect(globalPromotionDone(before, RECOVERY)).toBe(false);
    expect(first).toMatchObject({ asked: 'switchover', target: { clusterIdentifier: 'shop-orders-west' } });
    expect(after?.members).toEqual([
      expect.objectContaining({ region: PRIMARY, clusterIdentifier: 'shop-orders', writer: false }),
      expect.objectContaining({ region: RECOVERY, clusterIdentifier: 'shop-orders-west', writer: true }),
    ]);
    expect(globalPromotionDone(after, RECOVERY)).toBe(true);
    expect(again.asked).toBe('already');
  });

  it('fails over when the primary is down, and switches back over later', async () => {
    // Prepare
    const before = await describeGlobalDatabase(rds(RECOVERY), 'shop-global');
    if (!before) throw new Error('no global database');

    // Act: fail over to the recovery region, then (failback) switch over to the primary again.
    await promoteGlobalMember(rds(RECOVERY), before, RECOVERY, 'failover');
    const failedOver = await describeGlobalDatabase(rds(PRIMARY), 'shop-global');
    await promoteGlobalMember(rds(PRIMARY), failedOver ?? before, PRIMARY, 'switchover');
    const back = await describeGlobalDatabase(rds(PRIMARY), 'shop-global');

    // Assess
    expect(globalPromotionDone(failedOver, RECOVERY)).toBe(true);
    expect(globalPromotionDone(back, PRIMARY)).toBe(true);
    expect(globalPromotionDone(back, RECOVERY)).toBe(false);
  });

  it('refuses a region the global database has no member in', async () => {
    // Prepare
    const db = await describeGlobalDatabase(rds(RECOVERY), 'shop-global');
    if (!db) throw new Error('no global database');

    // Act / Assess
    await expect(promoteGlobalMember(rds('eu-west-1'), db, 'eu-west-1', 'failover')).rejects.toThrow(
      /global database shop-global has no cluster in eu-west-1; its members are in us-east-1, us-west-2/,
    );
    expect(await describeGlobalDatabase(rds(RECOVERY), 'nope')).toBeUndefined();
  });
});
