import type { ModeledRto } from './modeled-time';
/**
 * What a rehearsal returns: every check with its verdict, the phases and workflow runs with their
 * wall times, and where the reports went. `--json` prints it; the test reads it.
 */
import type { Check } from './rehearsal-checks';

/** The phases of the story, in order. */
export const PHASES = [
  'setup',
  'register',
  'protect',
  'failover',
  'interim',
  'reconcile',
  'failback',
  'verify',
  'reports',
] as const;
export type PhaseName = (typeof PHASES)[number];

/** Phases a test may leave out to prove that the checks notice (never offered on the command line). */
export type SkippablePhase = 'failover' | 'interim' | 'failback';

export interface PhaseTiming {
  readonly name: PhaseName;
  readonly title: string;
  readonly status: 'done' | 'failed' | 'skipped';
  readonly ms: number;
  /** With `--aws realistic`: how long the phase's workflow runs would take on AWS. */
  readonly modeledMs?: number;
}

export interface WorkflowRunSummary {
  readonly workflow: string;
  /** The execution name, which the workflows use as their run id. */
  readonly runId: string;
  readonly dryRun: boolean;
  readonly status: string;
  readonly ms: number;
  readonly states: number;
  /** With `--aws realistic`: how long the run would take on AWS (virtual time). */
  readonly modeledMs?: number;
  readonly error?: string;
  readonly message?: string;
}

export interface ReconciliationSummary {
  readonly preserved: number;
  readonly conflicts: number;
  readonly dnsChanges: number;
  readonly instancesHome: number;
  readonly databasesHome: number;
  readonly setAside: number;
}

export interface RehearsalReports {
  readonly dir: string;
  readonly summary?: string;
  readonly failover?: { readonly markdown: string; readonly html: string };
  readonly failback?: { readonly markdown: string; readonly html: string };
}

export interface IamSummary {
  /** `enforce`, or `off` when the rehearsal was asked to run without it. */
  readonly mode: 'enforce' | 'off';
  readonly authorized: number;
  readonly denied: number;
  /** Task roles that made at least one call. */
  readonly roles: number;
}

export interface RehearsalResult {
  /** Every check passed and every phase ran to the end. */
  readonly ok: boolean;
  readonly planFile: string;
  readonly app: string;
  readonly primaryRegion: string;
  readonly recoveryRegion: string;
  /** Where moto listened (it is stopped when the rehearsal returns). */
  readonly localAwsEndpoint: string;
  readonly healthUrl: string;
  /** The plan's health port was taken, so the plan in memory points at another. */
  readonly healthPortMoved: boolean;
  readonly startedAt: string;
  readonly totalMs: number;
  readonly phases: PhaseTiming[];
  readonly runs: WorkflowRunSummary[];
  readonly reconciliation?: ReconciliationSummary;
  readonly interimChanges: string[];
  readonly checks: Check[];
  readonly reports: RehearsalReports;
  /** Every AWS call the tasks made, authorized against their synthesized roles. */
  readonly iam: IamSummary;
  /** Which local AWS played the story. */
  readonly aws: 'instant' | 'realistic';
  /** With `--aws realistic`: the failover's modeled RTO, start to DNS in sync, and per tier. */
  readonly modeledRto?: ModeledRto;
  /** What stopped the story, when something did. */
  readonly error?: string;
}
