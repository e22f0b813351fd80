/**
 * The transitional and broken states of finalising an Aurora cluster, which moto (final states at
 * once) cannot show: an RDS client that answers from a fixed set of clusters and records each call.
 */
import type { DBCluster, RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import type { HomeDatabase } from '../../lambdas/failback/failback-run';
import { finaliseHomeClusters } from '../../lambdas/failback/home-finalise-clusters';
import { homeDbIdentifier, staleDbIdentifier } from '../../lambdas/failback/home-names';
import { TAG, tagList } from '../../lambdas/recovery-points/recovery-point';
import { ValidationFailedError } from '../../lambdas/runtime/task-errors';

const run = { app: 'shop', failbackId: 'failback-episode-1', targetRegion: 'us-east-1' };
const SUFFIX = '1a2b3c4d';
const HOME = homeDbIdentifier('shop-aurora', SUFFIX);
const STALE = staleDbIdentifier('shop-aurora', SUFFIX);
const cluster: HomeDatabase = {
  source: 'shop-aurora',
  recoveryId: 'shop-aurora-pf-0f0f0f0f',
  role: 'orders',
  tier: 'data',
  strategy: 'snapshot',
  kind: 'aurora',
};
const homeCluster = (status: string): DBCluster => ({
  DBClusterIdentifier: HOME,
  DBClusterArn: `arn:aws:rds:us-east-1:123456789012:cluster:${HOME}`,
  Status: status,
  TagList: tagList({ [TAG.failback]: run.failbackId }),
});
const staleCluster = (status: string, id = 'shop-aurora'): DBCluster => ({
  DBClusterIdentifier: id,
  DBClusterArn: `arn:aws:rds:us-east-1:123456789012:cluster:${id}`,
  Status: status,
  DBClusterMembers: [{ DBInstanceIdentifier: 'orders-writer', IsClusterWriter: true }],
  TagList: tagList({ team: 'orders' }),
});

/** Answers DescribeDBClusters from `clusters`; ModifyDBCluster with `modify` (nothing by default). */
function rdsWith(clusters: DBCluster[], modify: () => unknown = () => ({})) {
  const asked: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      asked.push({ command: command.constructor.name, input: command.input });
      if (command.constructor.name === 'DescribeDBClustersCommand') {
        const ids = (command.input.Filters as { Values: string[] }[] | undefined)?.[0]?.Values ?? [
          command.input.DBClusterIdentifier as string,
        ];
        return { DBClusters: clusters.filter((c) => ids.includes(c.DBClusterIdentifier ?? '')) };
      }
      if (command.constructor.name === 'ModifyDBClusterCommand') return modify();
      return {};
    },
  } as unknown as RDSClient;
  const changes = () => asked.filter((a) => a.command !== 'DescribeDBClustersCommand');
  return { client, changes, asked };
}

describe('finalising an Aurora cluster', () => {
  it('waits, changing nothing, while the home cluster is not available yet', async () => {
    // Prepare
    const { client, changes } = rdsWith([homeCluster('creating'), staleCluster('available')]);

    // Act
    const result = await finaliseHomeClusters(client, run, [cluster], SUFFIX);

    // Assess
    expect(result.renamed).toBe(0);
    expect(result.clusters[0]).toMatchObject({ waiting: `${HOME} is creating`, staleId: STALE });
    expect(changes()).toEqual([]);
  });

  it('refuses a broken home or stale cluster rather than waiting for it', async () => {
    for (const clusters of [
      [homeCluster('inaccessible-encryption-credentials'), staleCluster('available')],
      [homeCluster('available'), staleCluster('failed')],
    ]) {
      const { client, changes } = rdsWith(clusters);
      await expect(finaliseHomeClusters(client, run, [cluster], SUFFIX)).rejects.toThrow(
        ValidationFailedError,
      );
      expect(changes()).toEqual([]);
    }
  });

  it('waits while the stale cluster still holds the name the home cluster is to take', async () => {
    // Prepare: the stale one set aside already, its rename not through yet
    const taken = Object.assign(new Error('DB cluster already exists'), {
      name: 'DBClusterAlreadyExistsFault',
    });
    const { client, changes } = rdsWith([homeCluster('available'), staleCluster('available', STALE)], () => {
      throw taken;
    });

    // Act
    const result = await finaliseHomeClusters(client, run, [cluster], SUFFIX);

    // Assess
    expect(result.clusters[0]).toMatchObject({ waiting: 'shop-aurora is still being renamed' });
    expect(result.renamed).toBe(0);
    expect(
      changes().map((c) => [c.command, c.input.DBClusterIdentifier, c.input.NewDBClusterIdentifier]),
    ).toEqual([['ModifyDBClusterCommand', HOME, 'shop-aurora']]);
  });

  it('tags the stale instances before the stale cluster, and renames the cluster only after both', async () => {
    // Prepare
    const { client, changes } = rdsWith([homeCluster('available'), staleCluster('available')]);

    // Act
    await finaliseHomeClusters(client, run, [cluster], SUFFIX);

    // Assess
    expect(changes().map((c) => [c.command, c.input.ResourceName ?? c.input.DBClusterIdentifier])).toEqual([
      ['AddTagsToResourceCommand', 'arn:aws:rds:us-east-1:123456789012:db:orders-writer'],
      ['AddTagsToResourceCommand', 'arn:aws:rds:us-east-1:123456789012:cluster:shop-aurora'],
      ['ModifyDBClusterCommand', 'shop-aurora'],
      ['ModifyDBClusterCommand', HOME],
    ]);
  });

  it('leaves DB instances alone: with no cluster among the databases it asks RDS nothing', async () => {
    // Prepare
    const { client, asked } = rdsWith([]);

    // Act
    const result = await finaliseHomeClusters(client, run, [{ ...cluster, kind: 'rds' }], SUFFIX);

    // Assess
    expect(result).toEqual({ clusters: [], renamed: 0 });
    expect(asked).toEqual([]);
  });
});
