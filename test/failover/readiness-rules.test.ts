import type { Instance } from '@aws-sdk/client-ec2';
import type { DBInstance } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { databaseReadiness, instanceReadiness } from '../../lambdas/failover/readiness-rules';

const instance = (state: string): Instance => ({ InstanceId: 'i-0abc', State: { Name: state as never } });
const db = (fields: Partial<DBInstance>): DBInstance => ({ DBInstanceIdentifier: 'shop-db', ...fields });

describe('readiness of a recovered instance', () => {
  it('is not yet visible, not broken, when no describe has returned it yet', () => {
    expect(instanceReadiness(undefined, false)).toEqual({ verdict: 'waiting', state: 'not-visible-yet' });
  });

  it('is broken when a describe returned it before and no longer does', () => {
    expect(instanceReadiness(undefined, true)).toEqual({ verdict: 'broken', state: 'missing' });
  });

  it('is ready running, waiting pending, broken once it stops or terminates', () => {
    expect(
      ['running', 'pending', 'stopped', 'terminated'].map((s) => instanceReadiness(instance(s), true)),
    ).toEqual([
      { verdict: 'ready', state: 'running' },
      { verdict: 'waiting', state: 'pending' },
      { verdict: 'broken', state: 'stopped' },
      { verdict: 'broken', state: 'terminated' },
    ]);
  });
});

describe('readiness of a recovered database', () => {
  const restored = { seenBefore: false, promotedReplica: false };
  const promoted = { seenBefore: true, promotedReplica: true };

  it('is not yet visible right after the restore, and broken if it disappears after being seen', () => {
    expect(databaseReadiness(undefined, restored)).toEqual({ verdict: 'waiting', state: 'not-visible-yet' });
    expect(databaseReadiness(undefined, { ...restored, seenBefore: true })).toEqual({
      verdict: 'broken',
      state: 'missing',
    });
  });

  it('a restore is ready when available, waiting while creating, broken when failed', () => {
    expect(databaseReadiness(db({ DBInstanceStatus: 'available' }), restored).verdict).toBe('ready');
    expect(databaseReadiness(db({ DBInstanceStatus: 'creating' }), restored).verdict).toBe('waiting');
    expect(databaseReadiness(db({ DBInstanceStatus: 'failed' }), restored).verdict).toBe('broken');
  });

  it('a promoted replica still naming its source is promoting, even while it says available', () => {
    // Prepare: what early describes show right after PromoteReadReplica
    const early = db({
      DBInstanceStatus: 'available',
      ReadReplicaSourceDBInstanceIdentifier: 'arn:aws:rds:us-east-1:123456789012:db:shop-db',
    });
    // Act, Assess
    expect(databaseReadiness(early, promoted)).toEqual({ verdict: 'waiting', state: 'promoting' });
  });

  it('a promoted replica rebooting as a standalone is waiting with its status', () => {
    const modifying = db({ DBInstanceStatus: 'modifying', ReadReplicaSourceDBInstanceIdentifier: 'shop-db' });
    expect(databaseReadiness(modifying, promoted)).toEqual({ verdict: 'waiting', state: 'modifying' });
    expect(databaseReadiness(db({ DBInstanceStatus: 'modifying' }), promoted)).toEqual({
      verdict: 'waiting',
      state: 'modifying',
    });
  });

  it('a replica of an Aurora cluster is promoted only once it no longer names the cluster', () => {
    const clusterReplica = db({
      DBInstanceStatus: 'available',
      ReadReplicaSourceDBClusterIdentifier: 'shop-cluster',
    });
    expect(databaseReadiness(clusterReplica, promoted).verdict).toBe('waiting');
  });

  it('a promoted replica is ready when available and no longer a replica', () => {
    expect(databaseReadiness(db({ DBInstanceStatus: 'available' }), promoted)).toEqual({
      verdict: 'ready',
      state: 'available',
    });
  });
});
