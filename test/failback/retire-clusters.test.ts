/**
 * Retiring Aurora clusters through the real handlers, each call authorized against its task's
 * synthesized role: the stale primary cluster in the home region (set aside by finalise-home, its
 * instances marked stale) and the recovery cluster failover restored. Instances first, then the
 * cluster with a final cluster snapshot, which is tagged as the final copy; a second call changes
 * nothing; anything not Pendulum's to delete stops the call before anything is deleted.
 */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  type DBClusterSnapshot,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactStore, runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import { FAILBACK_ARTIFACTS, type FailbackResourcePlan } from '../../lambdas/failback/failback-run';
import { FAILBACK_TAG, finalSnapshotIdentifier, staleDbIdentifier } from '../../lambdas/failback/home-names';
import type { RetirementDocument } from '../../lambdas/failback/retire-resources';
import { episodeSuffix } from '../../lambdas/failover/failover-run';
import { makeRetireRecoveryCopiesHandler } from '../../lambdas/handlers/retire-recovery-copies';
import { makeRetireStalePrimaryHandler } from '../../lambdas/handlers/retire-stale-primary';
import { TAG, tagMap } from '../../lambdas/recovery-points/recovery-point';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { ValidationFailedError } from '../../lambdas/runtime/task-errors';
import { iamLedger } from '../../local/iam/iam-enforcer';
import { localIamFor } from '../../local/iam/local-iam';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { lambdaFunctions } from '../../local/synthesized-app';
import { sampleFailbackRun } from '../support/failback-run';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const FAILBACK_ID = 'failback-episode-1';
const SUFFIX = episodeSuffix(FAILBACK_ID);
const STALE = staleDbIdentifier('shop-aurora', SUFFIX);
const RECOVERED = 'shop-aurora-pf-1a2b3c4d';
const clients = () => createAwsClients();
const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

const run = sampleFailbackRun({ failbackId: FAILBACK_ID });

const target = { role: 'orders', tier: 'data' };
const resources: FailbackResourcePlan = {
  targetRegion: PRIMARY,
  recoveryRegion: RECOVERY,
  instances: [],
  databases: [
    { source: 'shop-aurora', recoveryId: RECOVERED, strategy: 'snapshot', kind: 'aurora', ...target },
  ],
  // The stale primary by the plan's identifier (resolved to its set-aside name), the copy by its id.
  stale: [{ kind: 'aurora', id: 'shop-aurora', ...target }],
  retire: [{ kind: 'aurora', id: RECOVERED, ...target }],
  unknown: [],
  decisions: [],
};

/** A cluster and its instances, as finalise-home (home) or failover (recovery) leaves them. */
async function seedCluster(
  region: string,
  cluster: string,
  clusterTags: Record<string, string>,
  members: { id: string; tags: Record<string, string> }[],
  options: { deletionProtection?: boolean } = {},
): Promise<void> {
  const rds = clients().rds(region);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: cluster,
      Engine: 'aurora-postgresql',
      EngineVersion: '15.4',
      MasterUsername: 'orders',
      MasterUserPassword: 'orders-password',
      DeletionProtection: options.deletionProtection ?? false,
      Tags: tags(clusterTags),
    }),
  );
  for (const member of members)
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: member.id,
        DBClusterIdentifier: cluster,
        Engine: 'aurora-postgresql',
        DBInstanceClass: 'db.r6g.large',
        Tags: tags(member.tags),
      }),
    );
}

const staleMark = { [FAILBACK_TAG.stale]: FAILBACK_ID, [TAG.app]: 'shop', team: 'orders' };
const recoveryTags = { [TAG.app]: 'shop', [TAG.tier]: 'data', [TAG.role]: 'orders' };

async function clusterIds(region: string): Promise<string[]> {
  const { DBClusters = [] } = await clients().rds(region).send(new DescribeDBClustersCommand({}));
  return DBClusters.map((c) => c.DBClusterIdentifier ?? '').sort();
}

async function instanceIds(region: string): Promise<string[]> {
  const { DBInstances = [] } = await clients().rds(region).send(new DescribeDBInstancesCommand({}));
  return DBInstances.map((d) => d.DBInstanceIdentifier ?? '').sort();
}

async function clusterSnapshots(region: string): Promise<DBClusterSnapshot[]> {
  const { DBClusterSnapshots = [] } = await clients()
    .rds(region)
    .send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
  return DBClusterSnapshots;
}

/**
 * Clients that see DeleteDBInstance accepted while the instance stays in its cluster, as AWS
 * shows it for minutes while it is `deleting`; moto removes it at once.
 */
function withInstancesStillDeleting(clients: AwsClients): AwsClients {
  return {
    ...clients,
    rds: (region) => {
      const client = clients.rds(region);
      const wrapped = Object.create(client) as typeof client;
      const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (wrapped as { send: unknown }).send = async (command: unknown, ...rest: unknown[]) =>
        command instanceof DeleteDBInstanceCommand
          ? { DBInstance: { DBInstanceStatus: 'deleting' } }
          : send(command, ...rest);
      return wrapped;
    },
  };
}

describe('retiring Aurora clusters', { timeout: 60_000 }, () => {
  const aws = localAwsForTests(RECOVERY);
  const plan = samplePlanWith((p) => {
    p.tiers[0]?.resources.push({ aurora: { clusterIdentifier: 'shop-aurora', role: 'orders' } });
    p.failback = { ...p.failback, freeze: 'none' };
  });
  let stack: LocalStack;
  const saved: Record<string, string | undefined> = {};

  /** The handler as its deployed task runs it: every call authorized against its synthesized role. */
  function asTask<R>(name: string, handler: (event: unknown) => Promise<R>) {
    const iam = localIamFor(stack.template, {
      region: stack.region,
      stackName: stack.stackName,
      accountId: '123456789012',
    });
    const fn = lambdaFunctions(stack.template).find((f) => f.handlerModule === `lambdas/handlers/${name}.ts`);
    if (!fn) throw new Error(`no task runs lambdas/handlers/${name}.ts`);
    return () => iam.runAs(fn, () => handler({ run }));
  }
  const retireStale = (withClients = clients()) =>
    asTask('retire-stale-primary', makeRetireStalePrimaryHandler({ clients: withClients }))();
  const retireCopies = () =>
    asTask('retire-recovery-copies', makeRetireRecoveryCopiesHandler({ clients: clients() }))();

  beforeAll(() => {
    for (const key of ['PENDULUM_PLAN', 'STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME', 'AWS_REGION'])
      saved[key] = process.env[key];
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved))
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  });
  beforeEach(async () => {
    await aws.reset();
    stack = await deployLocalStack(plan);
    Object.assign(process.env, {
      PENDULUM_PLAN: JSON.stringify(plan),
      STATE_TABLE_NAME: stack.tableName,
      ARTIFACT_BUCKET_NAME: stack.bucketName,
      AWS_REGION: stack.region,
    });
    await new ArtifactStore(clients().s3(), stack.bucketName).putJson(
      runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation),
      { app: run.app, runId: run.runId, failbackId: run.failbackId, resources },
    );
    iamLedger.clear();
  });

  it('retires the stale primary cluster: its marked instances, then the cluster with a final snapshot tagged final', async () => {
    // Prepare: the stale cluster set aside by finalise-home, protected from deletion by the estate,
    // its instances under their own names and marked stale; the new primary beside it.
    await seedCluster(
      PRIMARY,
      STALE,
      { team: 'orders' },
      [
        { id: 'orders-writer', tags: staleMark },
        { id: 'orders-reader', tags: staleMark },
      ],
      { deletionProtection: true },
    );
    await seedCluster(PRIMARY, 'shop-aurora', { [TAG.app]: 'shop', [TAG.failback]: FAILBACK_ID }, [
      { id: 'shop-aurora-fb-1', tags: { [TAG.app]: 'shop', [TAG.failback]: FAILBACK_ID } },
    ]);

    // Act
    const first = await retireStale();

    // Assess: instances and cluster gone, the new primary untouched, the final snapshot tagged
    expect(iamLedger.denied()).toEqual([]);
    const finalId = finalSnapshotIdentifier('shop', SUFFIX, 'shop-aurora');
    expect(first).toMatchObject({
      complete: true,
      count: 1,
      retired: [{ kind: 'aurora', id: 'shop-aurora', finalSnapshot: finalId }],
    });
    expect(await clusterIds(PRIMARY)).toEqual(['shop-aurora']);
    expect(await instanceIds(PRIMARY)).toEqual(['shop-aurora-fb-1']);
    const [snapshot, ...others] = await clusterSnapshots(PRIMARY);
    expect(others).toEqual([]);
    expect(snapshot?.DBClusterSnapshotIdentifier).toBe(finalId);
    expect(snapshot?.DBClusterIdentifier).toBe(STALE);
    expect(tagMap(snapshot?.TagList)).toMatchObject({
      [FAILBACK_TAG.final]: 'true',
      [TAG.kind]: 'final',
      [TAG.failback]: FAILBACK_ID,
      [TAG.source]: 'shop-aurora',
    });
    const document = await new ArtifactStore(clients().s3(), stack.bucketName).getJson<RetirementDocument>(
      first.key,
    );
    expect(document.retired).toEqual([
      expect.objectContaining({
        kind: 'aurora',
        id: 'shop-aurora',
        resourceId: STALE,
        members: ['orders-writer', 'orders-reader'],
        outcome: 'retired',
        finalSnapshot: finalId,
      }),
    ]);

    // Act: the state machine calls again
    iamLedger.clear();
    const second = await retireStale();

    // Assess: still retired, nothing deleted or made
    expect(second).toMatchObject({ complete: true, count: 1, retired: [{ finalSnapshot: finalId }] });
    expect(iamLedger.records.filter((r) => /Delete|Create|Modify|AddTags/.test(r.action))).toEqual([]);
    expect(await clusterSnapshots(PRIMARY)).toHaveLength(1);
  });

  it('retires the recovery cluster with its instances, keeping a final snapshot there', async () => {
    // Prepare
    await seedCluster(RECOVERY, RECOVERED, recoveryTags, [
      { id: `${RECOVERED}-1`, tags: recoveryTags },
      { id: `${RECOVERED}-2`, tags: recoveryTags },
    ]);

    // Act
    const first = await retireCopies();

    // Assess
    expect(iamLedger.denied()).toEqual([]);
    const finalId = finalSnapshotIdentifier('shop', SUFFIX, RECOVERED);
    expect(first).toMatchObject({ complete: true, retired: 1, finalSnapshots: [finalId] });
    expect(await clusterIds(RECOVERY)).toEqual([]);
    expect(await instanceIds(RECOVERY)).toEqual([]);
    const snapshots = await clusterSnapshots(RECOVERY);
    expect(snapshots.map((s) => s.DBClusterSnapshotIdentifier)).toEqual([finalId]);
    expect(tagMap(snapshots[0]?.TagList)).toMatchObject({
      [FAILBACK_TAG.final]: 'true',
      [TAG.kind]: 'final',
    });

    // Act: again
    iamLedger.clear();
    const second = await retireCopies();

    // Assess
    expect(second).toMatchObject({ complete: true, retired: 1, finalSnapshots: [finalId] });
    expect(iamLedger.records.filter((r) => /Delete|Create|Modify|AddTags/.test(r.action))).toEqual([]);
  });

  it('waits while the instances are being deleted, and deletes the cluster on a later call', async () => {
    // Prepare
    await seedCluster(PRIMARY, STALE, {}, [
      { id: 'orders-writer', tags: staleMark },
      { id: 'orders-reader', tags: staleMark },
    ]);

    // Act: the instances' deletion is accepted but takes its time
    const first = await retireStale(withInstancesStillDeleting(clients()));

    // Assess: pending, the cluster not asked to be deleted
    expect(first).toMatchObject({
      complete: false,
      count: 0,
      pending: [{ id: 'shop-aurora', reason: expect.stringMatching(/instances .* are being deleted first/) }],
    });
    expect(iamLedger.records.filter((r) => r.action === 'rds:DeleteDBCluster')).toEqual([]);
    expect(await clusterIds(PRIMARY)).toEqual([STALE]);

    // Act: the state machine calls again (with moto's clients, whose deletions are done at once)
    const second = await retireStale();

    // Assess
    expect(second).toMatchObject({ complete: true, count: 1 });
    expect(await clusterIds(PRIMARY)).toEqual([]);
    expect((await clusterSnapshots(PRIMARY)).map((c) => c.DBClusterSnapshotIdentifier)).toEqual([
      finalSnapshotIdentifier('shop', SUFFIX, 'shop-aurora'),
    ]);
  });

  it('an instance of the stale cluster without this failback’s stale mark stops the call before anything is deleted', async () => {
    // Prepare: one instance marked, one not (added by the estate, or marked by another episode)
    await seedCluster(PRIMARY, STALE, {}, [
      { id: 'orders-writer', tags: staleMark },
      { id: 'orders-reader', tags: { [FAILBACK_TAG.stale]: 'another-episode' } },
    ]);

    // Act
    const retiring = retireStale();

    // Assess
    await expect(retiring).rejects.toThrow(ValidationFailedError);
    await expect(retiring).rejects.toThrow(/orders-reader of stale cluster .* lack the pendulum:stale/);
    expect(await clusterIds(PRIMARY)).toEqual([STALE]);
    expect(await instanceIds(PRIMARY)).toEqual(['orders-reader', 'orders-writer']);
    expect(await clusterSnapshots(PRIMARY)).toEqual([]);
  });

  it('a stale cluster still under the plan’s identifier (not set aside by finalise-home) is not deleted', async () => {
    // Prepare: finalise-home has not renamed it; its instances are marked all the same
    await seedCluster(PRIMARY, 'shop-aurora', {}, [{ id: 'orders-writer', tags: staleMark }]);

    // Act
    const retiring = retireStale();

    // Assess
    await expect(retiring).rejects.toThrow(/shop-aurora has not been set aside by finalise-home/);
    expect(await clusterIds(PRIMARY)).toEqual(['shop-aurora']);
    expect(await instanceIds(PRIMARY)).toEqual(['orders-writer']);
  });

  it('an instance of the recovery cluster that failover did not make stops the call before anything is deleted', async () => {
    // Prepare: one instance as failover makes it, one added by hand during the failover
    await seedCluster(RECOVERY, RECOVERED, recoveryTags, [
      { id: `${RECOVERED}-1`, tags: recoveryTags },
      { id: 'orders-extra', tags: { team: 'orders' } },
    ]);

    // Act
    const retiring = retireCopies();

    // Assess
    await expect(retiring).rejects.toThrow(/orders-extra of recovery cluster .* were not made by failover/);
    expect(await clusterIds(RECOVERY)).toEqual([RECOVERED]);
    expect(await instanceIds(RECOVERY)).toEqual(['orders-extra', `${RECOVERED}-1`]);
  });

  it('a recovery cluster not tagged as the app’s stops the call before anything is deleted', async () => {
    // Prepare
    await seedCluster(RECOVERY, RECOVERED, { team: 'orders' }, [{ id: `${RECOVERED}-1`, tags: {} }]);

    // Act
    const retiring = retireCopies();

    // Assess
    await expect(retiring).rejects.toThrow(/is not tagged pendulum:app=shop/);
    expect(await clusterIds(RECOVERY)).toEqual([RECOVERED]);
    expect(await instanceIds(RECOVERY)).toEqual([`${RECOVERED}-1`]);
  });
});
