/**
 * Protects one tier: captures every source resource of the tier where production runs, copies the
 * captures into the other region as recovery points, and prunes points beyond the plan's
 * retention (never the newest). Forward (the app in the primary): primary → recovery region.
 * Reverse (`active.direction`, while failed over): the recovered estate of the failover outcome's
 * inventory, captured and kept in the recovery region and copied to the primary region, where
 * failback's sync builds on them; never the stale primary. Idempotent per `protectRun`: every call finds what earlier calls
 * made and moves each capture one step further. While captures are still being made it answers
 * `done: false` with when to ask again (the workflow waits and calls it again); once the run has
 * waited longer than the plan's `protection.copyCap` it fails with CopyCapExceededError naming
 * what is still pending.
 */
import { z } from 'zod';
import { ArtifactStore } from '../artifacts/artifact-store';
import { keyResolver } from '../encryption/key-resolver';
import { resourceOfRole } from '../encryption/resource-of-role';
import { formatDuration } from '../plan/duration';
import { preflightClients } from '../preflight/preflight-clients';
import { refuseOnProblems } from '../preflight/refuse-on-problems';
import { PREFLIGHT_SCOPES, runPreflight } from '../preflight/run-preflight';
import {
  captureInstances,
  listAmiRecoveryPoints,
  pruneAmiRecoveryPoints,
} from '../recovery-points/ami-recovery-points';
import type { CaptureContext, CaptureOutcome, ProtectionDirection } from '../recovery-points/capture';
import { captureClusters } from '../recovery-points/cluster-capture';
import { pruneClusterRecoveryPoints } from '../recovery-points/cluster-recovery-points';
import {
  captureDatabases,
  listDbRecoveryPoints,
  pruneDbRecoveryPoints,
} from '../recovery-points/db-recovery-points';
import { ESTATE_TAGS_MAX } from '../recovery-points/estate-tags';
import { copyCapSeconds, describePending, nextPollSeconds } from '../recovery-points/protection-run';
import { type RecoveredResource, resolveRecoveredSources } from '../recovery-points/recovered-sources';
import { resolveProtectedSources } from '../recovery-points/resolve-protected-sources';
import { pointsToPrune } from '../recovery-points/retention';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { taskConfig } from '../runtime/task-config';
import { CopyCapExceededError, InvalidInputError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const inputSchema = z.strictObject({
  tier: z.string().min(1).max(64),
  /** The protection run, normally the workflow execution name: the idempotency key. */
  protectRun: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:/=+@-]+$/, 'expected letters, digits and _ . : / = + - @'),
  /** Capture time for new recovery points. @default the current time */
  now: z.iso.datetime({ offset: true }).optional(),
  /** When the protection run started: `protection.copyCap` counts from here. @default now */
  startedAt: z.iso.datetime({ offset: true }).optional(),
  /** When this tier was first asked (the previous answer's `polledSince`): the poll backoff counts from here. */
  polledSince: z.iso.datetime({ offset: true }).optional(),
  /** Which way the run protects, as take-protect-lease decided it. @default forward */
  active: z
    .strictObject({
      direction: z.enum(['forward', 'reverse']),
      captureRegion: z.string().min(1),
      copyRegion: z.string().min(1),
      outcomeKey: z.string().min(1).optional(),
      failoverId: z.string().min(1).optional(),
    })
    .optional(),
});

export type ProtectTierInput = z.input<typeof inputSchema>;

/** Kept small on purpose: it travels in the workflow state. */
export interface ProtectTierResult {
  readonly tier: string;
  readonly protectRun: string;
  /** `forward` (the primary estate) or `reverse` (the recovered estate, while failed over). */
  readonly direction: ProtectionDirection;
  /**
   * Sources whose recovery point this invocation advanced (imaged/snapshotted, copied, or
   * intermediate removed): over several polls, the last one counts every point it completed.
   */
  readonly captured: number;
  /** Sources whose recovery point for this run was already complete: nothing was made for them. */
  readonly reused: number;
  /** Recovery points deleted by retention. */
  readonly pruned: number;
  /** Sources named in the plan (or selected and then gone) that could not be captured. */
  readonly missing: number;
  /**
   * Sources with more own tags than travel with their recovery points (see estate-tags): they
   * are protected all the same, e.g. `i-0abc: Team, Zone`. Absent when every tag travels.
   */
  readonly droppedTags?: readonly string[];
  /** Capture time of the tier's newest available recovery point (once done; null before). */
  readonly newestTakenAt: string | null;
  /** Every capture is complete and retention has been applied. */
  readonly done: boolean;
  /** Recovery points still being made. */
  readonly pending: number;
  /** A few of them, e.g. `i-0abc (copy ami-123 in us-west-2)`. */
  readonly pendingSample: readonly string[];
  /** When the tier was first asked; pass it back as `polledSince`. */
  readonly polledSince: string;
  /** How long to wait before asking again (bounded backoff). */
  readonly nextPollSeconds: number;
}

const PENDING_SAMPLE = 5;
const DROPPED_TAGS_SAMPLE = 5;

export function makeProtectTierHandler(deps: { clients?: AwsClients; now?: () => Date } = {}) {
  return async (event: unknown): Promise<ProtectTierResult> => {
    const input = parseTaskInput(inputSchema, event, 'protect-tier');
    const { plan } = taskConfig();
    const tier = plan.tiers.find((t) => t.name === input.tier);
    if (!tier) {
      throw new InvalidInputError(
        `unknown tier ${JSON.stringify(input.tier)}; the plan's tiers are ${plan.tiers.map((t) => t.name).join(', ')}`,
        { tier: input.tier },
      );
    }
    const clients = deps.clients ?? defaultAwsClients();
    const clock = deps.now ?? (() => new Date());
    const askedAt = clock();
    const now = input.now ? new Date(input.now) : askedAt;
    const startedAt = input.startedAt ? new Date(input.startedAt) : askedAt;
    const polledSince = input.polledSince ? new Date(input.polledSince) : askedAt;
    const direction = input.active?.direction ?? 'forward';
    const captureRegion = input.active?.captureRegion ?? plan.primaryRegion;
    const copyRegion = input.active?.copyRegion ?? plan.recoveryRegion;
    if (direction === 'reverse' && !input.active?.outcomeKey)
      throw new InvalidInputError('reverse protection needs active.outcomeKey (the failover outcome)', {
        path: 'active.outcomeKey',
      });
    // A tier's first call checks its sources and their keys before anything is made (reverse
    // protection captures the recovered estate, which failover made). Gone sources stay `missing`.
    if (direction === 'forward' && !input.polledSince) {
      const report = await runPreflight(preflightClients(clients), plan, PREFLIGHT_SCOPES.protect(tier.name));
      refuseOnProblems(
        { problems: report.problems.filter((p) => p.check !== 'missing') },
        `protection of tier ${tier.name}`,
      );
    }
    const keys = keyResolver(plan, (region) => clients.kms(region));
    const ctx: CaptureContext = {
      app: plan.app,
      tier: tier.name,
      protectRun: input.protectRun,
      direction,
      captureRegion,
      copyRegion,
      ...(input.active?.failoverId ? { failoverId: input.active.failoverId } : {}),
      noReboot: plan.protection.noReboot,
      now,
      copyKey: (source, service, encryption) =>
        keys.copyKey({
          resource: resourceOfRole(tier, source.role),
          service,
          source: encryption,
          sourceRegion: captureRegion,
          destinationRegion: copyRegion,
        }),
    };

    const active = { ec2: clients.ec2(captureRegion), rds: clients.rds(captureRegion) };
    const resolved =
      direction === 'reverse'
        ? await resolveRecoveredSources(
            active,
            tier,
            (
              await new ArtifactStore(clients.s3(), taskConfig().bucketName).getJson<{
                inventory: RecoveredResource[];
              }>(input.active?.outcomeKey as string)
            ).inventory,
            { app: plan.app, ...(ctx.failoverId ? { failoverId: ctx.failoverId } : {}) },
          )
        : await resolveProtectedSources(active, tier, plan.app);
    if (resolved.missing.length > 0)
      logger.error(`protected resources not found in ${captureRegion}`, {
        tier: tier.name,
        direction,
        missing: resolved.missing.slice(0, 50),
      });
    // The source is protected all the same: only these tags do not travel with its copies.
    if (resolved.droppedTags.length > 0)
      logger.warn(
        `sources with more than ${ESTATE_TAGS_MAX} own tags: the rest do not travel with their copies`,
        {
          tier: tier.name,
          droppedTags: resolved.droppedTags.slice(0, 50),
        },
      );

    const rdsClients = { capture: clients.rds(captureRegion), copy: clients.rds(copyRegion) };
    const [instances, databases, clusters] = await Promise.all([
      captureInstances(
        { capture: clients.ec2(captureRegion), copy: clients.ec2(copyRegion) },
        resolved.sources,
        ctx,
      ),
      captureDatabases(rdsClients, resolved.sources, ctx),
      captureClusters(rdsClients, resolved.sources, ctx),
    ]);
    const outcomes: CaptureOutcome[] = [...instances, ...databases, ...clusters];
    const failed = outcomes.filter((o) => o.state === 'failed');
    if (failed.length > 0) {
      const problems = failed.slice(0, 10).map((o) => o.problem ?? `${o.source} failed`);
      throw new Error(`${failed.length} capture(s) in tier ${tier.name} failed: ${problems.join('; ')}`);
    }
    const base = {
      tier: tier.name,
      protectRun: input.protectRun,
      direction,
      captured: outcomes.filter((o) => o.worked).length,
      reused: outcomes.filter((o) => !o.worked && o.state === 'available').length,
      missing: resolved.missing.length + outcomes.filter((o) => o.state === 'gone').length,
      ...(resolved.droppedTags.length > 0
        ? {
            droppedTags: resolved.droppedTags
              .slice(0, DROPPED_TAGS_SAMPLE)
              .map(
                (d) =>
                  `${d.source}: ${d.keys.slice(0, 5).join(', ')}${d.keys.length > 5 ? ` and ${d.keys.length - 5} more` : ''}`,
              ),
          }
        : {}),
      polledSince: polledSince.toISOString(),
    };
    const pending = describePending(outcomes, { capture: captureRegion, copy: copyRegion });
    if (pending.length > 0) {
      const waitedSeconds = Math.round((askedAt.getTime() - startedAt.getTime()) / 1000);
      if (waitedSeconds > copyCapSeconds(plan))
        throw new CopyCapExceededError(
          `${pending.length} of ${outcomes.length} recovery point(s) of tier ${tier.name} still pending after ${formatDuration(waitedSeconds)} (protection.copyCap ${plan.protection.copyCap}): ${pending.slice(0, 10).join(', ')}${pending.length > 10 ? ', …' : ''}`,
          { tier: tier.name, pending: pending.slice(0, 50) },
        );
      const result: ProtectTierResult = {
        ...base,
        pruned: 0,
        newestTakenAt: null,
        done: false,
        pending: pending.length,
        pendingSample: pending.slice(0, PENDING_SAMPLE),
        nextPollSeconds: nextPollSeconds((askedAt.getTime() - polledSince.getTime()) / 1000),
      };
      logger.info('tier captures still being made', { ...result });
      return result;
    }

    // Retention, per source, over this tier's points only: in the copy region; reverse points
    // are kept in the capture region too, and pruned there alike. Cluster points are listed only
    // for a tier that has clusters: other estates ask nothing more.
    const keptIn = direction === 'reverse' ? [copyRegion, captureRegion] : [copyRegion];
    const withClusters = tier.resources.some((r) => 'aurora' in r);
    const retained = await Promise.all(
      keptIn.map((region) =>
        retainTierPoints(
          clients,
          region,
          plan.app,
          tier.name,
          direction,
          plan.protection.retain,
          withClusters,
        ),
      ),
    );
    const copies = retained[0] as RetainedPoints;
    const newestTakenAt = copies.newestTakenAt;

    const result: ProtectTierResult = {
      ...base,
      pruned: retained.reduce((n, r) => n + r.pruned, 0),
      newestTakenAt,
      done: true,
      pending: 0,
      pendingSample: [],
      nextPollSeconds: 0,
    };
    logger.info('tier protected', { ...result });
    return result;
  };
}

interface RetainedPoints {
  readonly pruned: number;
  /** Capture time of the tier's newest available point left in the region (null when none). */
  readonly newestTakenAt: string | null;
}

/** Applies the plan's retention to one region's points of a tier (one listing per service). */
async function retainTierPoints(
  clients: AwsClients,
  region: string,
  app: string,
  tier: string,
  direction: ProtectionDirection,
  retain: number,
  clusters: boolean,
): Promise<RetainedPoints> {
  const ec2 = clients.ec2(region);
  const rds = clients.rds(region);
  const [amis, snapshots] = await Promise.all([
    listAmiRecoveryPoints(ec2, app, direction),
    listDbRecoveryPoints(rds, app, { direction, clusters }),
  ]);
  const tierPoints = [...amis, ...snapshots].filter((p) => p.tier === tier);
  const prune = pointsToPrune(tierPoints, retain);
  const [prunedAmis, prunedSnapshots, prunedClusters] = await Promise.all([
    pruneAmiRecoveryPoints(ec2, prune),
    pruneDbRecoveryPoints(rds, prune),
    clusters ? pruneClusterRecoveryPoints(rds, prune) : 0,
  ]);
  const prunedIds = new Set(prune.map((p) => p.id));
  let newestTakenAt: string | null = null;
  for (const point of tierPoints) {
    if (point.state !== 'available' || prunedIds.has(point.id)) continue;
    if (newestTakenAt === null || Date.parse(point.takenAt) > Date.parse(newestTakenAt))
      newestTakenAt = point.takenAt;
  }
  return { pruned: prunedAmis + prunedSnapshots + prunedClusters, newestTakenAt };
}

export const handler = makeProtectTierHandler();
