/**
 * Notices reach the topic at start and at the end of a run, in plain words without links:
 * subscribed here by an SQS queue in moto, as an operator's email or chat bridge would be.
 */
import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { deployLocalStack } from '../../local/local-stack';
import { healthEndpointForTests } from '../support/health-endpoint';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

localAwsForTests('us-west-2');
const health = healthEndpointForTests();

async function drain(sqs: SQSClient, queueUrl: string): Promise<{ Subject: string; Message: string }[]> {
  const notices: { Subject: string; Message: string }[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    if (Messages.length === 0) return notices;
    for (const m of Messages) notices.push(JSON.parse(m.Body ?? '{}'));
  }
}

describe('notifications', () => {
  it('tell the topic when a failover starts and when it ends, with RTO and no links', async () => {
    // Prepare
    const clients = createAwsClients();
    await createSampleEstate(clients);
    const stack = await deployLocalStack(
      samplePlanWith((p) => {
        p.healthChecks = [{ name: 'storefront', url: health.url() }];
      }),
    );
    const sqs = new SQSClient({ region: 'us-west-2' });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ops-notices' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await clients
      .sns()
      .send(
        new SubscribeCommand({ TopicArn: stack.topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
      );
    expect((await stack.run('protect', {})).status).toBe('SUCCEEDED');

    // Act
    const result = await stack.run('failover', { reason: 'us-east-1 outage' });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const notices = await drain(sqs, String(QueueUrl));
    expect(notices.map((n) => n.Subject)).toEqual([
      'Pendulum: failover of shop started',
      'Pendulum: shop failed over to us-west-2',
    ]);
    expect(notices[0]?.Message).toMatch(/Reason: us-east-1 outage/);
    expect(notices[1]?.Message).toMatch(/RTO \d/);
    for (const notice of notices) expect(notice.Message).not.toMatch(/https?:\/\//);
  });
});
