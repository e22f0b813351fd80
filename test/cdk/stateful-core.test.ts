import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { createPendulumApp } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { samplePlan } from '../support/sample-plan';

describe('the synthesized stack', () => {
  const template = Template.fromJSON(synthesizeTemplate(samplePlan()));

  it('has the state table keyed by pk/sk, with point-in-time recovery and encryption', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
      SSESpecification: Match.anyValue(),
    });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });

  it('has an artifact bucket that is versioned, encrypted, private and TLS-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.anyValue() }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has an encrypted notification topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('runs its state machines with ALL logging and X-Ray tracing', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines).length).toBeGreaterThan(0);
    for (const machine of Object.values(machines)) {
      expect(machine.Properties.LoggingConfiguration.Level).toBe('ALL');
      expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    }
  });

  it('tags every task function with its handler module for the local runner', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    for (const fn of Object.values(functions)) {
      expect(fn.Metadata?.['pendulum:handler']).toMatch(/^lambdas\/handlers\/[a-z-]+\.ts$/);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });
});

describe('cdk-nag', () => {
  it('runs on every synth: an unacknowledged finding fails it', () => {
    // Prepare: the real app plus one deliberately over-broad policy nobody acknowledged.
    const { app, stack } = createPendulumApp({
      plan: samplePlan(),
      bundle: false,
      env: { account: '123456789012' },
    });
    const role = new iam.Role(stack, 'TooBroad', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] }));
    // Act + Assess
    expect(() => app.synth()).toThrow(/[Vv]alidation/);
    expect(Stack.of(role)).toBe(stack);
  });

  it('finds nothing unacknowledged in the real stack (synth succeeds)', () => {
    const { app } = createPendulumApp({
      plan: samplePlan(),
      bundle: false,
      env: { account: '123456789012' },
    });
    expect(() => app.synth()).not.toThrow();
  });
});
