import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAmiRecoveryPoints } from '../../lambdas/recovery-points/ami-recovery-points';
import { listDbRecoveryPoints } from '../../lambdas/recovery-points/db-recovery-points';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { useLocalAws } from '../../local/aws-environment';
import { deployLocalStack } from '../../local/local-stack';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { stateMachines } from '../../local/synthesized-app';
import { samplePlan } from '../support/sample-plan';
import { createEstate, RECOVERY } from './estate';

describe('the protect workflow in the synthesized template', () => {
  const plan = samplePlan();
  const json = synthesizeTemplate(plan);
  const template = Template.fromJSON(json);

  it('lists the tiers, or takes the requested ones, and protects them one at a time', () => {
    // Prepare
    const machine = stateMachines(json).find((m) => m.name === 'pendulum-shop-protect');

    // Act
    const states = machine?.definition.States ?? {};
    const map = states.ProtectTiers as Record<string, unknown> & {
      ItemProcessor: { States: Record<string, { Retry?: { ErrorEquals: string[] }[] }> };
    };

    // Assess
    expect(machine?.definition.StartAt).toBe('TiersGiven');
    expect(states.TiersGiven).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.tiers', IsPresent: true, Next: 'RequestedTiers' }],
      Default: 'ListTiers',
    });
    expect(states.ListTiers).toMatchObject({ Type: 'Pass', Result: { tiers: ['data', 'app'] } });
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.tiers',
      MaxConcurrency: 1,
      ItemSelector: { 'tier.$': '$$.Map.Item.Value', 'protectRun.$': '$$.Execution.Name' },
    });
    const retries = map.ItemProcessor.States.ProtectTier?.Retry ?? [];
    expect(retries.some((r) => r.ErrorEquals.includes('NotReadyError'))).toBe(true);
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

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreEnv = useLocalAws(moto.endpoint, RECOVERY);
  });

  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });

  it('makes recovery points of every tier, and of only the requested tiers when asked', async () => {
    // Prepare
    const plan = samplePlan();
    const clients = createAwsClients();
    await createEstate(clients);
    const stack = await deployLocalStack(plan);

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
        { tier: 'data', protectRun: 'protect-2', captured: 1, reused: 0 },
        { tier: 'app', protectRun: 'protect-2', captured: 3, reused: 0 },
      ],
    });
    expect(all.largestPayloadBytes).toBeLessThan(4096);
    const dbs = await listDbRecoveryPoints(clients.rds(RECOVERY), plan.app);
    expect(dbs.map((p) => p.protectRun).sort()).toEqual(['protect-1', 'protect-2']);
    expect(await listAmiRecoveryPoints(clients.ec2(RECOVERY), plan.app)).toHaveLength(3);
  });
});
