import { describe, expect, it } from 'vitest';
import { cfnLint, formatFindings } from '../../local/cfn-lint';

const table = {
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  },
};

describe('cfnLint', () => {
  it('finds no errors in a minimal valid template', async () => {
    const { errors } = await cfnLint({
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: { Table: table },
      Outputs: { TableName: { Value: { Ref: 'Table' } } },
    });
    expect(errors, formatFindings(errors)).toEqual([]);
  }, 60_000);

  it('reports errors with rule id and path for an invalid template', async () => {
    const { errors } = await cfnLint({
      Resources: {
        Table: { ...table, Properties: { ...table.Properties, Bogus: 1 } },
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { Ref: 'Nope' } } },
      },
    });
    expect(errors.map((f) => f.rule).sort()).toEqual(['E1020', 'E3002']);
    expect(errors.find((f) => f.rule === 'E3002')?.path).toEqual([
      'Resources',
      'Table',
      'Properties',
      'Bogus',
    ]);
    expect(errors.every((f) => f.level === 'Error')).toBe(true);
  }, 60_000);
});
