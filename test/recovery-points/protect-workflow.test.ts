import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listAmiRecoveryPoints } from '../../lambdas/recovery-points/ami-recovery-points';
import { listDbRecoveryPoints } from '../../lambdas/recovery-points/db-recovery-points';
import { type AwsClients, addClientPlugin, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { appKey, StateTable } from '../../lambdas/state/state-table';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { useLocalAws } from '../../local/aws-environment';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import type { TaskCall } from '../../local/local-workflow-runner';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { stateMachines } from '../../local/synthesized-app';
import { samplePlan } from '../support/sample-plan';
import { createEstate, PRIMARY, RECOVERY } from './estate';
import { pretendPending } from './pretend-pending';

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  Retry?: { ErrorEquals: string[] }[];
  [field: string]: unknown;
}
interface Definition {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

describe('the protect workflow in the synthesized template', () => {
  const plan = samplePlan();
  const json = synthesizeTemplate(plan);
  const template = Template.fromJSON(json);

  it('takes the lease first, then protects the tiers one at a time, and releases the lease on every way out', () => {
    // Prepare
    const machine = stateMachines(json).find((m) => m.name === 'pendulum-shop-protect');

    // Act
    const definition = machine?.definition as unknown as Definition;
    const states = definition.States;
    const protect = states.Protect as State & { Branches: Definition[] };
    const map = protect.Branches[0]?.States.ProtectTiers as State & { ItemProcessor: Definition };

    // Assess
    expect(definition.StartAt).toBe('TiersGiven');
    expect(definition.TimeoutSeconds).toBe(24 * 3600 + 1800);
    expect(states.TiersGiven).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.tiers', IsPresent: true, Next: 'RequestedTiers' }],
      Default: 'ListTiers',
    });
    expect(states.ListTiers).toMatchObject({
      Type: 'Pass',
      Result: { tiers: ['data', 'app'] },
      Next: 'TakeProtectLease',
    });
    expect(states.RequestedTiers).toMatchObject({ Next: 'TakeProtectLease' });
    expect(states.TakeProtectLease).toMatchObject({
      Type: 'Task',
      Parameters: {
        'tiers.$': '$.tiers',
        'protectRun.$': '$$.Execution.Name',
        'startedAt.$': '$$.Execution.StartTime',
      },
      ResultPath: '$.lease',
      Next: 'LeaseTaken?',
    });
    expect(states['LeaseTaken?']).toMatchObject({
      Choices: [{ Variable: '$.lease.taken', BooleanEquals: true, Next: 'Protect' }],
      Default: 'Skipped',
    });
    expect(states.Skipped).toMatchObject({ Type: 'Succeed', OutputPath: '$.lease' });
    expect(protect).toMatchObject({
      Type: 'Parallel',
      Next: 'ReleaseProtectLease',
      Catch: [
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ReleaseProtectLeaseAfterFailure' },
      ],
    });
    expect(states.ReleaseProtectLease).toMatchObject({ Next: 'Protected' });
    expect(states.ReleaseProtectLeaseAfterFailure).toMatchObject({ Next: 'ProtectFailed' });
    expect(states.ProtectFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.failure.Error' });
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.tiers',
      MaxConcurrency: 1,
      ItemSelector: {
        'tier.$': '$$.Map.Item.Value',
        'protectRun.$': '$$.Execution.Name',
        'startedAt.$': '$$.Execution.StartTime',
        // Which way to protect, as the lease decided it from the app's status.
        'active.$': '$.lease.active',
      },
    });
    // An explicit poll loop: Choice → Wait (as long as the task says) → check → Choice.
    const loop = map.ItemProcessor.States;
    expect(map.ItemProcessor.StartAt).toBe('ProtectTier');
    expect(loop.ProtectTier).toMatchObject({ Next: 'TierProtected?' });
    expect(loop['TierProtected?']).toMatchObject({
      Choices: [{ Variable: '$.progress.done', BooleanEquals: true, Next: 'TierDone' }],
      Default: 'WaitForCopies',
    });
    expect(loop.WaitForCopies).toMatchObject({
      SecondsPath: '$.progress.nextPollSeconds',
      Next: 'CheckTierProtection',
    });
    expect(loop.CheckTierProtection).toMatchObject({
      Parameters: { 'polledSince.$': '$.progress.polledSince' },
      Next: 'TierProtected?',
    });
    // "Not ready" is an answer, never an error retried until a budget runs out.
    for (const state of Object.values(loop))
      for (const retry of state.Retry ?? []) expect(retry.ErrorEquals).not.toContain('NotReadyError');
  });

  it('lets the task delete only recovery points: images by the tags they were made with, DB snapshots by prefix', () => {
    // Act, Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'PruneRecoveryPoints',
            Action: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
            Condition: {
              StringEquals: {
                'aws:ResourceTag/pendulum:app': 'shop',
                'aws:ResourceTag/pendulum:kind': 'recovery-point',
              },
            },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'CopyTagAndPruneDbPoints',
            Action: ['rds:CopyDBSnapshot', 'rds:AddTagsToResource', 'rds:DeleteDBSnapshot'],
            Resource: [
              'arn:aws:rds:us-east-1:123456789012:snapshot:pendulum-shop-rp-*',
              'arn:aws:rds:us-west-2:123456789012:snapshot:pendulum-shop-rp-*',
            ],
          }),
        ],
      },
    });
    // Tags only as an image is made: no existing image can be given the app's tags.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Sid: 'TagOnCreateOnly',
            Action: 'ec2:CreateTags',
            Condition: { StringEquals: { 'ec2:CreateAction': ['CreateImage', 'CopyImage'] } },
          }),
        ],
      },
    });
  });
});

describe('the protect workflow run locally against moto', () => {
  let moto: MotoServer;
  let restoreEnv: () => void;
  const plan = samplePlan();
  let clients: AwsClients;
  let stack: LocalStack;
  let state: StateTable;
  const lease = async (tier: string) => state.get('APP#shop', `PROTECT#${tier}`);
  const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3600_000);
  const dbSnapshots = async (region: string) =>
    (await clients.rds(region).send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' })))
      .DBSnapshots ?? [];
  /** While `isPending()` holds, every image and snapshot the workflow's tasks see is still being made. */
  const pendingWhile = (isPending: () => boolean) =>
    addClientPlugin((client) => pretendPending(client as never, isPending));

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreEnv = useLocalAws(moto.endpoint, RECOVERY);
  });

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    clients = createAwsClients();
    await createEstate(clients);
    stack = await deployLocalStack(plan);
    state = new StateTable(clients.dynamo(), stack.tableName);
  });

  it('makes recovery points of every tier, and of only the requested tiers when asked', async () => {
    // Act
    const dataOnly = await stack.run('protect', { tiers: ['data'] }, { executionName: 'protect-1' });
    const amisAfterDataOnly = await listAmiRecoveryPoints(clients.ec2(RECOVERY), plan.app);
    const all = await stack.run('protect', {}, { executionName: 'protect-2' });

    // Assess
    expect(dataOnly.status, `${dataOnly.error}: ${dataOnly.cause}`).toBe('SUCCEEDED');
    expect(amisAfterDataOnly).toEqual([]);
    expect(all.status, `${all.error}: ${all.cause}`).toBe('SUCCEEDED');
    expect(all.output).toMatchObject({
      tiers: ['data', 'app'],
      results: [
        { tier: 'data', protectRun: 'protect-2', captured: 1, reused: 0, done: true },
        { tier: 'app', protectRun: 'protect-2', captured: 3, reused: 0, done: true },
      ],
    });
    expect(all.largestPayloadBytes).toBeLessThan(4096);
    const dbs = await listDbRecoveryPoints(clients.rds(RECOVERY), plan.app);
    expect(dbs.map((p) => p.protectRun).sort()).toEqual(['protect-1', 'protect-2']);
    expect(await listAmiRecoveryPoints(clients.ec2(RECOVERY), plan.app)).toHaveLength(3);
    expect(await lease('data')).toBeUndefined();
    expect(await lease('app')).toBeUndefined();
  });

  it('skips a run while another run of the tier is in progress: nothing made, only a skip record', async () => {
    // Prepare: a run of the data tier is in progress.
    await state.acquireProtectLease('shop', 'data', 'protect-running', new Date(), hoursFromNow(1));

    // Act
    const late = await stack.run('protect', { tiers: ['data'] }, { executionName: 'protect-late' });

    // Assess
    expect(late.status, `${late.error}: ${late.cause}`).toBe('SUCCEEDED');
    expect(late.output).toEqual({
      taken: false,
      tiers: ['data'],
      skipped: 'skipped: run protect-running in progress',
      heldBy: 'protect-running',
      tier: 'data',
    });
    expect(late.taskInvocations.map((t) => t.stateName)).toEqual(['TakeProtectLease']);
    expect(await dbSnapshots(PRIMARY)).toEqual([]);
    expect(await dbSnapshots(RECOVERY)).toEqual([]);
    expect(await state.getRun('shop', 'protect-late')).toMatchObject({
      workflow: 'protect',
      status: 'SKIPPED',
      reason: 'skipped: run protect-running in progress (tier data)',
    });
    expect(await lease('data')).toMatchObject({ runId: 'protect-running' });
  });

  it('holds while a failback moves production: nothing made, no lease taken, a skip record saying why', async () => {
    // Prepare: a failback is in progress (its sync builds on the newest reverse points).
    await state.put({
      ...appKey('shop'),
      app: 'shop',
      status: 'FAILING_BACK',
      activeRegion: RECOVERY,
      updatedAt: new Date().toISOString(),
    });

    // Act
    const run = await stack.run('protect', {}, { executionName: 'protect-during-failback' });

    // Assess
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    expect(run.output).toEqual({
      taken: false,
      tiers: ['data', 'app'],
      skipped: 'skipped: the app is FAILING_BACK',
    });
    expect(run.taskInvocations.map((t) => t.stateName)).toEqual(['TakeProtectLease']);
    expect(await dbSnapshots(PRIMARY)).toEqual([]);
    expect(await dbSnapshots(RECOVERY)).toEqual([]);
    expect(await lease('data')).toBeUndefined();
    expect(await state.getRun('shop', 'protect-during-failback')).toMatchObject({
      workflow: 'protect',
      status: 'SKIPPED',
      reason: 'skipped: the app is FAILING_BACK',
    });
  });

  it('takes all of its tiers or none: a run of every tier skipped for a busy app tier leaves the data tier free', async () => {
    // Prepare
    await state.acquireProtectLease('shop', 'app', 'protect-app', new Date(), hoursFromNow(1));

    // Act
    const all = await stack.run('protect', {}, { executionName: 'protect-all' });
    const data = await stack.run('protect', { tiers: ['data'] }, { executionName: 'protect-data' });

    // Assess
    expect(all.output).toMatchObject({ taken: false, tier: 'app', heldBy: 'protect-app' });
    expect(data.status, `${data.error}: ${data.cause}`).toBe('SUCCEEDED');
    expect(data.output).toMatchObject({ results: [{ tier: 'data', done: true, captured: 1 }] });
    expect(await lease('data')).toBeUndefined();
    expect(await lease('app')).toMatchObject({ runId: 'protect-app' });
  });

  it('takes over the lease of a run that died and never gave it back, once it has expired', async () => {
    // Prepare: a run took the lease 25 h ago (cap 24 h) and crashed.
    await state.acquireProtectLease('shop', 'data', 'protect-crashed', hoursFromNow(-25), hoursFromNow(-0.5));

    // Act
    const next = await stack.run('protect', { tiers: ['data'] }, { executionName: 'protect-next' });

    // Assess
    expect(next.status, `${next.error}: ${next.cause}`).toBe('SUCCEEDED');
    expect(next.output).toMatchObject({ results: [{ tier: 'data', done: true, captured: 1 }] });
    expect(await lease('data')).toBeUndefined();
  });

  it('polls the copies in its loop until they are done, then prunes and gives the lease back', async () => {
    // Prepare: the snapshot and its copy stay pending until the third check.
    let pending = true;
    let checks = 0;
    const stopPending = pendingWhile(() => pending);

    // Act
    const run = await stack
      .run(
        'protect',
        { tiers: ['data'] },
        {
          executionName: 'protect-slow',
          taskOverrides: {
            CheckTierProtection: (payload, call) => {
              if (++checks === 3) pending = false;
              return call.invokeOriginal?.(payload);
            },
          },
        },
      )
      .finally(stopPending);

    // Assess
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    const calls = run.taskInvocations.map((t) => t.stateName);
    expect(calls).toEqual([
      'TakeProtectLease',
      'ProtectTier',
      'CheckTierProtection',
      'CheckTierProtection',
      'CheckTierProtection',
      'ReleaseProtectLease',
    ]);
    const polls = run.taskInvocations.filter((t) => /^(ProtectTier|CheckTierProtection)$/.test(t.stateName));
    expect(polls.map((t) => (t.output as { nextPollSeconds: number }).nextPollSeconds)).toEqual([
      30, 30, 30, 0,
    ]);
    expect(run.output).toMatchObject({ results: [{ tier: 'data', done: true, pending: 0 }] });
    expect(await listDbRecoveryPoints(clients.rds(RECOVERY), plan.app)).toHaveLength(1);
    expect(await dbSnapshots(PRIMARY)).toEqual([]);
    expect(await lease('data')).toBeUndefined();
  });

  it('fails past protection.copyCap with CopyCapExceededError naming the pending captures, and gives the lease back', async () => {
    // Prepare: the run started 25 h ago (the cap is 24 h) and the snapshot never finishes.
    const longAgo = hoursFromNow(-25).toISOString();
    const stopPending = pendingWhile(() => true);
    const startedLongAgo = (payload: unknown, call: TaskCall) =>
      call.invokeOriginal?.({ ...(payload as object), startedAt: longAgo });

    // Act
    const run = await stack
      .run(
        'protect',
        { tiers: ['data'] },
        { taskOverrides: { ProtectTier: startedLongAgo, CheckTierProtection: startedLongAgo } },
      )
      .finally(stopPending);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CopyCapExceededError');
    expect(run.cause).toContain('(protection.copyCap 24h): shop-db (capture in us-east-1)');
    expect(run.taskInvocations.map((t) => t.stateName)).toEqual([
      'TakeProtectLease',
      'ProtectTier',
      'ReleaseProtectLeaseAfterFailure',
    ]);
    expect(await lease('data')).toBeUndefined();
  });
});
