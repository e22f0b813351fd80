/**
 * What a run report shows: one failover, failback or drill, gathered after the run ends.
 * Pure data: the renderers turn it into Markdown and a self-contained HTML page without calling AWS.
 * Times are ISO 8601 strings; durations are seconds unless a field says otherwise.
 */

export type ReportWorkflow = 'failover' | 'failback' | 'drill';

/** Statuses the workflows end in; any other string is shown as it is. */
export type KnownRunStatus =
  | 'FAILED_OVER'
  | 'PRIMARY_ACTIVE'
  | 'FAILOVER_FAILED'
  | 'FAILBACK_FAILED'
  | 'DRILL_PASSED'
  | 'DRILL_FAILED';
// `string & {}` keeps the known names in editor completion while allowing others.
export type RunStatus = KnownRunStatus | (string & {});

export type StepKind = 'task' | 'wait' | 'map' | 'parallel' | 'choice' | 'other';
export type StepOutcome = 'succeeded' | 'failed' | 'caught';

/** One state execution: one bar in the timeline. */
export interface TimelineStep {
  /** State name; inside a Map iteration `Name (tier i)`. */
  name: string;
  kind: StepKind;
  /** The tier a Map iteration worked on, when known. */
  tier?: string;
  startedAt: string;
  endedAt: string;
  outcome: StepOutcome;
}

export interface TierTarget {
  tier: string;
  rtoTargetSeconds: number;
  rpoTargetSeconds: number;
  /** From the start of the run until the tier was ready. */
  rtoSeconds?: number;
  /** From the start of the tier's recovery until it was ready. */
  readySeconds?: number;
  /** Age of the oldest recovery point the tier was restored from. */
  worstRpoSeconds?: number;
  /** When absent, derived from `rtoSeconds <= rtoTargetSeconds` if `rtoSeconds` is known. */
  rtoMet?: boolean;
  /** When absent, derived from `worstRpoSeconds <= rpoTargetSeconds` if `worstRpoSeconds` is known. */
  rpoMet?: boolean;
  /** The tier was still recovering at its RTO; recovery went on. What it was waiting for then. */
  rtoMissed?: RtoMissRecord;
}

export interface RtoMissRecord {
  /** From the start of the run to the check that found the RTO missed. */
  elapsedSeconds: number;
  laggardCount: number;
  /** The first laggards, with their state then (`not-visible-yet`, `pending`, `creating`, …). */
  laggards: { id: string; state: string }[];
}

export type ResourceAction = 'created' | 'reused' | 'retained' | 'retired' | 'set-aside';

export interface ResourceRecord {
  kind: 'ec2' | 'rds' | 'aurora';
  tier: string;
  role: string;
  /** The protected resource (or recovery point) it came from. */
  source: string;
  /** The recovered id, or the new primary's id. */
  result: string;
  action: ResourceAction;
  finalSnapshot?: string;
}

export interface DnsChange {
  name: string;
  type: string;
  setIdentifier?: string;
  /** Record values before the run; empty when the record set did not exist. */
  before: string[];
  /** Record values after the run; empty when the record set was deleted. */
  after: string[];
  reason?: string;
}

export interface DnsZoneDiff {
  zone: string;
  changes: DnsChange[];
}

export interface ReconciliationDecision {
  key: string;
  action: string;
  reason: string;
}

export interface ReconciliationConflict {
  key: string;
  kind: string;
  now: string[];
  desired: string[];
  resolution: string;
}

export interface PreservedChange {
  key: string;
  reason: string;
}

export interface Reconciliation {
  decisions: ReconciliationDecision[];
  conflicts: ReconciliationConflict[];
  preserved: PreservedChange[];
}

export type GateDecision = 'passed' | 'blocked' | 'waited' | 'skipped';

export interface GateRecord {
  name: string;
  decision: GateDecision;
  detail: string;
  at?: string;
}

export interface HookRecord {
  phase: string;
  hook: string;
  outcome: string;
  reason?: string;
  attempts: number;
  ms: number;
}

export interface RunErrorRecord {
  state?: string;
  error: string;
  cause: string;
}

export interface PrivateZoneRecord {
  zone: string;
  id: string;
  region: string;
  associatedByPendulum: string[];
  alreadyAssociated: string[];
}

export interface RunReport {
  workflow: ReportWorkflow;
  app: string;
  runId: string;
  status: RunStatus;
  startedAt: string;
  completedAt?: string;
  fromRegion: string;
  toRegion: string;
  reason?: string;
  /** Failback: when the recovery copies are retired, if that happens after the run. */
  retirement?: string;
  timeline: TimelineStep[];
  targets: TierTarget[];
  /** Overall RTO: from the start of the run until the last tier was ready (or DNS moved). */
  rtoSeconds?: number;
  resources: ResourceRecord[];
  dns: DnsZoneDiff[];
  /**
   * Failover: each private zone and the recovery-region VPCs it resolves in, told apart by who
   * associated them (Pendulum keeps them for failback and never removes one). Absent without
   * private zones.
   */
  privateZones?: PrivateZoneRecord[];
  reconciliation?: Reconciliation;
  gates: GateRecord[];
  hooks: HookRecord[];
  /** What a successful run leaves to look at, e.g. a post-phase hook that failed after DNS moved. */
  warnings?: string[];
  errors: RunErrorRecord[];
}
