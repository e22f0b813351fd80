/**
 * Deterministic names for recovery points: the same app, source, capture time and protection run
 * always give the same AMI name and DB snapshot identifier, so a retried capture collides with (and
 * finds) the first, while two runs in the same second never share a name.
 */
import { createHash } from 'node:crypto';

/** AMI names: 3–128 characters of letters, digits and `()[] ./-'@_`, unique per account and region. */
const AMI_NAME_MAX = 128;
/** RDS identifiers: letters, digits and single hyphens, starting with a letter, not ending with a hyphen. */
const DB_SNAPSHOT_ID_MAX = 255;

/** `2026-01-15T02:03:04.567Z` → `20260115T020304Z` (to the second). */
export function captureStamp(takenAt: Date): string {
  return takenAt
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** Lower-case letters, digits and single hyphens, no hyphen at either end. */
function rdsSafe(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** Keeps `text` within `max` characters; a clipped text gets a hash of the whole so it stays unique. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const hash = shortHash(text);
  return `${text.slice(0, max - hash.length - 1)}-${hash}`;
}

/** Every AMI name Pendulum gives an app's recovery points starts with this. */
export function amiNamePrefix(app: string): string {
  return `pendulum-${app}-`;
}

/** A short, name-safe mark of the protection run (lower-case hex). */
export function runMark(protectRun: string): string {
  return shortHash(protectRun).slice(0, 6);
}

/** Every AMI name of an app's reverse points (made while failed over) starts with this. */
export function reverseAmiNamePrefix(app: string): string {
  return `pendulum-${app}-rv-`;
}

/**
 * `pendulum-shop-i-0abc12345def67890-20260115T020304Z-1a2b3c`; a reverse point's is
 * `pendulum-shop-rv-i-0…` so it can never collide with a forward point's.
 */
export function amiName(
  app: string,
  source: string,
  takenAt: Date,
  protectRun: string,
  direction: 'forward' | 'reverse' = 'forward',
): string {
  const stamp = `${captureStamp(takenAt)}-${runMark(protectRun)}`;
  const safeSource = source.replace(/[^A-Za-z0-9()[\] ./'@_-]+/g, '-');
  const head = direction === 'reverse' ? reverseAmiNamePrefix(app) : amiNamePrefix(app);
  return `${head}${clip(safeSource, AMI_NAME_MAX - head.length - stamp.length - 1)}-${stamp}`;
}

/**
 * Every DB snapshot identifier Pendulum gives an app's recovery points starts with this; IAM
 * policies scope protect's snapshot permissions to `snapshot:<prefix>*`, which failback's sync
 * and final snapshots (`pendulum-<app>-fb-`, `pendulum-<app>-final-`) never match.
 */
export function dbSnapshotPrefix(app: string): string {
  return `pendulum-${rdsSafe(app)}-rp-`;
}

/**
 * Every DB snapshot identifier of an app's reverse points starts with this: protect's reverse
 * grants are scoped to it, and failback's and final snapshots never match it.
 */
export function reverseDbSnapshotPrefix(app: string): string {
  return `pendulum-${rdsSafe(app)}-rv-`;
}

/** `pendulum-shop-rp-shop-db-20260115t020304z-1a2b3c` (RDS stores identifiers in lower case). */
export function dbSnapshotIdentifier(
  app: string,
  source: string,
  takenAt: Date,
  protectRun: string,
  direction: 'forward' | 'reverse' = 'forward',
): string {
  const stamp = `${captureStamp(takenAt).toLowerCase()}-${runMark(protectRun)}`;
  const head = direction === 'reverse' ? reverseDbSnapshotPrefix(app) : dbSnapshotPrefix(app);
  const safeSource = rdsSafe(source) || 'db';
  const room = DB_SNAPSHOT_ID_MAX - head.length - stamp.length - 1;
  return `${head}${rdsSafe(clip(safeSource, room))}-${stamp}`;
}

/** Idempotency token for a request (EC2 client tokens are at most 64 ASCII characters). */
export function clientToken(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 64);
}
