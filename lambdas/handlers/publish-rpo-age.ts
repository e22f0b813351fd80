/**
 * Publishes how old each tier's recovery points are, every few minutes, so an alarm fires when a
 * tier no longer keeps its RPO (or when this task stops reporting). Reads only the recovery
 * region's catalogue: it must keep working while the primary region is down.
 *
 * Per tier, as EMF in namespace `Pendulum` with dimensions `App` and `Tier`:
 * - `RecoveryPointAgeSeconds`: the worst of the tier's resources' newest-point ages; a resource
 *   with no point counts as MISSING_AGE_SECONDS (ten years).
 * - `ResourcesWithoutRecoveryPoint`: how many resources have no available point.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { listAmiRecoveryPoints } from '../recovery-points/ami-recovery-points';
import { listDbRecoveryPoints, planReplicas } from '../recovery-points/db-recovery-points';
import { DR_DIMENSIONS, DR_METRICS } from '../rpo/dr-metric-names';
import { drMetrics } from '../rpo/dr-metrics';
import { ageMetricValue, recoveryPointAges } from '../rpo/recovery-point-age';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { embeddedPlan } from '../runtime/task-config';

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
  readonly tiers: readonly TierRpoSummary[];
}

export function makePublishRpoAgeHandler(deps: { clients?: AwsClients; now?: () => Date } = {}) {
  return async (_event?: unknown): Promise<PublishRpoAgeResult> => {
    const plan = embeddedPlan();
    const clients = deps.clients ?? defaultAwsClients();
    const now = (deps.now ?? (() => new Date()))();
    const [amis, databases] = await Promise.all([
      listAmiRecoveryPoints(clients.ec2(plan.recoveryRegion), plan.app),
      listDbRecoveryPoints(clients.rds(plan.recoveryRegion), plan.app, {
        replicas: planReplicas(plan),
        now,
      }),
    ]);
    const tiers = recoveryPointAges(plan, [...amis, ...databases], now);

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

export const handler = makePublishRpoAgeHandler();
