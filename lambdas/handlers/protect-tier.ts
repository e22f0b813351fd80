/**
 * Protects one tier: captures every source resource of the tier in the primary region, copies the
 * captures into the recovery region as recovery points, and prunes points beyond the plan's
 * retention (never the newest). Idempotent per `protectRun`: a retry or re-run finds what earlier
 * attempts made and carries on. While captures are still being made it throws NotReadyError, and
 * the workflow asks again later.
 */
import { z } from 'zod';
import {
  captureInstances,
  listAmiRecoveryPoints,
  pruneAmiRecoveryPoints,
} from '../recovery-points/ami-recovery-points';
import type { CaptureContext, CaptureOutcome } from '../recovery-points/capture';
import {
  captureDatabases,
  listDbRecoveryPoints,
  pruneDbRecoveryPoints,
} from '../recovery-points/db-recovery-points';
import { resolveProtectedSources } from '../recovery-points/resolve-protected-sources';
import { pointsToPrune } from '../recovery-points/retention';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { taskConfig } from '../runtime/task-config';
import { InvalidInputError, NotReadyError } from '../runtime/task-errors';
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
});

export type ProtectTierInput = z.input<typeof inputSchema>;

/** Kept small on purpose: it travels in the workflow state. */
export interface ProtectTierResult {
  readonly tier: string;
  readonly protectRun: string;
  /**
   * Sources whose recovery point this invocation made or finished (imaged/snapshotted, copied, or
   * intermediate removed): after NotReadyError retries, the last attempt counts every point it completed.
   */
  readonly captured: number;
  /** Sources whose recovery point for this run was already complete: nothing was made for them. */
  readonly reused: number;
  /** Recovery points deleted by retention. */
  readonly pruned: number;
  /** Sources named in the plan (or selected and then gone) that could not be captured. */
  readonly missing: number;
  /** Capture time of the tier's newest available recovery point. */
  readonly newestTakenAt: string | null;
}

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
    const now = input.now ? new Date(input.now) : (deps.now ?? (() => new Date()))();
    const { primaryRegion, recoveryRegion } = plan;
    const ctx: CaptureContext = {
      app: plan.app,
      tier: tier.name,
      protectRun: input.protectRun,
      primaryRegion,
      recoveryRegion,
      noReboot: plan.protection.noReboot,
      now,
    };

    const resolved = await resolveProtectedSources(
      { ec2: clients.ec2(primaryRegion), rds: clients.rds(primaryRegion) },
      tier,
    );
    if (resolved.missing.length > 0)
      logger.error('protected resources not found in the primary region', {
        tier: tier.name,
        missing: resolved.missing.slice(0, 50),
      });
    if (resolved.unsupported.length > 0)
      logger.warn('resources Pendulum cannot protect yet were skipped', {
        unsupported: resolved.unsupported,
      });

    const [instances, databases] = await Promise.all([
      captureInstances(
        { primary: clients.ec2(primaryRegion), recovery: clients.ec2(recoveryRegion) },
        resolved.sources,
        ctx,
      ),
      captureDatabases(
        { primary: clients.rds(primaryRegion), recovery: clients.rds(recoveryRegion) },
        resolved.sources,
        ctx,
      ),
    ]);
    const outcomes: CaptureOutcome[] = [...instances, ...databases];
    const failed = outcomes.filter((o) => o.state === 'failed');
    if (failed.length > 0) {
      const problems = failed.slice(0, 10).map((o) => o.problem ?? `${o.source} failed`);
      throw new Error(`${failed.length} capture(s) in tier ${tier.name} failed: ${problems.join('; ')}`);
    }
    const pending = outcomes.filter((o) => o.state === 'pending');
    if (pending.length > 0) {
      throw new NotReadyError(
        `${pending.length} of ${outcomes.length} recovery point(s) of tier ${tier.name} are still being made`,
        { tier: tier.name, pending: pending.length, sample: pending.slice(0, 5).map((o) => o.source) },
      );
    }

    // Retention, per source, over this tier's points only.
    const ec2Recovery = clients.ec2(recoveryRegion);
    const rdsRecovery = clients.rds(recoveryRegion);
    const [amis, snapshots] = await Promise.all([
      listAmiRecoveryPoints(ec2Recovery, plan.app),
      listDbRecoveryPoints(rdsRecovery, plan.app),
    ]);
    const tierPoints = [...amis, ...snapshots].filter((p) => p.tier === tier.name);
    const prune = pointsToPrune(tierPoints, plan.protection.retain);
    const [prunedAmis, prunedSnapshots] = await Promise.all([
      pruneAmiRecoveryPoints(ec2Recovery, prune),
      pruneDbRecoveryPoints(rdsRecovery, prune),
    ]);
    const prunedIds = new Set(prune.map((p) => p.id));
    let newestTakenAt: string | null = null;
    for (const point of tierPoints) {
      if (point.state !== 'available' || prunedIds.has(point.id)) continue;
      if (newestTakenAt === null || Date.parse(point.takenAt) > Date.parse(newestTakenAt))
        newestTakenAt = point.takenAt;
    }

    const result: ProtectTierResult = {
      tier: tier.name,
      protectRun: input.protectRun,
      captured: outcomes.filter((o) => o.worked).length,
      reused: outcomes.filter((o) => !o.worked && o.state === 'available').length,
      pruned: prunedAmis + prunedSnapshots,
      missing: resolved.missing.length + outcomes.filter((o) => o.state === 'gone').length,
      newestTakenAt,
    };
    logger.info('tier protected', { ...result });
    return result;
  };
}

export const handler = makeProtectTierHandler();
