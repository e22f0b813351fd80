/**
 * The smallest path end to end: the register state machine taken from the synthesized template,
 * its Lambda task run in-process, and its write visible in moto's DynamoDB.
 */
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack } from '../../local/local-stack';
import { localAwsForTests } from '../support/local-aws';
import { samplePlan } from '../support/sample-plan';

localAwsForTests('us-west-2');

describe('the register workflow', () => {
  it('writes the app record to the state table, and keeps its status when run again', async () => {
    // Prepare
    const stack = await deployLocalStack(samplePlan());
    const state = new StateTable(createAwsClients().dynamo(), stack.tableName);

    // Act
    const first = await stack.run('register', {});

    // Assess
    expect(first.status, first.cause).toBe('SUCCEEDED');
    expect(first.output).toMatchObject({ app: 'shop', status: 'PRIMARY_ACTIVE', activeRegion: 'us-east-1' });
    const record = await state.get('APP#shop', 'STATE');
    expect(record).toMatchObject({
      app: 'shop',
      status: 'PRIMARY_ACTIVE',
      planFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });

    await state.put({ ...record, status: 'FAILED_OVER' });
    const second = await stack.run('register', {});
    expect(second.output).toMatchObject({ status: 'FAILED_OVER' });
  });

  it('rejects unknown input by name before writing', async () => {
    const stack = await deployLocalStack(samplePlan());
    const result = await stack.run('register', { requestedBy: 'ops', colour: 'blue' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidInputError');
    expect(result.cause).toMatch(/colour/);
  });
});
