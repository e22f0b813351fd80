/**
 * What capturing one source needs to know and reports back. Forward (the app runs in the primary
 * region): capture in the primary → copy in the recovery region → intermediate removed. Reverse
 * (the app runs in the recovery region after a failover): capture in the recovery region, kept
 * there as a point, → copy in the primary region, which failback's sync builds on. One step
 * further each time it is asked; what an earlier attempt made is found by its tags and reused.
 */

import type { CopyKey, CopyService } from '../encryption/copy-key';
import type { SourceEncryption } from '../encryption/key-resolver';
import { settableTags } from './estate-tags';
import { REVERSE_POINT_KIND, TAG } from './recovery-point';
import type { ProtectedSource } from './resolve-protected-sources';

/** `forward`: protect the primary estate into the recovery region; `reverse`: the other way. */
export type ProtectionDirection = 'forward' | 'reverse';

export interface CaptureContext {
  readonly app: string;
  readonly tier: string;
  /** The protection run (the workflow execution name): the idempotency key of every capture. */
  readonly protectRun: string;
  readonly direction: ProtectionDirection;
  /** Where the sources run and are imaged or snapshotted (the active region). */
  readonly captureRegion: string;
  /** Where the copies go (the other region). */
  readonly copyRegion: string;
  /** Reverse only: the failover episode whose recovered estate is protected. */
  readonly failoverId?: string;
  /** Image instances without rebooting them (crash-consistent). */
  readonly noReboot: boolean;
  /** Capture time for new points: it names them and becomes their `taken-at` tag. */
  readonly now: Date;
  /** The key a source's copy in `copyRegion` is encrypted with, by the plan (see encryption/copy-key). */
  readonly copyKey: (
    source: ProtectedSource,
    service: CopyService,
    encryption: SourceEncryption,
  ) => Promise<CopyKey>;
}

export type CaptureState = 'available' | 'pending' | 'failed';

export interface CaptureOutcome {
  readonly source: string;
  /**
   * This call advanced the capture (made the image or snapshot, copied it, or removed the
   * intermediate); false when an earlier attempt of the same run had already done all of that.
   */
  readonly worked: boolean;
  /**
   * State of the recovery-region copy: `pending` while the image, snapshot or copy is being made;
   * `gone` when the source disappeared before it could be captured.
   */
  readonly state: CaptureState | 'gone';
  /** The recovery point's id in the recovery region, once the copy exists. */
  readonly id?: string;
  readonly takenAt?: string;
  /** Why a capture failed. */
  readonly problem?: string;
}

export const RECOVERY_POINT_KIND_TAG_VALUE = 'recovery-point';

/** The `pendulum:kind` of the points a direction makes. */
export function pointKind(direction: ProtectionDirection): string {
  return direction === 'reverse' ? REVERSE_POINT_KIND : RECOVERY_POINT_KIND_TAG_VALUE;
}

/**
 * The tags every recovery point (and its intermediate, or for reverse its partner) carries: its
 * source's own that travel (see estate-tags), so failover can give them to the recovered resource
 * without asking the (possibly unavailable) region of the source, and Pendulum's.
 */
export function pointTags(ctx: CaptureContext, source: ProtectedSource): Record<string, string> {
  const tags: Record<string, string> = {
    ...source.tags,
    [TAG.app]: ctx.app,
    [TAG.tier]: ctx.tier,
    [TAG.role]: source.role,
    [TAG.source]: source.id,
    [TAG.takenAt]: ctx.now.toISOString(),
    [TAG.protectRun]: ctx.protectRun,
    [TAG.kind]: pointKind(ctx.direction),
  };
  if (source.sourceType) tags[TAG.sourceType] = source.sourceType;
  if (ctx.direction === 'reverse') {
    if (source.origin) tags[TAG.origin] = source.origin;
    if (ctx.failoverId) tags[TAG.failover] = ctx.failoverId;
  }
  return tags;
}

/**
 * What a copy is given of its intermediate's tags: all but AWS's reserved ones, i.e. Pendulum's
 * and the source's that travel (CopyImage copies no tags; CopyDBSnapshot is told exactly which).
 */
export function copiedPointTags(tags: Record<string, string>): Record<string, string> {
  return settableTags(tags);
}

export function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

/**
 * Whether a resource found by this run's deterministic name was made by another run (or app):
 * such a resource is never adopted, so one run can never relabel another run's recovery point.
 */
export function madeByAnotherRun(tags: Record<string, string>, ctx: CaptureContext): boolean {
  const run = tags[TAG.protectRun];
  const app = tags[TAG.app];
  return (run !== undefined && run !== ctx.protectRun) || (app !== undefined && app !== ctx.app);
}
