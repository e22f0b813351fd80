/**
 * Post-failover and post-failback hooks run after DNS moved: in the synthesized workflows a hook
 * failing there, or the hook task itself failing, leaves a completed run with a warning in the run
 * record, the report and the notice, unless the plan says the hook must pass.
 */

import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { startWebhookReceiver, type WebhookReceiver } from '../hooks/webhook-receiver';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';
import { subscribeToNotices } from '../support/topic-notices';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const SECRET = 'hook-signing-key';

interface Deployed {
  readonly clients: AwsClients;
  readonly stack: LocalStack;
  readonly notices: () => Promise<{ Subject: string; Message: string }[]>;
}

describe('post-phase hooks after DNS moved', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver.close();
  });

  /** A fresh estate, protected, with the hooks given and a queue on the topic. */
  async function deploy(hooks: (secretArn: string) => PlanInput['hooks']) {
    await aws.reset();
    receiver.reset();
    const clients = createAwsClients();
    const { ARN } = await clients
      .secretsManager('us-west-2')
      .send(new CreateSecretCommand({ Name: 'pendulum/hook', SecretString: SECRET }));
    const plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.hooks = hooks(String(ARN));
      p.failback = { strategy: 'cutover', steps: [10, 50, 100], stepHold: '1m', soak: '1h' };
    });
    await createSampleEstate(clients);
    const stack = await deployLocalStack(plan);
    const notices = await subscribeToNotices(String(stack.topicArn));
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    return { clients, stack, notices } satisfies Deployed;
  }

  async function readText(deployed: Deployed, key: string): Promise<string> {
    const { Body } = await deployed.clients
      .s3()
      .send(new GetObjectCommand({ Bucket: deployed.stack.bucketName, Key: key }));
    return (Body as { transformToString(): Promise<string> }).transformToString();
  }

  it('records a failing post-failover hook as a warning on a completed failover', async () => {
    // Prepare
    const deployed = await deploy((secretArn) => ({
      postFailover: [{ webhook: { url: `${receiver.origin}/warm-cache`, secretArn, retries: 0 } }],
    }));
    receiver.respond(() => ({ status: 502, body: 'cache cluster unreachable' }));
    const hook = `webhook ${receiver.origin}/warm-cache`;
    const warning = `postFailover hook ${hook} failed: HTTP 502: cache cluster unreachable`;

    // Act
    const result = await deployed.stack.run('failover', { reason: 'us-east-1 outage' });

    // Assess: the failover completed; the run record, outcome, report and notice carry the warning
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(receiver.requests.map((r) => r.path)).toEqual(['/warm-cache']);
    const { runId, outcomeKey } = result.output as { runId: string; outcomeKey: string };
    const state = new StateTable(deployed.clients.dynamo(), deployed.stack.tableName);
    expect(await state.getRun('shop', runId)).toMatchObject({ status: 'SUCCEEDED', warnings: [warning] });
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('FAILED_OVER');
    const outcome = JSON.parse(await readText(deployed, outcomeKey));
    expect(outcome).toMatchObject({ status: 'FAILED_OVER', warnings: [warning] });
    expect(outcome.hooks).toContainEqual(
      expect.objectContaining({ phase: 'postFailover', hook, outcome: 'failed', attempts: 1 }),
    );
    const report = await readText(deployed, outcomeKey.replace(/outcome\.json$/, 'report.md'));
    expect(report).toContain('## Warnings');
    expect(report).toContain('cache cluster unreachable');
    const notices = await deployed.notices();
    const done = notices.find((n) => n.Subject.startsWith('Pendulum: shop failed over'));
    expect(done?.Subject).toBe('Pendulum: shop failed over to us-west-2 (1 warning)');
    expect(done?.Message).toContain(`Warning: ${warning}`);
  });

  it('records the post-failover hook task itself failing as a warning, not a failed failover', async () => {
    // Prepare
    const deployed = await deploy((secretArn) => ({
      postFailover: [{ webhook: { url: `${receiver.origin}/slow`, secretArn } }],
    }));

    // Act: the hook function is killed at its timeout
    const result = await deployed.stack.run(
      'failover',
      {},
      {
        taskOverrides: {
          PostFailoverHooks: () => {
            const timedOut = new Error('Task timed out after 300.00 seconds');
            timedOut.name = 'Sandbox.Timedout';
            throw timedOut;
          },
        },
      },
    );

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const { runId } = result.output as { runId: string };
    const state = new StateTable(deployed.clients.dynamo(), deployed.stack.tableName);
    expect(await state.getRun('shop', runId)).toMatchObject({
      status: 'SUCCEEDED',
      warnings: ['postFailover hooks did not finish (Sandbox.Timedout): Task timed out after 300.00 seconds'],
    });
  });

  it('fails the failover when a post-failover hook that must pass keeps failing', async () => {
    // Prepare
    const deployed = await deploy((secretArn) => ({
      postFailover: [
        { webhook: { url: `${receiver.origin}/smoke-test`, secretArn, retries: 0, mustPass: true } },
      ],
    }));
    receiver.respond(() => ({ status: 500, body: 'checkout broken' }));

    // Act
    const result = await deployed.stack.run('failover', {});

    // Assess: called once per attempt of the state (1 + 2 retries on HookFailedError)
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('HookFailedError');
    expect(result.cause).toMatch(/smoke-test must pass but failed: HTTP 500: checkout broken/);
    expect(receiver.requests).toHaveLength(3);
  });

  it('records a failing post-failback hook as a warning on a completed failback', async () => {
    // Prepare
    const deployed = await deploy((secretArn) => ({
      postFailback: [{ webhook: { url: `${receiver.origin}/reopen-shop`, secretArn, retries: 0 } }],
    }));
    expect((await deployed.stack.run('failover', {})).status).toBe('SUCCEEDED');
    receiver.respond(() => ({ status: 404, body: '' }));
    const warning = `postFailback hook webhook ${receiver.origin}/reopen-shop failed: HTTP 404`;

    // Act
    const result = await deployed.stack.run('failback', {});

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const { runId, outcomeKey } = result.output as { runId: string; outcomeKey: string };
    const state = new StateTable(deployed.clients.dynamo(), deployed.stack.tableName);
    expect(await state.getRun('shop', runId)).toMatchObject({ status: 'SUCCEEDED', warnings: [warning] });
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    expect(JSON.parse(await readText(deployed, outcomeKey))).toMatchObject({ warnings: [warning] });
    const done = (await deployed.notices()).find((n) => n.Subject.startsWith('Pendulum: shop failed back'));
    expect(done?.Subject).toBe('Pendulum: shop failed back to us-east-1 (1 warning)');
    expect(done?.Message).toContain(`Warning: ${warning}`);
  });
});
