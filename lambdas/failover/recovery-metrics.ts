/**
 * Achieved RTO and RPO against the plan's targets. RTO runs from the start of the execution to
 * DNS in sync (when users reach the new region); RPO per resource is the age of the point used.
 */
import type { RtoMiss } from './recovered-resource';
import type { RecoverySelection } from './recovery-selection';

/** Laggards shown per tier in the outcome, the report and the notification. */
export const LAGGARDS_REPORTED = 10;

export interface TierMetrics {
  readonly tier: string;
  readonly rtoTargetSeconds: number;
  readonly rpoTargetSeconds: number;
  /** Start of the run to this tier's resources all being ready. */
  readonly readySeconds?: number;
  readonly worstRpoSeconds: number;
  readonly rtoMet: boolean;
  readonly rpoMet: boolean;
  /** The tier was still recovering at its RTO, and what it was waiting for then. */
  readonly rtoMissed?: RtoMiss;
}

export interface RecoveryMetrics {
  readonly rtoSeconds: number;
  readonly tiers: TierMetrics[];
  readonly resources: {
    readonly source: string;
    readonly tier: string;
    readonly rpoSeconds: number;
    readonly pointTakenAt: string;
  }[];
}

export function measureRecovery(input: {
  readonly startedAt: string;
  readonly completedAt: string;
  readonly selection: RecoverySelection;
  readonly tierReadyAt: Record<string, string | undefined>;
  readonly tierRtoMissed?: Record<string, RtoMiss | undefined>;
}): RecoveryMetrics {
  const start = Date.parse(input.startedAt);
  const rtoSeconds = Math.max(0, Math.round((Date.parse(input.completedAt) - start) / 1000));
  const tiers = input.selection.tiers.map((tier): TierMetrics => {
    const worstRpoSeconds = Math.max(0, ...tier.resources.map((r) => r.ageSeconds));
    const readyAt = input.tierReadyAt[tier.name];
    const missed = input.tierRtoMissed?.[tier.name];
    return {
      tier: tier.name,
      rtoTargetSeconds: tier.rtoSeconds,
      rpoTargetSeconds: tier.rpoSeconds,
      ...(readyAt ? { readySeconds: Math.max(0, Math.round((Date.parse(readyAt) - start) / 1000)) } : {}),
      worstRpoSeconds,
      rtoMet: rtoSeconds <= tier.rtoSeconds && !missed,
      rpoMet: worstRpoSeconds <= tier.rpoSeconds,
      ...(missed ? { rtoMissed: { ...missed, laggards: missed.laggards.slice(0, LAGGARDS_REPORTED) } } : {}),
    };
  });
  const resources = input.selection.tiers.flatMap((tier) =>
    tier.resources.map((r) => ({
      source: r.source,
      tier: tier.name,
      rpoSeconds: r.ageSeconds,
      pointTakenAt: r.point.takenAt,
    })),
  );
  return { rtoSeconds, tiers, resources };
}
