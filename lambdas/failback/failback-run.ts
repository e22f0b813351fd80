/**
 * The small record that travels between failback states; everything that grows with the estate
 * (reconciliation, inventories, DNS state) lives in the artifact bucket under the run's keys.
 */
import { z } from 'zod';

export const failbackRunSchema = z.object({
  app: z.string(),
  runId: z.string(),
  /** The failback episode: stable across re-runs of one failback, like failoverId for failover. */
  failbackId: z.string(),
  /** The failover episode being undone, and the run that completed it. */
  failoverId: z.string(),
  failoverRunId: z.string(),
  startedAt: z.string(),
  /** Where production runs now (the recovery region). */
  sourceRegion: z.string(),
  /** Where it goes back to: the original primary, or a new primary region. */
  targetRegion: z.string(),
  strategy: z.enum(['cutover', 'staged']),
  steps: z.array(z.number().int().min(1).max(100)),
  prefer: z.enum(['failback', 'current']).optional(),
  dryRun: z.boolean(),
  windowEnd: z.string().optional(),
  soakSeconds: z.number().int().min(0),
  /** failback.syncCap and failback.retireCap of the plan, in seconds. */
  caps: z.object({ syncSeconds: z.number().int().min(1), retireSeconds: z.number().int().min(1) }),
  tiers: z.array(z.object({ index: z.number().int(), name: z.string(), timeoutSeconds: z.number() })),
});

export type FailbackRun = z.infer<typeof failbackRunSchema>;

export const FAILBACK_ARTIFACTS = {
  reconciliation: 'reconciliation',
  reconciliationMarkdown: 'reconciliation-md',
  homeInventory: 'home-inventory',
  dnsShift: 'dns-shift',
  outcome: 'outcome',
} as const;

/** A recovery-region instance that comes home. */
export interface HomeInstance {
  /** The stale primary instance it replaces; absent for an instance added during failover. */
  readonly source?: string;
  /** The instance in the recovery region that is the truth now. */
  readonly recoveryId: string;
  readonly role: string;
  readonly tier: string;
  readonly reason: string;
}

/** A database whose recovery-region copy is synced home. */
export interface HomeDatabase {
  /** The plan's identifier (the stale primary database, if it still exists, has it). */
  readonly source: string;
  /** The database in the recovery region that is the truth now. */
  readonly recoveryId: string;
  readonly role: string;
  readonly tier: string;
  readonly strategy: 'replica' | 'snapshot';
}

/** Something in the primary region that the failback sets aside (final snapshot/AMI first). */
export interface StaleResource {
  readonly kind: 'ec2' | 'rds';
  readonly id: string;
  readonly role: string;
  readonly tier: string;
}

/** Something in the recovery region retired after the soak time (final snapshot/AMI first). */
export interface RetireResource {
  readonly kind: 'ec2' | 'rds';
  readonly id: string;
  readonly role: string;
  readonly tier: string;
}

export interface FailbackResourcePlan {
  readonly targetRegion: string;
  readonly recoveryRegion: string;
  readonly instances: HomeInstance[];
  readonly databases: HomeDatabase[];
  readonly stale: StaleResource[];
  readonly retire: RetireResource[];
  /** Every decision explained, e.g. a recovered instance terminated on purpose does not come back. */
  readonly decisions: { readonly subject: string; readonly decision: string; readonly reason: string }[];
}
