/**
 * Recovering a tier whose Aurora cluster is a global database member, against moto and the
 * global-cluster double: recoverTier promotes the recovery region's member (a switchover while the
 * primary region answers, a failover allowing data loss when its API does not), restores nothing,
 * and assessTier calls it ready on its own writer instance once the promotion is done.
 */

import { DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeGlobalDatabase } from '../../lambdas/failover/global-database';
import { promotionFor } from '../../lambdas/failover/global-recovery';
import { assessTier, HEADLESS_MEMBER, recoverTier } from '../../lambdas/failover/recover-tier';
import type { SelectedResource } from '../../lambdas/failover/recovery-selection';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { createGlobalDatabase } from '../recovery-points/global-database-estate';
import { localAwsForTests } from '../support/local-aws';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const aws = localAwsForTests(RECOVERY);
const rds = (region: string) => new RDSClient({ region });

/** The plan's cluster as selection hands it over: its point is the global database. */
const member: SelectedResource = {
  kind: 'aurora',
  source: 'shop-orders',
  role: 'orders',
  tier: 'data',
  point: {
    kind: 'global-member',
    id: 'shop-global',
    source: 'shop-orders',
    role: 'orders',
    tier: 'data',
    takenAt: '2026-12-03T00:00:00.000Z',
    protectRun: '',
    state: 'available',
  },
  ageSeconds: 0,
  withinRpo: true,
  replicationLag: 'unknown',
};

const request = {
  app: 'shop',
  region: RECOVERY,
  episode: { tagKey: 'pendulum:failover', id: 'fo-1' },
  runId: 'run-1',
  resources: [member],
  placements: {},
};

/** Clients whose primary-region RDS endpoint refuses connections: that region's API is down. */
function primaryDown(): AwsClients {
  const clients = createAwsClients();
  const dead = new RDSClient({ region: PRIMARY, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  return { ...clients, rds: (region: string) => (region === PRIMARY ? dead : clients.rds(region)) };
}

function globalEstate(options: { secondaryInstances: boolean }): Promise<void> {
  return createGlobalDatabase(rds, {
    primary: PRIMARY,
    recovery: RECOVERY,
    cluster: 'shop-orders',
    ...options,
  });
}

describe('recovering a global database member', () => {
  beforeEach(async () => {
    await aws.reset();
  });

  it('switches over to the recovery member while the primary answers, restoring nothing', async () => {
    // Prepare
    await globalEstate({ secondaryInstances: true });
    const clients = createAwsClients();

    // Act
    const [recovered] = await recoverTier(clients, request);
    const again = await recoverTier(clients, request);
    const assessed = await assessTier(
      clients,
      RECOVERY,
      [recovered ?? again[0]].flatMap((r) => r ?? []),
    );

    // Assess
    const west = (
      await rds(RECOVERY).send(new DescribeDBClustersCommand({ DBClusterIdentifier: 'shop-orders-west' }))
    ).DBClusters?.[0];
    expect(recovered).toMatchObject({
      kind: 'aurora',
      recoveredId: 'shop-orders-west',
      created: false,
      endpoint: west?.Endpoint,
      readerEndpoint: west?.ReaderEndpoint,
      members: [{ id: 'shop-orders-west-1', writer: true }],
      globalPromotion: { globalClusterIdentifier: 'shop-global', how: 'switchover', dataLossAllowed: false },
    });
    // A retry reads back how this episode promoted it.
    expect(again[0]?.globalPromotion?.how).toBe('switchover');
    expect(assessed.ready).toBe(true);
    // Nothing restored: the recovery region holds only the global database's own member.
    const all = await rds(RECOVERY).send(new DescribeDBClustersCommand({}));
    expect((all.DBClusters ?? []).map((c) => c.DBClusterIdentifier)).toEqual(['shop-orders-west']);
  });

  it('fails over allowing data loss when the primary region API does not answer', async () => {
    // Prepare
    await globalEstate({ secondaryInstances: true });

    // Act
    const [recovered] = await recoverTier(primaryDown(), request);

    // Assess
    expect(recovered?.globalPromotion).toEqual({
      globalClusterIdentifier: 'shop-global',
      how: 'failover',
      dataLossAllowed: true,
    });
    expect((await assessTier(primaryDown(), RECOVERY, recovered ? [recovered] : [])).ready).toBe(true);
  });

  it('reports the data loss a failover allowed on a retry too, and `already` to another episode', async () => {
    // Prepare: the failover was accepted, then the task was retried (its answer lost)
    await globalEstate({ secondaryInstances: true });
    await recoverTier(primaryDown(), request);

    // Act
    const [retried] = await recoverTier(primaryDown(), request);
    const [other] = await recoverTier(primaryDown(), {
      ...request,
      episode: { ...request.episode, id: 'fo-2' },
    });

    // Assess
    expect(retried?.globalPromotion).toEqual({
      globalClusterIdentifier: 'shop-global',
      how: 'failover',
      dataLossAllowed: true,
    });
    expect(other?.globalPromotion).toMatchObject({ how: 'already', dataLossAllowed: false });
  });

  it('calls a secondary with no instances broken rather than waiting for a writer that never comes', async () => {
    // Prepare
    await globalEstate({ secondaryInstances: false });
    const clients = createAwsClients();

    // Act
    const recovered = await recoverTier(clients, request);
    const assessed = await assessTier(clients, RECOVERY, recovered);

    // Assess
    expect(assessed.broken).toEqual([{ id: 'shop-orders-west', state: HEADLESS_MEMBER }]);
  });

  it('refuses to promote a member in a drill, leaving the primary the writer', async () => {
    // Prepare
    await globalEstate({ secondaryInstances: true });

    // Act / Assess
    await expect(recoverTier(createAwsClients(), { ...request, dbMarker: 'dr' })).rejects.toThrow(
      /a drill does not promote shop-global/,
    );
    const db = await describeGlobalDatabase(rds(RECOVERY), 'shop-global');
    expect(db?.members.find((m) => m.writer)?.clusterIdentifier).toBe('shop-orders');
  });

  it('chooses switchover when the writer region answers, failover when it does not', () => {
    expect(promotionFor(true)).toBe('switchover');
    expect(promotionFor(false)).toBe('failover');
  });
});
