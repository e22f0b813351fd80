/**
 * The preflight of a plan naming an Aurora global database, against moto: refused before the
 * incident, with the path, when the global database is not there, when the plan's cluster is not
 * its member, and when its member in the recovery region has no instance to serve from.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatPlanPath } from '../../lambdas/plan/plan-references';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { checkGlobalMembers } from '../../lambdas/preflight/check-global-members';
import { createGlobalDatabase } from '../recovery-points/global-database-estate';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const aws = localAwsForTests(RECOVERY);
const rds = (region: string) => new RDSClient({ region });
const clients = { primary: rds(PRIMARY), recovery: rds(RECOVERY) };

const planFor = (cluster: string, global: string): Plan =>
  samplePlanWith((p) => {
    p.tiers[0]?.resources.push({ aurora: { clusterIdentifier: cluster, globalClusterIdentifier: global } });
    p.failback = { ...p.failback, freeze: 'none' };
  });

describe('preflight of Aurora global database members', () => {
  beforeEach(async () => {
    await aws.reset();
  });

  it('passes a global database with an instance in its recovery member', async () => {
    // Prepare
    await createGlobalDatabase(rds, { primary: PRIMARY, recovery: RECOVERY, cluster: 'shop-orders' });
    // Act / Assess
    expect(await checkGlobalMembers(clients, planFor('shop-orders', 'shop-global'))).toEqual([]);
  });

  it('refuses a headless recovery member, saying which and what to add', async () => {
    // Prepare
    await createGlobalDatabase(rds, {
      primary: PRIMARY,
      recovery: RECOVERY,
      cluster: 'shop-orders',
      secondaryInstances: false,
    });
    // Act
    const problems = await checkGlobalMembers(clients, planFor('shop-orders', 'shop-global'));
    // Assess
    expect(problems).toHaveLength(1);
    expect(formatPlanPath(problems[0]?.path ?? [])).toBe(
      'tiers[0].resources[1].aurora.globalClusterIdentifier',
    );
    expect(problems[0]?.message).toMatch(
      /shop-orders-west, the member of shop-global in us-west-2, has no DB instance/,
    );
    expect(problems[0]?.fix).toMatch(/create-db-instance --db-cluster-identifier shop-orders-west/);
  });

  it('refuses a global database that is not there, and a cluster that is not its member', async () => {
    // Prepare
    await createGlobalDatabase(rds, { primary: PRIMARY, recovery: RECOVERY, cluster: 'shop-orders' });
    // Act
    const missing = await checkGlobalMembers(clients, planFor('shop-orders', 'billing-global'));
    const stranger = await checkGlobalMembers(clients, planFor('billing-orders', 'shop-global'));
    // Assess
    expect(missing.map((p) => [p.check, p.message])).toEqual([
      ['missing', expect.stringMatching(/no Aurora global database billing-global/)],
    ]);
    expect(stranger.map((p) => [p.check, p.message])).toEqual([
      [
        'unsupported',
        expect.stringMatching(/billing-orders in us-east-1 is not a member of global database shop-global/),
      ],
    ]);
  });
});
