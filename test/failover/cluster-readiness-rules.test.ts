import type { DBCluster, DBInstance } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { clusterReadiness, membersToCreate } from '../../lambdas/failover/cluster-readiness-rules';

const ids = ['shop-aurora-pf-1a2b3c4d-1', 'shop-aurora-pf-1a2b3c4d-2', 'shop-aurora-pf-1a2b3c4d-3'];
const [writer = '', reader = '', other = ''] = ids;
const cluster = (fields: Partial<DBCluster> = {}): DBCluster => ({
  DBClusterIdentifier: 'shop-aurora-pf-1a2b3c4d',
  Status: 'available',
  DBClusterMembers: ids.map((id, i) => ({ DBInstanceIdentifier: id, IsClusterWriter: i === 0 })),
  ...fields,
});
const instances = (status: Record<string, string>): Map<string, DBInstance> =>
  new Map(Object.entries(status).map(([id, s]) => [id, { DBInstanceIdentifier: id, DBInstanceStatus: s }]));
const allAvailable = instances({ [writer]: 'available', [reader]: 'available', [other]: 'available' });

describe('which instances of a restored cluster to create next', () => {
  it('creates none while the cluster is not available (or not visible yet)', () => {
    // Prepare / Act
    const answers = [
      membersToCreate(undefined, ids, new Set()),
      membersToCreate(cluster({ Status: 'creating' }), ids, new Set()),
    ];
    // Assess
    expect(answers).toEqual([[], []]);
  });

  it('creates the writer first, and the readers only once a describe shows the writer', () => {
    // Prepare
    const available = cluster({ DBClusterMembers: [] });
    // Act
    const first = membersToCreate(available, ids, new Set());
    const second = membersToCreate(available, ids, new Set([writer]));
    const third = membersToCreate(available, ids, new Set([writer, reader]));
    // Assess
    expect(first).toEqual([writer]);
    expect(second).toEqual([reader, other]);
    expect(third).toEqual([other]);
  });
});

describe('readiness of a restored cluster', () => {
  it('is not yet visible right after the restore, and broken if it disappears after being seen', () => {
    expect(clusterReadiness(undefined, ids, new Map(), false)).toEqual({
      verdict: 'waiting',
      state: 'not-visible-yet',
    });
    expect(clusterReadiness(undefined, ids, new Map(), true)).toEqual({
      verdict: 'broken',
      state: 'missing',
    });
  });

  it('waits while the cluster is being restored, and is broken in a state it never leaves', () => {
    expect(clusterReadiness(cluster({ Status: 'creating' }), ids, allAvailable, true)).toEqual({
      verdict: 'waiting',
      state: 'creating',
    });
    expect(clusterReadiness(cluster({ Status: 'incompatible-restore' }), ids, allAvailable, true)).toEqual({
      verdict: 'broken',
      state: 'incompatible-restore',
    });
  });

  it('waits for every instance to exist and be available; a failed instance breaks the cluster', () => {
    // Prepare
    const notYet = instances({ [writer]: 'available', [reader]: 'creating' });
    const failed = instances({ [writer]: 'available', [reader]: 'failed', [other]: 'available' });
    const creating = instances({ [writer]: 'available', [reader]: 'creating', [other]: 'available' });
    // Act / Assess
    expect(clusterReadiness(cluster(), ids, notYet, true)).toEqual({
      verdict: 'waiting',
      state: `${reader} creating`,
    });
    expect(clusterReadiness(cluster(), [writer, other], notYet, true)).toEqual({
      verdict: 'waiting',
      state: `${other} not-visible-yet`,
    });
    expect(clusterReadiness(cluster(), ids, creating, true).verdict).toBe('waiting');
    expect(clusterReadiness(cluster(), ids, failed, true)).toEqual({
      verdict: 'broken',
      state: `${reader} failed`,
    });
  });

  it('is ready only once one of its instances is the cluster writer, whichever it is', () => {
    // Prepare: no writer elected yet; then RDS failed the writer over to the second instance.
    const noWriter = cluster({
      DBClusterMembers: ids.map((id) => ({ DBInstanceIdentifier: id, IsClusterWriter: false })),
    });
    const failedOver = cluster({
      DBClusterMembers: ids.map((id) => ({ DBInstanceIdentifier: id, IsClusterWriter: id === reader })),
    });
    // Act / Assess
    expect(clusterReadiness(noWriter, ids, allAvailable, true)).toEqual({
      verdict: 'waiting',
      state: 'writer-not-elected',
    });
    expect(clusterReadiness(cluster(), ids, allAvailable, true)).toEqual({
      verdict: 'ready',
      state: 'available',
    });
    expect(clusterReadiness(failedOver, ids, allAvailable, true)).toEqual({
      verdict: 'ready',
      state: 'available',
    });
  });
});
