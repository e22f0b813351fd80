import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { durationSeconds } from '../../lambdas/plan/duration';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { DR_DIMENSIONS, DR_METRICS } from '../../lambdas/rpo/dr-metric-names';
import { recoveryPointAgeMetric, resourcesWithoutPointMetric } from './rpo-monitoring';

export interface DrDashboardProps {
  readonly plan: Plan;
  /** The workflows whose executions are shown, by the name they are shown under (`failover`, ...). */
  readonly workflows: Readonly<Record<string, sfn.IStateMachine | undefined>>;
  /**
   * Alarms shown at the top, e.g. the RPO alarms.
   * @default none
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /**
   * The period of the RPO age graphs: how often ages are published.
   * @default Duration.minutes(5)
   */
  readonly rpoPeriod?: Duration;
  /**
   * The dashboard's name.
   * @default `pendulum-<app>-dr`
   */
  readonly dashboardName?: string;
}

const RED = '#d62728';
const GREEN = '#2ca02c';
const ORANGE = '#ff7f0e';
const GREY = '#7f7f7f';

/** Widgets in rows of at most 24 units. */
function rows(widgets: cloudwatch.IWidget[]): cloudwatch.Row[] {
  const result: cloudwatch.Row[] = [];
  let row: cloudwatch.IWidget[] = [];
  let width = 0;
  for (const widget of widgets) {
    if (width + widget.width > 24 && row.length > 0) {
      result.push(new cloudwatch.Row(...row));
      row = [];
      width = 0;
    }
    row.push(widget);
    width += widget.width;
  }
  if (row.length > 0) result.push(new cloudwatch.Row(...row));
  return result;
}

/**
 * One place to see whether the app can be recovered: each tier's recovery point age against its
 * RPO, how each workflow's executions ended, and the last drill's result and measured RTO.
 */
export class DrDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DrDashboardProps) {
    super(scope, id);
    const { plan } = props;
    const rpoPeriod = props.rpoPeriod ?? Duration.minutes(5);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `pendulum-${plan.app}-dr`,
      defaultInterval: Duration.days(1),
    });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: `# Pendulum: ${plan.app}\n${plan.primaryRegion} → ${plan.recoveryRegion} · tiers ${plan.tiers.map((t) => `**${t.name}** (RPO ${t.rpo}, RTO ${t.rto})`).join(', ')}`,
        width: 24,
        height: 2,
      }),
    );
    if (props.alarms && props.alarms.length > 0)
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({
          title: 'Alarms',
          alarms: [...props.alarms],
          width: 24,
          height: 2,
        }),
      );

    // Recovery point age per tier, against its RPO.
    const rpoWidgets = plan.tiers.map(
      (tier) =>
        new cloudwatch.GraphWidget({
          title: `Recovery point age: ${tier.name}`,
          width: 12,
          height: 6,
          left: [
            recoveryPointAgeMetric(plan, tier.name, rpoPeriod).with({ label: 'Oldest newest point (s)' }),
          ],
          leftAnnotations: [{ value: durationSeconds(tier.rpo), label: `RPO ${tier.rpo}`, color: RED }],
          leftYAxis: { min: 0, label: 'seconds', showUnits: false },
          right: [
            resourcesWithoutPointMetric(plan, tier.name, rpoPeriod).with({
              label: 'Without a point',
              color: ORANGE,
            }),
          ],
          rightYAxis: { min: 0, label: 'resources', showUnits: false },
        }),
    );

    // Executions by outcome, per workflow.
    const executionWidgets = Object.entries(props.workflows).flatMap(([name, machine]) => {
      if (!machine) return [];
      const outcome = (metricName: string, label: string, color: string) =>
        machine.metric(metricName, {
          statistic: cloudwatch.Stats.SUM,
          period: Duration.hours(1),
          label,
          color,
        });
      return [
        new cloudwatch.GraphWidget({
          title: `Executions: ${name}`,
          width: 8,
          height: 6,
          stacked: true,
          view: cloudwatch.GraphWidgetView.BAR,
          left: [
            outcome('ExecutionsSucceeded', 'Succeeded', GREEN),
            outcome('ExecutionsFailed', 'Failed', RED),
            outcome('ExecutionsTimedOut', 'Timed out', ORANGE),
          ],
          leftYAxis: { min: 0, showUnits: false },
        }),
      ];
    });

    // The last drill: whether it passed and the RTO it measured.
    const drillMetric = (metricName: string, label: string, color: string) =>
      new cloudwatch.Metric({
        namespace: DR_METRICS.namespace,
        metricName,
        dimensionsMap: { [DR_DIMENSIONS.app]: plan.app },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.days(1),
        label,
        color,
      });
    const rtoSeconds = Math.max(...plan.tiers.map((t) => durationSeconds(t.rto)));
    const drillWidgets: cloudwatch.IWidget[] = [
      new cloudwatch.SingleValueWidget({
        title: 'Last drill (1 = passed)',
        width: 8,
        height: 6,
        start: '-P90D',
        setPeriodToTimeRange: false,
        metrics: [
          drillMetric(DR_METRICS.drillPassed, 'Passed', GREEN),
          drillMetric(DR_METRICS.drillRto, 'Measured RTO (s)', GREY),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Drill RTO',
        width: 16,
        height: 6,
        start: '-P365D',
        left: [drillMetric(DR_METRICS.drillRto, 'Measured RTO (s)', GREY)],
        leftAnnotations: [
          {
            value: rtoSeconds,
            label: `RTO ${plan.tiers.find((t) => durationSeconds(t.rto) === rtoSeconds)?.rto ?? ''}`,
            color: RED,
          },
        ],
        leftYAxis: { min: 0, label: 'seconds', showUnits: false },
      }),
    ];

    for (const row of rows([...rpoWidgets, ...executionWidgets, ...drillWidgets]))
      this.dashboard.addWidgets(row);
  }
}
