import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Plan } from '../lambdas/plan/plan-schema';
import { ArtifactBucket } from './artifact-bucket';
import { NotificationTopic } from './notification-topic';
import { StateTable } from './state-table';
import { TaskFunction, type TaskFunctionProps } from './task-function';

export interface PendulumCoreProps {
  readonly plan: Plan;
}

/**
 * The stateful core every workflow needs (state table, artifact bucket, topic) and the factory for
 * task functions, so each workflow file only says which tasks it has and what they may touch.
 */
export class PendulumCore extends Construct {
  readonly plan: Plan;
  readonly table: dynamodb.TableV2;
  readonly bucket: s3.Bucket;
  readonly topic: sns.ITopic;
  /** Environment every task receives; names match lambdas/runtime/task-config.ts. */
  readonly environment: Record<string, string>;

  constructor(scope: Construct, id: string, props: PendulumCoreProps) {
    super(scope, id);
    this.plan = props.plan;
    this.table = new StateTable(this, 'State').table;
    this.bucket = new ArtifactBucket(this, 'Artifacts').bucket;
    this.topic = new NotificationTopic(this, 'Notifications', {
      topicArn: props.plan.notifications.topicArn,
      emails: props.plan.notifications.emails,
    }).topic;
    this.environment = {
      STATE_TABLE_NAME: this.table.tableName,
      ARTIFACT_BUCKET_NAME: this.bucket.bucketName,
      NOTIFICATION_TOPIC_ARN: this.topic.topicArn,
    };
  }

  /** A task function for this plan, with the core's environment. */
  newTask(
    scope: Construct,
    id: string,
    props: Omit<TaskFunctionProps, 'plan' | 'environment'>,
  ): TaskFunction {
    return new TaskFunction(scope, id, { ...props, plan: this.plan, environment: this.environment });
  }

  /** The stack's EventBridge Scheduler group: every schedule Pendulum makes, at deploy or at run time. */
  get scheduleGroupName(): string {
    return this.name('schedules');
  }

  /** `pendulum-<app>-<what>`: names operators can find in the console. */
  name(what: string): string {
    return `pendulum-${this.plan.app}-${what}`;
  }
}
