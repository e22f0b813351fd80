/**
 * Publishes how old each tier's recovery points are, every few minutes, so an alarm fires when a
 * tier no longer keeps its RPO (or when this task stops reporting). The measure follows where
 * production runs (the app's status in the state table, as protection does):
 * - normally, the forward points in the recovery region's catalogue alone: it must keep working
 *   while the primary region is down;
 * - while failed over (FAILED_OVER, FAILBACK_FAILED, FAILING_BACK), the reverse points copied into
 *   the primary region: the copies that survive losing the recovery region, and the ones failback
 *   builds on. Each counts for the plan resource it stands in for (`pendulum:origin`), so the
 *   same tiers, resources and alarms apply. A primary region that cannot be read fails the task:
 *   the metric goes missing and the alarm (missing data breaching) fires, as it should when the
 *   recovery estate cannot be protected.
 *
 * Per tier, as EMF in namespace `Pendulum` with dimensions `App` and `Tier`:
 * - `RecoveryPointAgeSeconds`: the worst of the tier's resources' newest-point ages; a resource
 *   with no point counts as MISSING_AGE_SECONDS (ten years).
 * - `ResourcesWithoutRecoveryPoint`: how many resources have no available point.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RDSClient } from '@aws-sdk/client-rds';
import { describeGlobalDatabase, memberIn } from '../failover/global-database';
import type { Plan } from '../plan/plan-schema';
import { listAmiRecoveryPoints } from '../recovery-points/ami-recovery-points';
import type { ProtectionDirection } from '../recovery-points/capture';
import { listDbRecoveryPoints, planClusters, planReplicas } from '../recovery-points/db-recovery-points';
import type { RecoveryPoint } from '../recovery-points/recovery-point';
import { DR_DIMENSIONS, DR_METRICS } from '../rpo/dr-metric-names';
import { drMetrics } from '../rpo/dr-metrics';
import { ageMetricValue, recoveryPointAges } from '../rpo/recovery-point-age';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { taskConfig } from '../runtime/task-config';
import type { AppStatus } from '../state/app-status';
import { StateTable } from '../state/state-table';

/** One tier's readiness; small, so it fits in a log line or a test assertion. */
export interface TierRpoSummary {
  readonly tier: string;
  readonly rpoSeconds: number;
  /** The worst age, or `missing` when some resource has no recovery point. */
  readonly worstAgeSeconds: number | 'missing';
  readonly resourcesWithoutRecoveryPoint: number;
  readonly withinRpo: boolean;
}

export interface PublishRpoAgeResult {
  readonly app: string;
  /** When the ages were measured. */
  readonly at: string;
  /** Which points were measured: forward ones (primary estate) or reverse ones (recovered estate). */
  readonly direction: ProtectionDirection;
  /** Where the measured points are. */
  readonly region: string;
  readonly tiers: readonly TierRpoSummary[];
}

/**
 * Which points to measure for a status. Unlike protection, a failback in progress still measures
 * the reverse points: production is in the recovery region until the failback's data cutover.
 */
export function measuredPoints(
  status: AppStatus,
  plan: Pick<Plan, 'primaryRegion' | 'recoveryRegion'>,
): { direction: ProtectionDirection; region: string } {
  return ['FAILED_OVER', 'FAILBACK_FAILED', 'FAILING_BACK'].includes(status)
    ? { direction: 'reverse', region: plan.primaryRegion }
    : { direction: 'forward', region: plan.recoveryRegion };
}

export function makePublishRpoAgeHandler(deps: { clients?: AwsClients; now?: () => Date } = {}) {
  return async (_event?: unknown): Promise<PublishRpoAgeResult> => {
    const { plan, tableName } = taskConfig();
    const clients = deps.clients ?? defaultAwsClients();
    const now = (deps.now ?? (() => new Date()))();
    const app = await new StateTable(clients.dynamo(), tableName).getApp(plan.app, plan.primaryRegion);
    const { direction, region } = measuredPoints(app.status, plan);
    // Cluster points are listed only when the plan names a cluster: other estates ask nothing more.
    const clusters = planClusters(plan).length > 0;
    const [amis, databases] = await Promise.all([
      listAmiRecoveryPoints(clients.ec2(region), plan.app, direction),
      listDbRecoveryPoints(
        clients.rds(region),
        plan.app,
        direction === 'reverse' ? { direction, clusters } : { replicas: planReplicas(plan), now, clusters },
      ),
    ]);
    const points = [
      ...[...amis, ...databases].map(standsFor),
      ...(await globalMemberPoints(clients.rds(region), plan, region, now)),
    ];
    const tiers = recoveryPointAges(plan, points, now);

    const metrics = drMetrics();
    for (const tier of tiers) {
      // One EMF document per tier: each carries its own Tier dimension value.
      metrics.addDimensions({ [DR_DIMENSIONS.app]: plan.app, [DR_DIMENSIONS.tier]: tier.tier });
      metrics.addMetric(
        DR_METRICS.recoveryPointAge,
        MetricUnit.Seconds,
        ageMetricValue(tier.worstAgeSeconds),
      );
      metrics.addMetric(DR_METRICS.resourcesWithoutRecoveryPoint, MetricUnit.Count, tier.missing);
      metrics.publishStoredMetrics();
    }

    const summary: PublishRpoAgeResult = {
      app: plan.app,
      at: now.toISOString(),
      direction,
      region,
      tiers: tiers.map((tier) => ({
        tier: tier.tier,
        rpoSeconds: tier.rpoSeconds,
        worstAgeSeconds: Number.isFinite(tier.worstAgeSeconds) ? tier.worstAgeSeconds : 'missing',
        resourcesWithoutRecoveryPoint: tier.missing,
        withinRpo: tier.withinRpo,
      })),
    };
    const late = tiers.filter((t) => !t.withinRpo);
    if (late.length > 0)
      logger.warn('tiers outside their RPO', {
        direction,
        region,
        tiers: late.map((t) => ({
          tier: t.tier,
          rpoSeconds: t.rpoSeconds,
          missing: t.resources
            .filter((r) => r.ageSeconds === 'missing')
            .map((r) => r.source)
            .slice(0, 20),
          oldest: t.resources
            .filter((r) => r.ageSeconds !== 'missing' && r.ageSeconds > t.rpoSeconds)
            .map((r) => ({ source: r.source, ageSeconds: r.ageSeconds }))
            .slice(0, 20),
        })),
      });
    else logger.info('recovery point ages published', { ...summary });
    return summary;
  };
}

/**
 * A cluster in an Aurora global database is protected by its replication, not by points: while the
 * global database has a member in the measured region, its data is there now (the lag is seconds;
 * Aurora User Guide, "Using Amazon Aurora global databases"), so it counts as a point taken now.
 * Without one, the cluster has no recovery point and the tier's alarm fires.
 */
async function globalMemberPoints(
  rds: RDSClient,
  plan: Plan,
  region: string,
  now: Date,
): Promise<RecoveryPoint[]> {
  const members = plan.tiers.flatMap((tier) =>
    tier.resources.flatMap((r) =>
      'aurora' in r && r.aurora.globalClusterIdentifier
        ? [
            {
              tier: tier.name,
              role: r.aurora.role ?? r.aurora.clusterIdentifier,
              source: r.aurora.clusterIdentifier,
              global: r.aurora.globalClusterIdentifier,
            },
          ]
        : [],
    ),
  );
  const points = await Promise.all(
    members.map(async (m): Promise<RecoveryPoint[]> => {
      const db = await describeGlobalDatabase(rds, m.global);
      if (!db || !memberIn(db, region)) return [];
      return [
        {
          kind: 'global-member',
          id: m.global,
          source: m.source,
          role: m.role,
          tier: m.tier,
          takenAt: now.toISOString(),
          protectRun: '',
          state: 'available',
        },
      ];
    }),
  );
  return points.flat();
}

/** A reverse point counts for the plan resource its source stands in for (a forward one is already it). */
function standsFor(point: RecoveryPoint): RecoveryPoint {
  return point.origin ? { ...point, source: point.origin } : point;
}

export const handler = makePublishRpoAgeHandler();
