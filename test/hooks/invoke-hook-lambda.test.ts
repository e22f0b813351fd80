import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invokeHookLambda } from '../../lambdas/hooks/invoke-hook-lambda';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { type FakeLambdaApi, startFakeLambdaApi } from './fake-lambda-api';

const GATE = 'arn:aws:lambda:us-west-2:123456789012:function:change-gate';
const BODY = '{"app":"shop","phase":"preFailover","runId":"run-7"}';

describe('invokeHookLambda against a Lambda API on 127.0.0.1', () => {
  let api: FakeLambdaApi;
  let regions: string[];
  let clients: AwsClients;

  beforeAll(async () => {
    api = await startFakeLambdaApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(() => {
    api.reset();
    regions = [];
    clients = {
      ...createAwsClients(),
      lambda: (region) => {
        regions.push(region);
        return api.client(region);
      },
    };
  });

  it('invokes the function synchronously in its own region with the payload', async () => {
    // Prepare
    api.define(GATE, { result: { ok: true } });

    // Act
    const result = await invokeHookLambda(GATE, BODY, { clients });

    // Assess
    expect(result).toMatchObject({ outcome: 'ok', attempts: 1 });
    expect(regions).toEqual(['us-west-2']);
    expect(api.invocations).toEqual([
      { functionName: GATE, invocationType: 'RequestResponse', payload: BODY },
    ]);
  });

  it('reports a veto the function returns', async () => {
    // Prepare
    api.define(GATE, { result: { veto: true, reason: 'release in progress' } });

    // Act
    const result = await invokeHookLambda(GATE, BODY, { clients });

    // Assess
    expect(result).toMatchObject({ outcome: 'veto', reason: 'release in progress', attempts: 1 });
  });

  it('reports a function error as a failure', async () => {
    // Prepare
    api.define(GATE, { functionError: { errorType: 'Error', errorMessage: 'database unreachable' } });

    // Act
    const result = await invokeHookLambda(GATE, BODY, { clients });

    // Assess
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: 'function error (Unhandled): Error: database unreachable',
      attempts: 1,
    });
  });

  it('reports an API error (e.g. no such function) as a failure', async () => {
    // Prepare
    api.define(GATE, { status: 404, type: 'ResourceNotFoundException', message: 'Function not found' });

    // Act
    const result = await invokeHookLambda(GATE, BODY, { clients });

    // Assess
    expect(result.outcome).toBe('failed');
    expect(result.reason).toMatch(/^invoke failed: ResourceNotFoundException: Function not found/);
  });

  it('gives up on a function that does not answer in time', async () => {
    // Prepare
    api.define(GATE, 'hang');

    // Act
    const result = await invokeHookLambda(GATE, BODY, { clients, timeoutMs: 300 });

    // Assess
    expect(result).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(result.reason).toMatch(/^no answer within/);
    expect(result.ms).toBeLessThan(5_000);
  });
});
