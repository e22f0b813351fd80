/**
 * sync-home cannot bring an Aurora cluster home yet: a reconciliation that plans one stops the
 * task before anything is made or written, against moto (the bucket it reads the plan from).
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArtifactStore, runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import {
  FAILBACK_ARTIFACTS,
  type FailbackResourcePlan,
  type FailbackRun,
} from '../../lambdas/failback/failback-run';
import { homeInventoryKey } from '../../lambdas/failback/home-inventory';
import { makeSyncHomeHandler } from '../../lambdas/handlers/sync-home';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { WrongStateError } from '../../lambdas/runtime/task-errors';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

vi.mock('../../lambdas/plan/aurora-support', () => ({ auroraRefusal: () => undefined }));

const BUCKET = 'pendulum-shop-artifacts';
const KEYS = ['STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME', 'PENDULUM_PLAN'] as const;

const run: FailbackRun = {
  app: 'shop',
  runId: 'failback-run-1',
  failbackId: 'failback-episode-1',
  failoverId: 'failover-1',
  failoverRunId: 'failover-run-1',
  startedAt: '2026-03-01T12:00:00.000Z',
  sourceRegion: 'us-west-2',
  targetRegion: 'us-east-1',
  strategy: 'cutover',
  steps: [100],
  dryRun: false,
  soakSeconds: 0,
  caps: { syncSeconds: 3600, retireSeconds: 3600 },
  tiers: [{ index: 0, name: 'data', timeoutSeconds: 1800 }],
};

const resources: FailbackResourcePlan = {
  targetRegion: 'us-east-1',
  recoveryRegion: 'us-west-2',
  instances: [],
  databases: [
    {
      source: 'shop-aurora',
      recoveryId: 'shop-aurora-pf-1a2b3c4d',
      role: 'orders',
      tier: 'data',
      strategy: 'snapshot',
      kind: 'aurora',
    },
  ],
  stale: [],
  retire: [],
  unknown: [],
  decisions: [],
};

describe('sync-home with an Aurora cluster to bring home', () => {
  localAwsForTests('us-west-2');
  const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));

  beforeEach(async () => {
    const plan = samplePlanWith((p) => {
      p.tiers[0]?.resources.push({ aurora: { clusterIdentifier: 'shop-aurora', role: 'orders' } });
      p.failback = { ...p.failback, freeze: 'none' };
    });
    process.env.STATE_TABLE_NAME = 'pendulum-shop-state';
    process.env.ARTIFACT_BUCKET_NAME = BUCKET;
    process.env.PENDULUM_PLAN = JSON.stringify(plan);
    const clients = createAwsClients();
    await clients
      .s3()
      .send(new CreateBucketCommand({ Bucket: BUCKET }))
      .catch(() => undefined);
    await new ArtifactStore(clients.s3(), BUCKET).putJson(
      runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation),
      { app: run.app, runId: run.runId, failbackId: run.failbackId, resources },
    );
  });
  afterEach(() => {
    for (const key of KEYS)
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
  });

  it('stops before anything is made, naming the cluster, and writes no home inventory', async () => {
    // Act
    const syncing = makeSyncHomeHandler()({ run });
    // Assess
    await expect(syncing).rejects.toThrow(WrongStateError);
    await expect(syncing).rejects.toThrow(
      /cannot bring Aurora cluster\(s\) shop-aurora-pf-1a2b3c4d home yet/,
    );
    const artifacts = new ArtifactStore(createAwsClients().s3(), BUCKET);
    expect(await artifacts.getJsonIfExists(homeInventoryKey(run))).toBeUndefined();
  });
});
