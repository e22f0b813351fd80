/**
 * The RTO is a target, not a deadline: a tier still recovering at its RTO is recorded and
 * reported with what it was waiting for, and recovery goes on; only the recovery cap ends it.
 * Time passes through the execution's start time (RTO and cap count from the start of the run),
 * and new resources stay out of the first describes, as AWS's eventual consistency has them.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import { ArtifactStore } from '../../lambdas/artifacts/artifact-store';
import type { TierMetrics } from '../../lambdas/failover/recovery-metrics';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import type { RunWorkflowOptions } from '../../local/local-workflow-runner';
import { healthEndpointForTests } from '../support/health-endpoint';
import { hideNewResourcesFor } from '../support/late-visibility';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';
import { subscribeToNotices } from '../support/topic-notices';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const clients = () => createAwsClients();
const RESTORED_DB = /^shop-db-pf-/;

/**
 * The run as if started `minutes` ago: the execution's start time, as PrepareFailover reads it,
 * moved back (the local runner stamps the real start time into the context object).
 */
const startedAgo = (minutes: number): Partial<RunWorkflowOptions> => ({
  taskOverrides: {
    PrepareFailover: (payload, call) => {
      const event = payload as { execution: { startTime: string } };
      const startTime = new Date(Date.parse(event.execution.startTime) - minutes * 60_000).toISOString();
      return call.invokeOriginal?.({ ...event, execution: { ...event.execution, startTime } });
    },
  },
});

describe('a tier that misses its RTO', () => {
  let stack: LocalStack;

  beforeEach(async () => {
    // Prepare: the sample estate (data RTO 30m, app RTO 1h, no recoveryCap: 4h), protected
    await aws.reset();
    hideNewResourcesFor(0);
    await createSampleEstate(clients());
    stack = await deployLocalStack(
      samplePlanWith((p) => {
        p.healthChecks = [{ name: 'storefront', url: health.url() }];
      }),
    );
    const protect = await stack.run('protect', {});
    expect(protect.status, protect.cause).toBe('SUCCEEDED');
  });

  it('goes on recovering, fails over, and reports the miss with what the tier was waiting for', async () => {
    // Prepare: 45 minutes into the run, and the restored database not visible for two describes
    const notices = await subscribeToNotices(String(stack.topicArn));
    hideNewResourcesFor(2, RESTORED_DB);

    // Act
    const result = await stack.run('failover', {}, startedAgo(45));

    // Assess: the failover completed
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ status: 'FAILED_OVER', recovered: 5, targetsMet: false });

    // Assess: the outcome says which tier missed, and what it waited for at the time
    const state = new StateTable(clients().dynamo(), stack.tableName);
    const app = await state.getApp('shop', 'us-east-1');
    const artifacts = new ArtifactStore(clients().s3(), stack.bucketName);
    const outcome = await artifacts.getJson<{ metrics: { tiers: TierMetrics[] } }>(String(app.outcomeKey));
    const [data, appTier] = outcome.metrics.tiers;
    expect(data).toMatchObject({
      tier: 'data',
      rtoMet: false,
      rtoMissed: {
        laggardCount: 1,
        laggards: [{ id: expect.stringMatching(RESTORED_DB), state: 'not-visible-yet' }],
      },
    });
    expect(data?.rtoMissed?.elapsedSeconds).toBeGreaterThan(30 * 60);
    expect(appTier?.rtoMissed).toBeUndefined();

    // Assess: the run record, the report and the notification carry it too
    const run = await state.getRun('shop', String(app.lastFailoverRunId));
    expect(run).toMatchObject({
      targetsMet: false,
      rtoMissed: [{ tier: 'data', laggardCount: 1, laggards: [{ state: 'not-visible-yet' }] }],
    });
    const { Body } = await clients()
      .s3()
      .send(
        new GetObjectCommand({
          Bucket: stack.bucketName,
          Key: String(app.outcomeKey).replace(/outcome\.json$/, 'report.md'),
        }),
      );
    const report = String(await Body?.transformToString());
    expect(report).toMatch(/RTO missed; recovery went on/);
    expect(report).toMatch(
      /\*\*data\*\*: at 45m \d+s, still waiting for 1 resource\(s\): `shop-db-pf-[0-9a-f]{8}` \(not-visible-yet\)/,
    );
    const finished = (await notices()).find((n) => n.Subject === 'Pendulum: shop failed over to us-west-2');
    expect(finished?.Message).toMatch(/Tier data: RTO target 30m MISSED/);
    expect(finished?.Message).toMatch(
      /Tier data was still waiting at its RTO for 1 resource\(s\): shop-db-pf-[0-9a-f]{8} \(not-visible-yet\); recovery went on\./,
    );
  });

  it('fails with ReadyTimeoutError naming the cap, the RTO and the laggards once the recovery cap is reached', async () => {
    // Prepare: 5 hours into the run (the data tier's cap is 4h), the database still not visible
    hideNewResourcesFor(1000, RESTORED_DB);

    // Act
    const result = await stack.run('failover', {}, startedAgo(5 * 60));

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error, result.cause).toBe('ReadyTimeoutError');
    expect(result.cause).toMatch(
      /tier data not ready 5h\d*m?\d*s? into the run: recovery cap 4h reached \(RTO 30m missed\)/,
    );
    expect(result.cause).toMatch(
      /still waiting for 1 resource\(s\): shop-db-pf-[0-9a-f]{8} \(not-visible-yet\)/,
    );
    const state = new StateTable(clients().dynamo(), stack.tableName);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILOVER_FAILED');
  });
});
