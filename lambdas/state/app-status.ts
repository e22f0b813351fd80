/**
 * The life of a protected app as one status, and which workflow may move it where.
 * Pure: the state-table adapter turns these rules into conditional writes.
 */
export const APP_STATUSES = [
  'PRIMARY_ACTIVE',
  'FAILING_OVER',
  'FAILED_OVER',
  'FAILOVER_FAILED',
  'FAILING_BACK',
  'FAILBACK_FAILED',
] as const;
export type AppStatus = (typeof APP_STATUSES)[number];

export type WorkflowKind = 'failover' | 'failback';

export interface LockRule {
  /** Statuses from which the workflow may take the lock. */
  readonly from: readonly AppStatus[];
  /** Status while the workflow runs. */
  readonly during: AppStatus;
  readonly succeeded: AppStatus;
  readonly failed: AppStatus;
}

/**
 * A failed failover may be run again (it resumes from what exists); a finished one may not.
 * A failed failback leaves production in the recovery region, so it may be retried too.
 */
export const LOCK_RULES: Record<WorkflowKind, LockRule> = {
  failover: {
    from: ['PRIMARY_ACTIVE', 'FAILOVER_FAILED'],
    during: 'FAILING_OVER',
    succeeded: 'FAILED_OVER',
    failed: 'FAILOVER_FAILED',
  },
  failback: {
    from: ['FAILED_OVER', 'FAILBACK_FAILED'],
    during: 'FAILING_BACK',
    succeeded: 'PRIMARY_ACTIVE',
    failed: 'FAILBACK_FAILED',
  },
};

/** A record that has never been written means the app runs where the plan says: in the primary. */
export const INITIAL_STATUS: AppStatus = 'PRIMARY_ACTIVE';
