/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CloudFormation Fn::Sub templates */
import { describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  localPhysicalId,
  resolveIntrinsics,
  resolvePhysicalName,
} from '../../local/resolve-intrinsics';

const template: CfnTemplate = {
  Parameters: {
    Env: { Type: 'String', Default: 'staging' },
    Zones: { Type: 'CommaDelimitedList', Default: 'a,b' },
  },
  Mappings: { Sizes: { staging: { Memory: 256 } } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
    IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
  },
  Resources: {
    StateTableA1B2C3D4: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    NamedTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: { 'Fn::Sub': 'pendulum-${Env}-locks' } },
    },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Topic: { Type: 'AWS::SNS::Topic' },
    Fn1: { Type: 'AWS::Lambda::Function', Properties: {} },
    Workflow: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/pendulum/workflow' } },
    Thing: { Type: 'Custom::Thing' },
  },
};

const ctx = { template, stackName: 'PendulumPrimary', region: 'eu-west-1' };

describe('localPhysicalId', () => {
  it('is deterministic, lower-case and a valid S3 bucket / DynamoDB table name', () => {
    const a = localPhysicalId('PendulumPrimary', 'StateTableA1B2C3D4', 'AWS::DynamoDB::Table');
    expect(a).toBe(localPhysicalId('PendulumPrimary', 'StateTableA1B2C3D4', 'AWS::DynamoDB::Table'));
    expect(a).toMatch(/^pendulumprimary-statetablea1b2c3d4-[0-9a-f]{8}$/);
    const long = localPhysicalId('A'.repeat(80), `${'VeryLongLogicalId'.repeat(6)}_x`, 'AWS::S3::Bucket');
    for (const name of [a, long]) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
      expect(name).not.toMatch(/--/);
    }
  });

  it('keeps ids apart that only differ in case', () => {
    expect(localPhysicalId('S', 'TableA', 'AWS::DynamoDB::Table')).not.toBe(
      localPhysicalId('S', 'Tablea', 'AWS::DynamoDB::Table'),
    );
  });
});

describe('resolveIntrinsics', () => {
  it('resolves pseudo parameters with moto defaults', () => {
    expect(
      resolveIntrinsics(
        [
          { Ref: 'AWS::Region' },
          { Ref: 'AWS::AccountId' },
          { Ref: 'AWS::Partition' },
          { Ref: 'AWS::URLSuffix' },
          { Ref: 'AWS::StackName' },
        ],
        {},
      ),
    ).toEqual(['us-east-1', '123456789012', 'aws', 'amazonaws.com', 'pendulum-local']);
  });

  it('resolves Ref of resources to physical names (given, explicit, generated) and of parameters', () => {
    expect(resolveIntrinsics({ Ref: 'StateTableA1B2C3D4' }, ctx)).toBe(
      localPhysicalId('PendulumPrimary', 'StateTableA1B2C3D4', 'AWS::DynamoDB::Table'),
    );
    expect(resolveIntrinsics({ Ref: 'NamedTable' }, ctx)).toBe('pendulum-staging-locks');
    expect(resolveIntrinsics({ Ref: 'Bucket' }, { ...ctx, physicalIds: { Bucket: 'my-bucket' } })).toBe(
      'my-bucket',
    );
    expect(resolveIntrinsics({ Ref: 'Fn1' }, ctx)).toBe('Fn1');
    expect(resolveIntrinsics({ Ref: 'Topic' }, ctx)).toMatch(
      /^arn:aws:sns:eu-west-1:123456789012:pendulumprimary-topic-/,
    );
    expect(resolveIntrinsics({ Ref: 'Env' }, ctx)).toBe('staging');
    expect(resolveIntrinsics({ Ref: 'Env' }, { ...ctx, parameters: { Env: 'prod' } })).toBe('prod');
    expect(resolveIntrinsics({ Ref: 'Zones' }, ctx)).toEqual(['a', 'b']);
    expect(resolvePhysicalName('Logs', ctx)).toBe('/pendulum/workflow');
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, ctx)).toThrow(/Missing/);
  });

  it('builds the ARNs each service uses for Fn::GetAtt', () => {
    const table = resolvePhysicalName('StateTableA1B2C3D4', ctx);
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Fn1', 'Arn'] }, ctx)).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:Fn1',
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['StateTableA1B2C3D4', 'Arn'] }, ctx)).toBe(
      `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}`,
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': 'Bucket.Arn' }, ctx)).toBe(
      `arn:aws:s3:::${resolvePhysicalName('Bucket', ctx)}`,
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Topic', 'TopicArn'] }, ctx)).toBe(
      resolveIntrinsics({ Ref: 'Topic' }, ctx),
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Workflow', 'Arn'] }, ctx)).toBe(
      `arn:aws:states:eu-west-1:123456789012:stateMachine:${resolvePhysicalName('Workflow', ctx)}`,
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['Logs', 'Arn'] }, ctx)).toBe(
      'arn:aws:logs:eu-west-1:123456789012:log-group:/pendulum/workflow:*',
    );
    const other = resolveIntrinsics({ 'Fn::GetAtt': ['Thing', 'Endpoint'] }, ctx);
    expect(other).toBe(resolveIntrinsics({ 'Fn::GetAtt': ['Thing', 'Endpoint'] }, ctx));
    expect(typeof other).toBe('string');
  });

  it('resolves Fn::Join, Fn::Sub (both forms), Fn::Select, Fn::Split, Fn::FindInMap, Fn::If', () => {
    expect(
      resolveIntrinsics(
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke']] },
        ctx,
      ),
    ).toBe('arn:aws:states:::lambda:invoke');
    expect(resolveIntrinsics({ 'Fn::Sub': '${AWS::Region}/${Fn1.Arn}/${Env}/${!Literal}' }, ctx)).toBe(
      'eu-west-1/arn:aws:lambda:eu-west-1:123456789012:function:Fn1/staging/${Literal}',
    );
    expect(
      resolveIntrinsics({ 'Fn::Sub': ['${Name}-${AWS::AccountId}', { Name: { Ref: 'NamedTable' } }] }, ctx),
    ).toBe('pendulum-staging-locks-123456789012');
    expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] }, ctx)).toBe('b');
    expect(resolveIntrinsics({ 'Fn::Select': ['0', { 'Fn::GetAZs': '' }] }, ctx)).toBe('eu-west-1a');
    expect(resolveIntrinsics({ 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Memory'] }, ctx)).toBe(256);
    expect(resolveIntrinsics({ 'Fn::If': ['IsNotProd', 'small', 'large'] }, ctx)).toBe('small');
    expect(
      resolveIntrinsics({ a: 1, b: { Ref: 'AWS::NoValue' }, c: [1, { Ref: 'AWS::NoValue' }] }, ctx),
    ).toEqual({
      a: 1,
      c: [1],
    });
  });

  it('throws "unsupported" for what it cannot resolve', () => {
    expect(() => resolveIntrinsics({ 'Fn::ImportValue': 'x' }, ctx)).toThrow(/unsupported/);
    expect(() => resolveIntrinsics({ 'Fn::If': ['Nope', 1, 2] }, {})).toThrow(/unsupported/);
  });
});
