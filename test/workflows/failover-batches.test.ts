/**
 * RecoverTier starts a tier in bounded batches and the state machine loops until the tier is all
 * started. Batches of one resource here (the task's `batchSize`), so the sample estate's four
 * instances take four batches; the default of 200 is the same loop at scale.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import type { RecoverTierResult } from '../../lambdas/handlers/recover-tier';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import type { TaskOverride, WorkflowRunResult } from '../../local/local-workflow-runner';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();

async function recoveredInstances(): Promise<number> {
  const { Reservations = [] } = await createAwsClients()
    .ec2('us-west-2')
    .send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG.failover}`, Values: ['*'] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      }),
    );
  return Reservations.flatMap((r) => r.Instances ?? []).length;
}

/** RecoverTier with batches of one, and an optional fault after a given app batch has run. */
function oneAtATime(crashAfterAppBatch?: number): Record<string, TaskOverride> {
  let appBatches = 0;
  return {
    RecoverTier: async (payload, call) => {
      const result = await call.invokeOriginal?.({ ...(payload as object), batchSize: 1 });
      if ((payload as { tier: { name: string } }).tier.name === 'app' && ++appBatches === crashAfterAppBatch)
        throw Object.assign(new Error('injected crash after a batch'), { name: 'InjectedFault' });
      return result;
    },
  };
}

const batches = (result: WorkflowRunResult, tier: string) =>
  result.taskInvocations
    .filter(
      (t) => t.stateName === 'RecoverTier' && (t.input as { tier: { name: string } }).tier.name === tier,
    )
    .map((t) => t.output as RecoverTierResult | undefined);

describe('recovering a tier in batches', () => {
  let stack: LocalStack;

  beforeEach(async () => {
    // Prepare: the sample estate (data: one database; app: four instances), protected
    await aws.reset();
    await createSampleEstate(createAwsClients());
    stack = await deployLocalStack(
      samplePlanWith((p) => {
        p.healthChecks = [{ name: 'storefront', url: health.url() }];
      }),
    );
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
  });

  it('loops RecoverTier until the tier is all started, then checks readiness once for the tier', async () => {
    // Act
    const result = await stack.run('failover', {}, { taskOverrides: oneAtATime() });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ recovered: 5 });
    expect(batches(result, 'data').map((b) => b?.done)).toEqual([true]);
    expect(batches(result, 'app').map((b) => [b?.started, b?.done])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    // Readiness is asked only once the whole tier is started
    const states = result.taskInvocations
      .filter((t) => (t.input as { tier?: { name: string } }).tier?.name === 'app')
      .map((t) => t.stateName);
    expect(states.slice(0, 5)).toEqual([
      'RecoverTier',
      'RecoverTier',
      'RecoverTier',
      'RecoverTier',
      'CheckTierReady',
    ]);
    expect(states.slice(5).every((s) => s === 'CheckTierReady')).toBe(true);
    expect(await recoveredInstances()).toBe(4);
  });

  it('a re-run after a crash between batches finds what the earlier batches launched and launches only the rest', async () => {
    // Prepare: the run dies after the second app batch
    const failing = await stack.run('failover', {}, { taskOverrides: oneAtATime(2) });
    expect(failing.error).toBe('InjectedFault');
    expect(await recoveredInstances()).toBe(2);

    // Act
    const rerun = await stack.run('failover', {}, { taskOverrides: oneAtATime() });

    // Assess
    expect(rerun.status, rerun.cause).toBe('SUCCEEDED');
    expect(await recoveredInstances()).toBe(4);
    expect(batches(rerun, 'app').map((b) => [b?.created, b?.reused])).toEqual([
      [0, 1],
      [0, 1],
      [1, 0],
      [1, 0],
    ]);
  });
});
