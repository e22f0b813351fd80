import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface NotificationTopicProps {
  /**
   * An existing topic to notify instead of creating one.
   * @default a new encrypted topic
   */
  readonly topicArn?: string;
  /**
   * Addresses subscribed to a created topic.
   * @default none
   */
  readonly emails?: readonly string[];
}

/** Where start, gate, success and failure notices go. */
export class NotificationTopic extends Construct {
  readonly topic: sns.ITopic;

  constructor(scope: Construct, id: string, props: NotificationTopicProps = {}) {
    super(scope, id);
    if (props.topicArn) {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.topicArn);
      return;
    }
    const key = new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'Encrypts Pendulum notifications',
    });
    const topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    for (const email of props.emails ?? []) topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.topic = topic;
  }
}
