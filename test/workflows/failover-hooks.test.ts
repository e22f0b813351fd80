/**
 * Pre-failover hooks in the synthesized failover workflow: a signed webhook that vetoes stops the
 * run before anything is written; one that agrees lets it go on.
 */

import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import { listZoneRecords } from '../../lambdas/route53/hosted-zone';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { StateTable } from '../../lambdas/state/state-table';
import { deployLocalStack } from '../../local/local-stack';
import { startWebhookReceiver, type WebhookReceiver } from '../hooks/webhook-receiver';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const health = healthEndpointForTests();
const SECRET = 'hook-signing-key';

describe('pre-failover hooks', () => {
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver(SECRET);
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('a veto stops the failover before any write, with the reason; approval lets it run', async () => {
    // Prepare
    await aws.reset();
    const clients = createAwsClients();
    const { ARN } = await clients
      .secretsManager('us-west-2')
      .send(new CreateSecretCommand({ Name: 'pendulum/hook', SecretString: SECRET }));
    const plan = samplePlanWith((p) => {
      p.healthChecks = [{ name: 'storefront', url: health.url() }];
      p.hooks = {
        preFailover: [
          { webhook: { url: `${receiver.origin}/pre-failover`, secretArn: String(ARN), retries: 0 } },
        ],
      };
    });
    const estate = await createSampleEstate(clients);
    const stack = await deployLocalStack(plan);
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');
    const zoneBefore = await listZoneRecords(clients.route53(), estate.zoneId);
    receiver.respond((request) =>
      request.signatureValid
        ? { status: 200, body: '{"veto":true,"reason":"payments team is mid-migration"}' }
        : { status: 401 },
    );

    // Act
    const vetoed = await stack.run('failover', { reason: 'drill of the veto path' });

    // Assess: named error with the reason, nothing written anywhere
    expect(vetoed.status).toBe('FAILED');
    expect(vetoed.error).toBe('HookVetoError');
    expect(vetoed.cause).toMatch(/payments team is mid-migration/);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.signatureValid).toBe(true);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      app: 'shop',
      phase: 'preFailover',
      workflow: 'failover',
      region: 'us-west-2',
    });
    const state = new StateTable(clients.dynamo(), stack.tableName);
    expect((await state.getApp('shop', 'us-east-1')).status).toBe('PRIMARY_ACTIVE');
    expect(await state.listRuns('shop')).toEqual([]);
    const { Reservations = [] } = await clients.ec2('us-west-2').send(new DescribeInstancesCommand({}));
    expect(Reservations.flatMap((r) => r.Instances ?? [])).toHaveLength(0);
    expect(await listZoneRecords(clients.route53(), estate.zoneId)).toEqual(zoneBefore);

    // Act again: the hook agrees
    receiver.respond((request) => (request.signatureValid ? { status: 200, body: '{}' } : { status: 401 }));
    const approved = await stack.run('failover', {});
    expect(approved.status, approved.cause).toBe('SUCCEEDED');
  });
});
