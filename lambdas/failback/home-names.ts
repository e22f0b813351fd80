/**
 * Deterministic names and tags of everything failback makes or sets aside. The same failback
 * episode always gives the same names, so every retry finds what an earlier attempt made.
 */
import { episodeDbIdentifier } from '../failover/rds-recovery';
import { ownTags } from '../recovery-points/estate-tags';
import { TAG } from '../recovery-points/recovery-point';
import type { FailbackRun } from './failback-run';

/** Tag keys failback adds to those of recovery points (see TAG). */
export const FAILBACK_TAG = {
  /** On home databases and sync snapshots: the recovery-region database the data came from. */
  from: 'pendulum:failback-from',
  /** On a home replica once this failback promoted it (moto keeps the replica source after promotion). */
  promoted: 'pendulum:promoted',
  /** On a stale primary database once set aside: the failback episode that did it. */
  stale: 'pendulum:stale',
  /** On final AMIs and DB snapshots kept when something is retired. */
  final: 'pendulum:final',
  /** On a final-sync snapshot and the home database restored from it: the write freeze it follows. */
  finalSync: 'pendulum:final-sync',
  /** On a home database restored from a snapshot: the time the snapshot holds every write up to. */
  syncPoint: 'pendulum:sync-point',
} as const;

/** TAG.kind values of failback's images and snapshots (never `recovery-point`). */
export const FAILBACK_KIND = {
  homeImage: 'failback-image',
  syncSnapshot: 'failback-sync',
  final: 'final',
} as const;

/** AMI names: letters, digits and `()[] ./-'@_`, at most 128 characters. */
function amiSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9()[\] ./'@_-]+/g, '-').slice(0, 128);
}

/** RDS identifiers: lower-case letters, digits and single hyphens, not ending with a hyphen. */
function rdsSafe(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/** `pendulum-shop-fb-1a2b3c4d-i-0abc…`: the image of a recovery instance that comes home. */
export function homeImageName(app: string, suffix: string, recoveryId: string): string {
  return amiSafe(`pendulum-${app}-fb-${suffix}-${recoveryId}`);
}

/** `pendulum-shop-fb-1a2b3c4d-shop-db`: the snapshot that carries a database home (both regions). */
export function homeSnapshotIdentifier(app: string, source: string, suffix: string): string {
  return rdsSafe(`${homeSnapshotPrefix(app)}${suffix}-${source}`, 255);
}

/** Every sync snapshot of an app starts with this: failback's roles may delete only these. */
export function homeSnapshotPrefix(app: string): string {
  return `${rdsSafe(`pendulum-${app}`, 200)}-fb-`;
}

/** `shop-db-fb-1a2b3c4d`: the home database until finalise gives it the plan's identifier. */
export function homeDbIdentifier(source: string, suffix: string): string {
  return episodeDbIdentifier(source, suffix, 'fb');
}

/** `shop-db-stale-1a2b3c4d`: the stale primary database once set aside. */
export function staleDbIdentifier(source: string, suffix: string): string {
  return episodeDbIdentifier(source, suffix, 'stale');
}

/** `pendulum-shop-final-1a2b3c4d-i-0abc…`: the final AMI kept of a retired instance. */
export function finalImageName(app: string, suffix: string, id: string): string {
  return amiSafe(`pendulum-${app}-final-${suffix}-${id}`);
}

/** `pendulum-shop-final-1a2b3c4d-shop-db`: the final snapshot kept of a retired database. */
export function finalSnapshotIdentifier(app: string, suffix: string, source: string): string {
  return rdsSafe(`${finalSnapshotPrefix(app)}${suffix}-${source}`, 255);
}

/** Every final snapshot of an app starts with this: no Pendulum role may delete one. */
export function finalSnapshotPrefix(app: string): string {
  return `${rdsSafe(`pendulum-${app}`, 200)}-final-`;
}

/** The tags every resource failback makes carries. */
export function failbackTags(
  run: Pick<FailbackRun, 'app' | 'failbackId' | 'runId'>,
  resource: { readonly tier: string; readonly role: string; readonly source: string },
): Record<string, string> {
  return {
    [TAG.app]: run.app,
    [TAG.tier]: resource.tier,
    [TAG.role]: resource.role,
    [TAG.source]: resource.source,
    [TAG.failback]: run.failbackId,
    [TAG.run]: run.runId,
  };
}

/** A resource's own tags: neither Pendulum's nor AWS's reserved ones (see estate-tags). */
export const userTags = ownTags;

export function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? '';
}

/** `pendulum-shop-frozen-1a2b3c4d`: the DB parameter groups of a readOnly write freeze start with this. */
export function frozenParameterGroupPrefix(app: string): string {
  return `${rdsSafe(`pendulum-${app}`, 200)}-frozen-`;
}

/** `pendulum-shop-frozen-1a2b3c4d-shop-db-pf-…`: the read-only copy of a recovery database's parameter group. */
export function frozenParameterGroupName(app: string, suffix: string, recoveryId: string): string {
  return rdsSafe(`${frozenParameterGroupPrefix(app)}${suffix}-${recoveryId}`, 255);
}
