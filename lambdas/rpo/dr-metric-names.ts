/**
 * The CloudWatch metrics Pendulum publishes about its own readiness, named once so the tasks that
 * publish them and the alarms and dashboard that read them agree. Every metric carries exactly
 * these dimensions (no Powertools `service` dimension): an alarm matches a metric only when the
 * dimension sets are identical.
 */
export const DR_METRICS = {
  namespace: 'Pendulum',
  /** Per tier: the age of the oldest of the tier's newest recovery points. Dimensions App, Tier. */
  recoveryPointAge: 'RecoveryPointAgeSeconds',
  /** Per tier: resources with no available recovery point. Dimensions App, Tier. */
  resourcesWithoutRecoveryPoint: 'ResourcesWithoutRecoveryPoint',
  /** Per tier: a protection run that did not start because another run of the tier was in progress. Dimensions App, Tier. */
  protectionRunsSkipped: 'ProtectionRunsSkipped',
  /** Per drill: 1 when the drill passed, 0 when it failed. Dimension App. */
  drillPassed: 'DrillPassed',
  /** Per drill: measured time from the drill's start to DNS in sync. Dimension App. */
  drillRto: 'DrillRtoSeconds',
} as const;

export const DR_DIMENSIONS = { app: 'App', tier: 'Tier' } as const;

/**
 * What `RecoveryPointAgeSeconds` reports for a resource without any recovery point: ten years, far
 * above any RPO, so the tier's alarm fires and the graph shows it plainly.
 */
export const MISSING_AGE_SECONDS = 10 * 365 * 86_400;
