/**
 * The small record that travels between failover states. Anything that grows with the estate
 * (recovery choices, inventories, DNS snapshots) lives in the artifact bucket under the run's keys.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export interface TierRef {
  readonly index: number;
  readonly name: string;
  /** The tier's RTO, from the start of the run: a target, reported when missed. */
  readonly rtoSeconds: number;
  /** From the start of the run, when the run stops waiting for the tier and fails. */
  readonly recoveryCapSeconds: number;
}

export interface FailoverRun {
  readonly app: string;
  readonly runId: string;
  /**
   * The failover episode: the first run that took the lock from PRIMARY_ACTIVE. A re-run after a
   * failure keeps it, so resources tagged with it are found and reused rather than made again.
   */
  readonly failoverId: string;
  readonly startedAt: string;
  readonly sourceRegion: string;
  readonly targetRegion: string;
  readonly recoveryPoint: string;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly reason?: string;
  readonly tiers: readonly TierRef[];
  /** A drill: drill tags, drill names, no app lock, always torn down. */
  readonly drill: boolean;
  /** Hooks are not called for dry runs and drills. */
  readonly skipHooks: boolean;
  readonly trigger?: AlarmTrigger;
  readonly gates: FailoverGates;
}

export interface AlarmTrigger {
  readonly type: 'alarm';
  readonly alarmName: string;
  readonly alarmArn?: string;
  readonly reason?: string;
  readonly time?: string;
}

/** The plan's trigger settings, resolved to numbers the state machine can wait on. */
export interface FailoverGates {
  readonly confirmationDelaySeconds: number;
  readonly cooldownSeconds: number;
  /** An alarm-started run waits for `pendulum approve` in approval mode. */
  readonly approvalRequired: boolean;
  readonly approvalTimeoutSeconds: number;
  readonly onApprovalTimeout: 'stop' | 'proceed';
}

/** Eight hex characters from the failover id: short enough for RDS identifiers, stable across re-runs. */
export function episodeSuffix(episodeId: string): string {
  return createHash('sha256').update(episodeId).digest('hex').slice(0, 8);
}

export const FAILOVER_ARTIFACTS = {
  dnsSnapshot: 'dns-snapshot',
  recoverySelection: 'recovery-selection',
  tierInventory: (tierIndex: number) => `tier-${tierIndex}-inventory`,
  dnsCutover: 'dns-cutover',
  outcome: 'outcome',
} as const;

/** Checks the run record a state hands to a task: catches a definition that lost a field. */
export const failoverRunSchema = z.object({
  app: z.string(),
  runId: z.string(),
  failoverId: z.string(),
  startedAt: z.string(),
  sourceRegion: z.string(),
  targetRegion: z.string(),
  recoveryPoint: z.string(),
  force: z.boolean(),
  dryRun: z.boolean(),
  reason: z.string().optional(),
  tiers: z.array(
    z.object({
      index: z.number().int(),
      name: z.string(),
      rtoSeconds: z.number(),
      recoveryCapSeconds: z.number(),
    }),
  ),
  drill: z.boolean(),
  skipHooks: z.boolean(),
  trigger: z
    .object({
      type: z.literal('alarm'),
      alarmName: z.string(),
      alarmArn: z.string().optional(),
      reason: z.string().optional(),
      time: z.string().optional(),
    })
    .optional(),
  gates: z.object({
    confirmationDelaySeconds: z.number(),
    cooldownSeconds: z.number(),
    approvalRequired: z.boolean(),
    approvalTimeoutSeconds: z.number(),
    onApprovalTimeout: z.enum(['stop', 'proceed']),
  }),
});

export const tierRefSchema = z.object({
  index: z.number().int(),
  name: z.string(),
  rtoSeconds: z.number(),
  recoveryCapSeconds: z.number(),
});
