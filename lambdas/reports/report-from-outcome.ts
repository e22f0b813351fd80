/**
 * A run's outcome document (what RecordFailover or RecordFailoverFailure wrote to the artifact
 * bucket, and their failback and drill counterparts) as the RunReport the renderers take. Pure:
 * the caller reads the documents and, when it can, the execution history for the timeline.
 * Fields a workflow did not record are left empty rather than guessed.
 */
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type {
  DnsZoneDiff,
  ReportWorkflow,
  ResourceRecord,
  RunReport,
  TierTarget,
  TimelineStep,
} from './run-report-model';

/** The fields of an outcome document this mapping reads; every one is optional. */
export interface OutcomeDocument {
  workflow?: string;
  status?: string;
  app?: string;
  runId?: string;
  reason?: string;
  startedAt?: string;
  completedAt?: string;
  failedAt?: string;
  sourceRegion?: string;
  activeRegion?: string;
  targetRegion?: string;
  fromRegion?: string;
  toRegion?: string;
  metrics?: {
    rtoSeconds?: number;
    tiers?: {
      tier: string;
      rtoTargetSeconds: number;
      rpoTargetSeconds: number;
      readySeconds?: number;
      worstRpoSeconds?: number;
      rtoMet?: boolean;
      rpoMet?: boolean;
      rtoMissed?: {
        elapsedSeconds?: number;
        laggardCount?: number;
        laggards?: { id?: string; state?: string }[];
      };
    }[];
  };
  inventory?: {
    kind?: string;
    tier?: string;
    role?: string;
    source?: string;
    recovered?: string;
    result?: string;
    from?: string;
    created?: boolean;
    action?: string;
    finalSnapshot?: string;
  }[];
  created?: { source?: string; recovered?: string; kind?: string; tier?: string; role?: string }[];
  /** Failback: what came home (lambdas/handlers/record-failback.ts). */
  home?: {
    kind?: string;
    tier?: string;
    role?: string;
    source?: string;
    recoveryId?: string;
    homeId?: string;
    created?: boolean;
  }[];
  /** Failback: the stale primary resources set aside. */
  setAside?: { kind?: string; id?: string; role?: string; tier?: string }[];
  /** Every hook result of the run (lambdas/hooks/hook-warnings.ts). */
  hooks?: {
    phase?: string;
    hook?: string;
    outcome?: string;
    reason?: string;
    attempts?: number;
    ms?: number;
  }[];
  warnings?: string[];
  /** Failover: the private zones associated with recovery VPCs (lambdas/handlers/record-failover.ts). */
  privateZoneAssociations?: {
    zone?: string;
    id?: string;
    region?: string;
    associatedByPendulum?: readonly string[];
    alreadyAssociated?: readonly string[];
  }[];
  /** Failback: a scheduled retirement of the recovery copies (lambdas/handlers/schedule-retirement.ts). */
  retirement?: { scheduledFor?: string; schedule?: string };
  error?: string;
  message?: string;
  failedState?: string;
  keys?: { dnsCutover?: string; [key: string]: unknown };
  [other: string]: unknown;
}

/** The DNS cutover artifact (lambdas/failover/dns-cutover.ts `DnsCutover`), as stored. */
export interface DnsCutoverDocument {
  zones?: { name?: string; written?: ResourceRecordSet[]; before?: (ResourceRecordSet | null)[] }[];
}

export interface ReportExtras {
  /** The plan's regions, for documents that do not name both. */
  readonly primaryRegion: string;
  readonly recoveryRegion: string;
  readonly dnsCutover?: DnsCutoverDocument;
  readonly timeline?: TimelineStep[];
}

const WORKFLOWS: readonly ReportWorkflow[] = ['failover', 'failback', 'drill'];

function recordValues(record: ResourceRecordSet | null | undefined): string[] {
  if (!record) return [];
  if (record.AliasTarget?.DNSName) return [`ALIAS ${record.AliasTarget.DNSName}`];
  return (record.ResourceRecords ?? []).flatMap((r) => (r.Value === undefined ? [] : [r.Value]));
}

export function dnsFromCutover(cutover: DnsCutoverDocument | undefined): DnsZoneDiff[] {
  return (cutover?.zones ?? []).map((zone) => ({
    zone: zone.name ?? '',
    changes: (zone.written ?? []).flatMap((written, i) => {
      const before = recordValues(zone.before?.[i]);
      const after = recordValues(written);
      if (JSON.stringify(before) === JSON.stringify(after)) return [];
      return [
        {
          name: written.Name ?? '',
          type: written.Type ?? '',
          ...(written.SetIdentifier ? { setIdentifier: written.SetIdentifier } : {}),
          before,
          after,
        },
      ];
    }),
  }));
}

function resourceAction(value: string | undefined, created: boolean | undefined): ResourceRecord['action'] {
  const known: ResourceRecord['action'][] = ['created', 'reused', 'retained', 'retired', 'set-aside'];
  if (value && (known as string[]).includes(value)) return value as ResourceRecord['action'];
  return created === false ? 'reused' : 'created';
}

export function reportFromOutcome(outcome: OutcomeDocument, extras: ReportExtras): RunReport {
  const workflow = (WORKFLOWS as readonly string[]).includes(outcome.workflow ?? '')
    ? (outcome.workflow as ReportWorkflow)
    : 'failover';
  const towardsPrimary = workflow === 'failback';
  const fromRegion =
    outcome.fromRegion ??
    outcome.sourceRegion ??
    (towardsPrimary ? extras.recoveryRegion : extras.primaryRegion);
  const toRegion =
    outcome.toRegion ??
    outcome.targetRegion ??
    outcome.activeRegion ??
    (towardsPrimary ? extras.primaryRegion : extras.recoveryRegion);

  const targets: TierTarget[] = (outcome.metrics?.tiers ?? []).map((t) => ({
    tier: t.tier,
    rtoTargetSeconds: t.rtoTargetSeconds,
    rpoTargetSeconds: t.rpoTargetSeconds,
    ...(t.readySeconds !== undefined ? { rtoSeconds: t.readySeconds } : {}),
    ...(t.worstRpoSeconds !== undefined ? { worstRpoSeconds: t.worstRpoSeconds } : {}),
    ...(t.rtoMet !== undefined ? { rtoMet: t.rtoMet } : {}),
    ...(t.rpoMet !== undefined ? { rpoMet: t.rpoMet } : {}),
    ...(t.rtoMissed
      ? {
          rtoMissed: {
            elapsedSeconds: t.rtoMissed.elapsedSeconds ?? t.rtoTargetSeconds,
            laggardCount: t.rtoMissed.laggardCount ?? t.rtoMissed.laggards?.length ?? 0,
            laggards: (t.rtoMissed.laggards ?? []).map((l) => ({ id: l.id ?? '', state: l.state ?? '' })),
          },
        }
      : {}),
  }));

  const resources: ResourceRecord[] = [
    ...(outcome.inventory ?? []).map((r) => ({
      kind: reportKind(r.kind),
      tier: r.tier ?? '',
      role: r.role ?? '',
      source: r.source ?? r.from ?? '',
      result: r.recovered ?? r.result ?? '',
      action: resourceAction(r.action, r.created),
      ...(r.finalSnapshot ? { finalSnapshot: r.finalSnapshot } : {}),
    })),
    ...(outcome.home ?? []).map((r) => ({
      kind: reportKind(r.kind),
      tier: r.tier ?? '',
      role: r.role ?? '',
      source: r.recoveryId ?? r.source ?? '',
      result: r.homeId ?? '',
      action: r.created === false ? ('reused' as const) : ('created' as const),
    })),
    ...(outcome.setAside ?? []).map((r) => ({
      kind: reportKind(r.kind),
      tier: r.tier ?? '',
      role: r.role ?? '',
      source: r.id ?? '',
      result: r.id ?? '',
      action: 'set-aside' as const,
    })),
    ...(outcome.inventory ? [] : (outcome.created ?? [])).map((r) => ({
      kind: reportKind(r.kind),
      tier: r.tier ?? '',
      role: r.role ?? '',
      source: r.source ?? '',
      result: r.recovered ?? '',
      action: 'created' as const,
    })),
  ];

  const completedAt = outcome.completedAt ?? outcome.failedAt;
  return {
    workflow,
    app: outcome.app ?? '',
    runId: outcome.runId ?? '',
    status: outcome.status ?? 'UNKNOWN',
    startedAt: outcome.startedAt ?? completedAt ?? '',
    ...(completedAt ? { completedAt } : {}),
    fromRegion,
    toRegion,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.retirement?.scheduledFor
      ? {
          retirement: `recovery copies kept until the retirement scheduled for ${outcome.retirement.scheduledFor}${outcome.retirement.schedule ? ` (schedule ${outcome.retirement.schedule})` : ''}`,
        }
      : {}),
    timeline: extras.timeline ?? [],
    targets,
    ...(outcome.metrics?.rtoSeconds !== undefined ? { rtoSeconds: outcome.metrics.rtoSeconds } : {}),
    resources,
    dns: dnsFromCutover(extras.dnsCutover),
    ...(outcome.privateZoneAssociations?.length
      ? {
          privateZones: outcome.privateZoneAssociations.map((z) => ({
            zone: z.zone ?? '',
            id: z.id ?? '',
            region: z.region ?? '',
            associatedByPendulum: [...(z.associatedByPendulum ?? [])],
            alreadyAssociated: [...(z.alreadyAssociated ?? [])],
          })),
        }
      : {}),
    gates: [],
    hooks: (outcome.hooks ?? []).map((h) => ({
      phase: h.phase ?? '',
      hook: h.hook ?? '',
      outcome: h.outcome ?? '',
      ...(h.reason === undefined ? {} : { reason: h.reason }),
      attempts: h.attempts ?? 0,
      ms: h.ms ?? 0,
    })),
    warnings: outcome.warnings ?? [],
    errors: outcome.error
      ? [
          {
            ...(outcome.failedState ? { state: outcome.failedState } : {}),
            error: outcome.error,
            cause: outcome.message ?? '',
          },
        ]
      : [],
  };
}

/** A recorded kind as the report knows it; anything unknown is read as EC2, as before clusters. */
function reportKind(kind: string | undefined): ResourceRecord['kind'] {
  return kind === 'rds' || kind === 'aurora' ? kind : 'ec2';
}
