/**
 * The small record that travels between failback states; everything that grows with the estate
 * (reconciliation, inventories, DNS state) lives in the artifact bucket under the run's keys.
 */
import { z } from 'zod';
import type { ResourceKind } from '../recovery-points/resource-kind';

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
  /**
   * `replica`: a cross-region read replica, promoted; `snapshot`: a final snapshot copied home and
   * restored; `switchover`: an Aurora global database member, switched back to its home member.
   */
  readonly strategy: 'replica' | 'snapshot' | 'switchover';
  /** `switchover`: the global database whose home member takes the writer back. */
  readonly globalClusterIdentifier?: string;
  /**
   * An RDS DB instance, or an Aurora cluster (brought home by snapshot only: a cluster has no
   * cross-region replica here). Absent is an RDS DB instance, so state written before clusters
   * came home stays readable.
   */
  readonly kind?: 'rds' | 'aurora';
}

/** Something in the primary region that the failback sets aside (final snapshot/AMI first). */
export interface StaleResource {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly role: string;
  readonly tier: string;
}

/** Something in the recovery region retired after the soak time (final snapshot/AMI first). */
export interface RetireResource {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly role: string;
  readonly tier: string;
}

/**
 * A resource in the recovery region that the failover's inventory does not list, found by the app's
 * tag or by the placement's subnets, and what failback does with it. Failback never retires one.
 */
export interface UnknownResource {
  readonly kind: ResourceKind;
  readonly id: string;
  /** Why reconciliation looked at it: the app's tag, a placement subnet or DB subnet group. */
  readonly found: string;
  /** The planned role it was taken for, and the evidence; absent when none could be inferred. */
  readonly role?: string;
  readonly tier?: string;
  readonly inferredFrom?: string;
  /** When it was launched or created, as AWS reports it. */
  readonly createdAt?: string;
  /**
   * `bring home`: it gets a primary counterpart like an instance added to its role. `leave in place`:
   * it stays in the recovery region, neither brought home nor retired. `conflict`: the run stops
   * before any change until `prefer` (run or plan) settles it.
   */
  readonly outcome: 'bring home' | 'leave in place' | 'conflict';
  readonly reason: string;
}

export interface FailbackResourcePlan {
  readonly targetRegion: string;
  readonly recoveryRegion: string;
  readonly instances: HomeInstance[];
  readonly databases: HomeDatabase[];
  readonly stale: StaleResource[];
  readonly retire: RetireResource[];
  /** Everything in the recovery region that looked like the app's but was not in the inventory. */
  readonly unknown: UnknownResource[];
  /** Every decision explained, e.g. a recovered instance terminated on purpose does not come back. */
  readonly decisions: { readonly subject: string; readonly decision: string; readonly reason: string }[];
}
