/**
 * finalise-home with an Aurora cluster, against moto, through the real handler under its
 * synthesized role: the stale primary cluster (under the plan's identifier, with instances the
 * estate named) is set aside as `<source>-stale-<episode>`, it and its instances tagged stale, and
 * the home cluster `<source>-fb-<episode>` takes the plan's identifier.
 */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  type DBCluster,
  DescribeDBClustersCommand,
  ListTagsForResourceCommand,
  StopDBClusterCommand,
} from '@aws-sdk/client-rds';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore, runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import { FAILBACK_ARTIFACTS, type FailbackResourcePlan } from '../../lambdas/failback/failback-run';
import { type HomeInventory, homeInventoryKey } from '../../lambdas/failback/home-inventory';
import {
  FAILBACK_TAG,
  failbackTags,
  homeDbIdentifier,
  staleDbIdentifier,
} from '../../lambdas/failback/home-names';
import { saveWriteFreeze } from '../../lambdas/failback/write-freeze';
import { episodeSuffix } from '../../lambdas/failover/failover-run';
import { makeFinaliseHomeHandler } from '../../lambdas/handlers/finalise-home';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { TAG, tagList, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { localIamFor } from '../../local/iam/local-iam';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { lambdaFunctions } from '../../local/synthesized-app';
import { sampleFailbackRun } from '../support/failback-run';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const SOURCE = 'shop-aurora';
const ENV_KEYS = ['PENDULUM_PLAN', 'STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME', 'AWS_REGION'] as const;

const run = sampleFailbackRun();
const suffix = episodeSuffix(run.failbackId);
const homeId = homeDbIdentifier(SOURCE, suffix);
const staleId = staleDbIdentifier(SOURCE, suffix);
const recoveryId = `${SOURCE}-pf-1a2b3c4d`;

const resources: FailbackResourcePlan = {
  targetRegion: PRIMARY,
  recoveryRegion: RECOVERY,
  instances: [],
  databases: [
    { source: SOURCE, recoveryId, role: 'orders', tier: 'data', strategy: 'snapshot', kind: 'aurora' },
  ],
  stale: [],
  retire: [],
  unknown: [],
  decisions: [],
};

const rds = () => createAwsClients().rds(PRIMARY);

async function cluster(identifier: string, tags: Record<string, string>, members: string[], protect = false) {
  await rds().send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: identifier,
      Engine: 'aurora-postgresql',
      MasterUsername: 'orders',
      MasterUserPassword: 'orders-password',
      DeletionProtection: protect,
      Tags: tagList(tags),
    }),
  );
  for (const member of members)
    await rds().send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: member,
        DBClusterIdentifier: identifier,
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
        Tags: tagList(tags),
      }),
    );
}

async function describe1(identifier: string): Promise<DBCluster | undefined> {
  const { DBClusters = [] } = await rds().send(
    new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-id', Values: [identifier] }] }),
  );
  return DBClusters[0];
}

async function instanceTags(identifier: string): Promise<Record<string, string>> {
  const { TagList } = await rds().send(
    new ListTagsForResourceCommand({ ResourceName: `arn:aws:rds:${PRIMARY}:123456789012:db:${identifier}` }),
  );
  return tagMap(TagList);
}

describe('finalise-home with an Aurora cluster', { timeout: 120_000 }, () => {
  const aws = localAwsForTests(RECOVERY);
  const plan: Plan = samplePlanWith((p) => {
    p.tiers[0]?.resources.push({ aurora: { clusterIdentifier: SOURCE, role: 'orders' } });
    p.failback = { ...p.failback, freeze: 'none' };
  });
  let stack: LocalStack;
  let artifacts: ArtifactStore;
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

  /** The handler as its deployed task runs it: its calls authorized against its synthesized role. */
  const finalise = (event: unknown) => {
    const iam = localIamFor(stack.template, {
      region: stack.region,
      stackName: stack.stackName,
      accountId: '123456789012',
    });
    const fn = lambdaFunctions(stack.template).find(
      (f) => f.handlerModule === 'lambdas/handlers/finalise-home.ts',
    );
    if (!fn) throw new Error('no task runs finalise-home');
    return iam.runAs(fn, () => makeFinaliseHomeHandler()(event));
  };
  const inventory = () => artifacts.getJsonIfExists<HomeInventory>(homeInventoryKey(run));

  beforeEach(async () => {
    await aws.reset();
    stack = await deployLocalStack(plan);
    Object.assign(process.env, {
      PENDULUM_PLAN: JSON.stringify(plan),
      STATE_TABLE_NAME: stack.tableName,
      ARTIFACT_BUCKET_NAME: stack.bucketName,
      AWS_REGION: stack.region,
    });
    artifacts = new ArtifactStore(createAwsClients().s3(), stack.bucketName);
    await artifacts.putJson(runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation), {
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      resources,
    });
    await artifacts.putJson(homeInventoryKey(run), {
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      region: PRIMARY,
      recoveryRegion: RECOVERY,
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      resources: [
        {
          kind: 'aurora',
          role: 'orders',
          tier: 'data',
          source: SOURCE,
          recoveryId,
          strategy: 'snapshot',
          homeId,
          state: 'available',
          members: [`${homeId}-1`, `${homeId}-2`],
          created: true,
        },
      ],
    } satisfies HomeInventory);
    await saveWriteFreeze(artifacts, run.app, {
      failbackId: run.failbackId,
      runId: run.runId,
      mode: 'none',
      requestedAt: new Date().toISOString(),
      databases: [],
    });
  });
  afterEach(() => {
    for (const key of ENV_KEYS)
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
  });

  /** The home cluster as sync-home leaves it, and the stale primary with the estate's instances. */
  async function homeAndStale(stale: { protect?: boolean } = {}) {
    const homeTags = failbackTags(run, { tier: 'data', role: 'orders', source: SOURCE });
    await cluster(homeId, homeTags, [`${homeId}-1`, `${homeId}-2`]);
    await cluster(SOURCE, { team: 'orders' }, ['orders-writer', 'orders-reader'], stale.protect);
  }

  it('sets the stale cluster aside with its instances tagged, gives the home one the name; a second call does nothing', async () => {
    // Prepare
    await homeAndStale({ protect: true });

    // Act
    const first = await finalise({ run });
    const second = await finalise({ run });

    // Assess
    expect(first).toMatchObject({ finished: true, renamed: 2, promoted: 0, databases: 1 });
    expect(second).toMatchObject({ finished: true, renamed: 0, databases: 1 });
    // (moto 5.2.1 lists a cluster's members by the name they were created in, not following a
    // rename as RDS does: the members are judged by their tags, not by DBClusterMembers.)
    const home = await describe1(SOURCE);
    expect(tagMap(home?.TagList)[TAG.failback]).toBe(run.failbackId);
    // It carries the stale primary's deletion protection.
    expect(home?.DeletionProtection).toBe(true);
    expect(await describe1(homeId)).toBeUndefined();
    const stale = await describe1(staleId);
    expect(tagMap(stale?.TagList)).toMatchObject({ team: 'orders', [FAILBACK_TAG.stale]: run.failbackId });
    for (const member of ['orders-writer', 'orders-reader'])
      expect(await instanceTags(member)).toMatchObject({ [FAILBACK_TAG.stale]: run.failbackId });
    // The home cluster's own instances are not stale.
    expect((await instanceTags(`${homeId}-1`))[FAILBACK_TAG.stale]).toBeUndefined();
    const after = await inventory();
    expect(after?.finalisedAt).toBeDefined();
    expect(after?.resources[0]).toMatchObject({
      kind: 'aurora',
      homeId: SOURCE,
      state: 'available',
      endpoint: home?.Endpoint,
      readerEndpoint: home?.ReaderEndpoint,
      staleId,
      promoted: true,
    });
    // The endpoints are the plan's cluster name's now, which is what DNS goes back to.
    expect(home?.Endpoint).toMatch(/^shop-aurora\.cluster-/);
    expect(home?.ReaderEndpoint).toMatch(/^shop-aurora\.cluster-ro-/);
  });

  it('starts a stopped stale cluster and waits for it before renaming anything', async () => {
    // Prepare
    await homeAndStale();
    await rds().send(new StopDBClusterCommand({ DBClusterIdentifier: SOURCE }));

    // Act
    const first = await finalise({ run });
    const second = await finalise({ run });

    // Assess
    expect(first).toMatchObject({ finished: false, renamed: 0 });
    expect(first.waiting).toEqual([`stale cluster ${SOURCE} is starting to be renamed`]);
    expect(second).toMatchObject({ finished: true, renamed: 2 });
    expect(tagMap((await describe1(SOURCE))?.TagList)[TAG.failback]).toBe(run.failbackId);
  });

  it('refuses when sync-home has made no home cluster, or when both stale names are taken', async () => {
    // Prepare: only the stale primary
    await cluster(SOURCE, { team: 'orders' }, []);

    // Act / Assess
    await expect(finalise({ run })).rejects.toMatchObject({
      name: 'ValidationFailedError',
      message: expect.stringMatching(/no home cluster for shop-aurora in us-east-1/),
    });

    // Prepare: the home cluster, and a stale one already set aside under the stale name too
    await cluster(homeId, failbackTags(run, { tier: 'data', role: 'orders', source: SOURCE }), []);
    await cluster(staleId, { team: 'orders' }, []);

    // Act / Assess
    await expect(finalise({ run })).rejects.toMatchObject({
      name: 'ValidationFailedError',
      message: expect.stringMatching(/both clusters shop-aurora and shop-aurora-stale-/),
    });
    expect(tagMap((await describe1(SOURCE))?.TagList)[FAILBACK_TAG.stale]).toBeUndefined();
  });
});
