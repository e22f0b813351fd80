import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import type { Plan, PlanInput } from '../../lambdas/plan/plan-schema';
import { protectionIntervalMinutes, rateExpression } from '../../lambdas/rpo/protection-rate';
import { triggerWorkflows } from '../../lib/triggers/pendulum-triggers';
import { cfnLint, formatFindings } from '../../local/cfn-lint';
import { samplePlan, samplePlanWith } from '../support/sample-plan';
import { ACCOUNT, triggerStack } from './trigger-stack';

function template(plan: Plan, options: { drill?: boolean } = {}) {
  const built = triggerStack(plan, options);
  return { ...built, template: Template.fromStack(built.stack) };
}

/** A template value (string or Fn::Join of strings and tokens) as text, tokens as `<Ref>`/`<Logical.Attr>`. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return `<${object.Ref}>`;
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
  const join = object['Fn::Join'];
  if (Array.isArray(join)) return (join[1] as unknown[]).map(text).join(join[0] as string);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;
}

const withoutExtras = (change: (plan: PlanInput) => void = () => {}) =>
  samplePlanWith((plan) => {
    plan.triggers = { alarms: [] };
    plan.failback = { windows: [] };
    plan.drills = { schedules: [] };
    change(plan);
  });

describe('the alarm trigger', () => {
  it("starts failover when one of the plan's alarms goes into ALARM, with the trigger as input", () => {
    // Prepare + Act
    const { template: t, stack, workflows, triggers } = template(samplePlan());

    // Assess
    const failover = logicalId(stack, workflows.failover);
    const queue = logicalId(
      stack,
      triggers.alarmTrigger.deadLetterQueue as NonNullable<typeof triggers.alarmTrigger.deadLetterQueue>,
    );
    const rules = t.findResources('AWS::Events::Rule');
    expect(Object.keys(rules)).toHaveLength(1);
    const rule = Object.values(rules)[0]?.Properties;
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-5xx-critical'],
      detail: { state: { value: ['ALARM'] } },
    });
    expect(rule.Targets).toHaveLength(1);
    const target = rule.Targets[0];
    expect(target.Arn).toEqual({ Ref: failover });
    expect(target.InputTransformer).toEqual({
      InputPathsMap: {
        'detail-alarmName': '$.detail.alarmName',
        'resources-0-': '$.resources[0]',
        'detail-state-reason': '$.detail.state.reason',
        time: '$.time',
      },
      InputTemplate:
        '{"trigger":{"type":"alarm","alarmName":<detail-alarmName>,"alarmArn":<resources-0->,"reason":<detail-state-reason>,"time":<time>}}',
    });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 });
    expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } });
  });

  it("lets the rule's role start only the failover state machine", () => {
    // Prepare + Act
    const { template: t, stack, workflows } = template(samplePlan());

    // Assess
    const rule = Object.values(t.findResources('AWS::Events::Rule'))[0]?.Properties;
    const roleId = rule.Targets[0].RoleArn['Fn::GetAtt'][0] as string;
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
    );
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([
      [
        {
          Action: 'states:StartExecution',
          Effect: 'Allow',
          Resource: { Ref: logicalId(stack, workflows.failover) },
        },
      ],
    ]);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })],
      },
    });
  });

  it('keeps undeliverable starts in an encrypted, TLS-only dead-letter queue', () => {
    // Prepare + Act
    const { template: t } = template(samplePlan());

    // Assess
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
          }),
        ]),
      },
    });
  });

  it("adds the composite alarm's ARN, in the primary region and this account", () => {
    // Prepare + Act
    const { template: t } = template(
      samplePlanWith((plan) => {
        plan.triggers = { alarms: [], compositeAlarm: 'shop-critical' };
      }),
    );

    // Assess
    const rule = Object.values(t.findResources('AWS::Events::Rule'))[0]?.Properties;
    expect((rule.EventPattern.resources as unknown[]).map(text)).toEqual([
      `arn:<AWS::Partition>:cloudwatch:us-east-1:${ACCOUNT}:alarm:shop-critical`,
    ]);
  });

  it('warns when trigger alarms live in another region than the rule', () => {
    // Prepare + Act
    const { stack } = template(samplePlan());

    // Assess
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('Trigger alarms in us-east-1'),
    );
    expect(warnings).toHaveLength(1);
  });

  it('creates no rule, role or queue when the plan names no alarms', () => {
    // Prepare + Act
    const { template: t } = template(withoutExtras());

    // Assess
    t.resourceCountIs('AWS::Events::Rule', 0);
    t.resourceCountIs('AWS::SQS::Queue', 0);
  });
});

describe('the schedules', () => {
  const schedules = (t: Template) =>
    Object.values(t.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties);

  it('protects each tier on its own schedule, at the rate derived from its RPO, in one group', () => {
    // Prepare
    const plan = samplePlanWith((p) => {
      const [data, app] = p.tiers;
      if (data) data.rpo = '1h';
      if (app) app.protectEvery = '30m';
    });

    // Act
    const { template: t, stack, workflows } = template(plan);

    // Assess
    const protect = logicalId(stack, workflows.protect);
    const protecting = schedules(t).filter((s) => s.Target.Arn.Ref === protect);
    expect(protecting.map((s) => [JSON.parse(s.Target.Input), s.ScheduleExpression])).toEqual([
      [{ tiers: ['data'] }, 'rate(15 minutes)'],
      [{ tiers: ['app'] }, 'rate(30 minutes)'],
    ]);
    expect(protecting.map((s) => s.ScheduleExpression)).toEqual(
      plan.tiers.map((tier) => rateExpression(protectionIntervalMinutes(tier))),
    );
    expect(protecting.map((s) => s.Target.RetryPolicy.MaximumEventAgeInSeconds)).toEqual([900, 1800]);
    for (const s of protecting) {
      expect(s.GroupName).toBe('pendulum-shop-schedules');
      expect(s.State).toBe('ENABLED');
    }
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'pendulum-shop-schedules' });
  });

  it('lets each schedule role start only its own state machine', () => {
    // Prepare + Act
    const { template: t, stack, workflows } = template(samplePlan(), { drill: true });

    // Assess
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    for (const [name, machine] of Object.entries(workflows)) {
      if (name === 'failover') continue;
      const ref = logicalId(stack, machine);
      const started = schedules(t).filter((s) => s.Target.Arn.Ref === ref);
      expect(started.length, name).toBeGreaterThan(0);
      const roleIds = new Set(started.map((s) => s.Target.RoleArn['Fn::GetAtt'][0] as string));
      expect(roleIds.size, name).toBe(1);
      const [roleId] = [...roleIds];
      const statements = policies
        .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
        .flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements, name).toEqual([
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: ref } },
      ]);
      const role = t.toJSON().Resources[roleId as string];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ]);
    }
  });

  it("opens each failback window at its cron, in its time zone, with the window's start and duration", () => {
    // Prepare
    const plan = samplePlanWith((p) => {
      p.failback = {
        windows: [
          { cron: 'cron(0 2 ? * SUN *)', timezone: 'Europe/London', duration: '4h' },
          { cron: 'cron(30 22 ? * WED *)', timezone: 'America/New_York', duration: '90m' },
        ],
      };
    });

    // Act
    const { template: t, stack, workflows } = template(plan);

    // Assess
    const failback = logicalId(stack, workflows.failback);
    const windows = schedules(t).filter((s) => s.Target.Arn.Ref === failback);
    expect(
      windows.map((s) => ({
        cron: s.ScheduleExpression,
        timezone: s.ScheduleExpressionTimezone,
        input: JSON.parse(s.Target.Input),
        maxAge: s.Target.RetryPolicy.MaximumEventAgeInSeconds,
      })),
    ).toEqual([
      {
        cron: 'cron(0 2 ? * SUN *)',
        timezone: 'Europe/London',
        input: { window: { scheduledTime: '<aws.scheduler.scheduled-time>', duration: '4h' } },
        maxAge: 14_400,
      },
      {
        cron: 'cron(30 22 ? * WED *)',
        timezone: 'America/New_York',
        input: { window: { scheduledTime: '<aws.scheduler.scheduled-time>', duration: '90m' } },
        maxAge: 5400,
      },
    ]);
  });

  it('starts drills on their schedules when there is a drill workflow', () => {
    // Prepare + Act
    const { template: t, stack, workflows } = template(samplePlan(), { drill: true });

    // Assess
    const drill = logicalId(stack, workflows.drill as NonNullable<typeof workflows.drill>);
    const drills = schedules(t).filter((s) => s.Target.Arn.Ref === drill);
    expect(
      drills.map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone, JSON.parse(s.Target.Input)]),
    ).toEqual([['cron(0 3 1 * ? *)', 'UTC', { mode: 'drill' }]]);
  });

  it('creates no drill schedules without a drill workflow, and no window schedules without windows', () => {
    // Prepare + Act
    const { template: t, stack, workflows } = template(withoutExtras());
    const { template: noDrill } = template(samplePlan());

    // Assess: only the protection schedules and the RPO measurement remain.
    const protect = logicalId(stack, workflows.protect);
    expect(schedules(t).filter((s) => s.Target.Arn.Ref !== protect)).toHaveLength(1);
    expect(schedules(noDrill).some((s) => JSON.parse(s.Target.Input).mode === 'drill')).toBe(false);
  });
});

describe('RPO monitoring', () => {
  it('measures recovery point ages every 5 minutes with its own logged, traced task', () => {
    // Prepare + Act
    const { template: t, triggers, stack } = template(samplePlan());

    // Assess
    const fn = logicalId(stack, triggers.rpoMonitoring.task.function);
    const resources = t.toJSON().Resources;
    expect(resources[fn].Metadata['pendulum:handler']).toBe('lambdas/handlers/publish-rpo-age.ts');
    expect(resources[fn].Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const logGroup = resources[fn].Properties.LoggingConfig.LogGroup.Ref as string;
    expect(resources[logGroup]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 90 },
      DeletionPolicy: 'Retain',
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] } }),
    });
  });

  it("lets the task only read the app's status and list recovery points in the plan's two regions", () => {
    // Prepare + Act
    const { template: t, triggers, stack } = template(samplePlan());

    // Assess
    const role = logicalId(stack, triggers.rpoMonitoring.task.role);
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions).toEqual([
      // Which points protect production now: forward ones, or the reverse ones while failed over.
      'dynamodb:GetItem',
      'ec2:DescribeImages',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'rds:DescribeDBSnapshots',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    expect(statements.find((s) => s.Action === 'ec2:DescribeImages')?.Condition).toEqual({
      StringEquals: { 'aws:RequestedRegion': ['us-west-2', 'us-east-1'] },
    });
    expect(
      ([statements.find((s) => s.Action === 'rds:DescribeDBSnapshots')?.Resource].flat() as unknown[]).map(
        text,
      ),
    ).toEqual([
      `arn:<AWS::Partition>:rds:us-west-2:${ACCOUNT}:snapshot:*`,
      `arn:<AWS::Partition>:rds:us-west-2:${ACCOUNT}:db:*`,
      `arn:<AWS::Partition>:rds:us-east-1:${ACCOUNT}:snapshot:*`,
      `arn:<AWS::Partition>:rds:us-east-1:${ACCOUNT}:db:*`,
    ]);
  });

  it('alarms per tier when the worst age exceeds its RPO, or when ages stop arriving', () => {
    // Prepare + Act
    const { template: t, stack, core } = template(samplePlan());

    // Assess
    const topic = logicalId(stack, core.topic);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms).toEqual([
      expect.objectContaining({ AlarmName: 'pendulum-shop-rpo-data', Threshold: 3600 }),
      expect.objectContaining({ AlarmName: 'pendulum-shop-rpo-app', Threshold: 14_400 }),
    ]);
    for (const [index, alarm] of alarms.entries()) {
      expect(alarm).toMatchObject({
        Namespace: 'Pendulum',
        MetricName: 'RecoveryPointAgeSeconds',
        Dimensions: [
          { Name: 'App', Value: 'shop' },
          { Name: 'Tier', Value: ['data', 'app'][index] },
        ],
        Statistic: 'Maximum',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: topic }],
        OKActions: [{ Ref: topic }],
      });
    }
  });

  it("lets CloudWatch alarms use the notification topic's key", () => {
    // Prepare + Act
    const { template: t } = template(samplePlan());

    // Assess
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });
});

describe('the DR dashboard', () => {
  type Widget = {
    type: string;
    properties: { title?: string; metrics?: unknown[][]; annotations?: unknown };
  };

  function widgets(t: Template): Widget[] {
    const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBe('pendulum-shop-dr');
    return (JSON.parse(text(dashboards[0]?.Properties.DashboardBody)) as { widgets: Widget[] }).widgets;
  }

  it("graphs each tier's recovery point age against its RPO", () => {
    // Prepare + Act
    const all = widgets(template(samplePlan()).template);

    // Assess
    const data = all.find((w) => w.properties.title === 'Recovery point age: data');
    expect(data?.properties.metrics?.[0]?.slice(0, 6)).toEqual([
      'Pendulum',
      'RecoveryPointAgeSeconds',
      'App',
      'shop',
      'Tier',
      'data',
    ]);
    expect(data?.properties.annotations).toEqual({
      horizontal: [{ value: 3600, label: 'RPO 1h', color: '#d62728', yAxis: 'left' }],
    });
    expect(
      all.find((w) => w.properties.title === 'Recovery point age: app')?.properties.annotations,
    ).toMatchObject({
      horizontal: [{ value: 14_400, label: 'RPO 4h' }],
    });
  });

  it('counts executions by outcome for each state machine', () => {
    // Prepare + Act
    const { template: t, stack, workflows } = template(samplePlan(), { drill: true });

    // Assess
    const all = widgets(t);
    for (const [name, machine] of Object.entries(workflows)) {
      const widget = all.find((w) => w.properties.title === `Executions: ${name}`);
      expect(
        widget?.properties.metrics?.map((m) => m.slice(0, 4)),
        name,
      ).toEqual(
        ['ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((metric) => [
          'AWS/States',
          metric,
          'StateMachineArn',
          `<${logicalId(stack, machine)}>`,
        ]),
      );
    }
  });

  it("shows the last drill's result and measured RTO, and the RPO alarms", () => {
    // Prepare + Act
    const all = widgets(template(samplePlan()).template);

    // Assess
    const lastDrill = all.find((w) => w.properties.title === 'Last drill (1 = passed)');
    expect(lastDrill?.type).toBe('metric');
    expect(lastDrill?.properties.metrics?.map((m) => m.slice(0, 4))).toEqual([
      ['Pendulum', 'DrillPassed', 'App', 'shop'],
      ['Pendulum', 'DrillRtoSeconds', 'App', 'shop'],
    ]);
    expect(all.find((w) => w.properties.title === 'Drill RTO')).toBeDefined();
    const alarms = all.find((w) => w.type === 'alarm') as { properties: { alarms: string[] } } | undefined;
    expect(alarms?.properties.alarms).toHaveLength(2);
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the triggers (synth succeeds)', () => {
    const { app } = triggerStack(samplePlan(), { drill: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged with a composite alarm, windows and replicas either', () => {
    const plan = samplePlanWith((p) => {
      p.triggers = { alarms: [], compositeAlarm: 'shop-critical' };
      const data = p.tiers[0]?.resources[0];
      if (data && 'rds' in data) data.rds.replicaIdentifier = 'shop-db-replica';
    });
    const { app } = triggerStack(plan, { drill: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('runs in this harness: an unacknowledged finding fails synth', () => {
    // Prepare
    const { app, stack } = triggerStack(samplePlan());
    const role = new iam.Role(stack, 'TooBroad', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ec2:*'], resources: ['*'] }));

    // Act + Assess
    expect(() => app.synth()).toThrow(/[Vv]alidation/);
  });
});

describe('the template', () => {
  it('passes cfn-lint without errors', async () => {
    // Prepare
    const plan = samplePlanWith((p) => {
      p.triggers = {
        alarms: ['arn:aws:cloudwatch:us-west-2:123456789012:alarm:shop-5xx'],
        compositeAlarm: 'shop-critical',
      };
    });
    const { stack } = triggerStack(plan, { drill: true });

    // Act
    const { errors } = await cfnLint(Template.fromStack(stack).toJSON(), { regions: [plan.recoveryRegion] });

    // Assess
    expect(errors, formatFindings(errors)).toEqual([]);
  }, 120_000);
});

describe('triggerWorkflows', () => {
  it('picks the trigger workflows out of a name → state machine map, drill only when there is one', () => {
    // Prepare
    const stack = new Stack();
    const machine = (id: string) =>
      new sfn.StateMachine(stack, id, {
        definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, `${id}Pass`)),
      });
    const protect = machine('Protect');
    const failover = machine('Failover');
    const failback = machine('Failback');
    const register = machine('Register');

    // Act
    const workflows = triggerWorkflows({ register, protect, failover, failback });

    // Assess
    expect(workflows).toEqual({ protect, failover, failback });
    expect(triggerWorkflows({ protect, failover, failback, drill: register }).drill).toBe(register);
    expect(() => triggerWorkflows({ protect, failover })).toThrow(/failback workflow/);
  });
});
