/**
 * What the stack's topic sends, as an operator's mailbox would see it: an SQS queue subscribed to
 * the topic, and a reader that drains it.
 */
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

export interface Notice {
  readonly Subject: string;
  readonly Message: string;
}

/** Subscribes a queue to `topicArn`; the returned function reads every notice sent since the last read. */
export async function subscribeToNotices(
  topicArn: string,
  region = 'us-west-2',
): Promise<() => Promise<Notice[]>> {
  const sqs = new SQSClient({ region });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ops-notices' }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await new SNSClient({ region: topicArn.split(':')[3] || region }).send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
  );
  return async () => {
    const notices: Notice[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) return notices;
      for (const m of Messages) notices.push(JSON.parse(m.Body ?? '{}'));
    }
  };
}
