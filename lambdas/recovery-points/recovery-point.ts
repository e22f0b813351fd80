/**
 * Recovery points: an AMI or DB snapshot copy that lives in the recovery region, tagged so that
 * failover can find and choose it without calling the (possibly unavailable) primary region.
 */

import { isAwsManagedAlias } from '../encryption/aws-managed-keys';
import type { CopyKey } from '../encryption/copy-key';
import type { ExpectedStorage } from '../failover/database-storage-check';
import { ownTags } from './estate-tags';

/** Tag keys Pendulum writes. Deterministic tags are how every task finds what an earlier attempt made. */
export const TAG = {
  app: 'pendulum:app',
  tier: 'pendulum:tier',
  role: 'pendulum:role',
  /** The protected resource: instance id or DB identifier in the primary region. */
  source: 'pendulum:source',
  /** ISO-8601 time the source was captured. */
  takenAt: 'pendulum:taken-at',
  /** The protection run that made this point. */
  protectRun: 'pendulum:protect-run',
  kind: 'pendulum:kind',
  /** The failover episode that created a recovered resource (stable across re-runs of one failover). */
  failover: 'pendulum:failover',
  /** The failback episode that created or set aside a resource. */
  failback: 'pendulum:failback',
  /** The execution that created a resource. */
  run: 'pendulum:run',
  /** Set on everything a drill creates. */
  drill: 'pendulum:drill',
  /** Instance type / DB class of the source at capture time, so recovery can match it. */
  sourceType: 'pendulum:source-type',
  /**
   * On reverse points: the primary-region resource the captured recovery-region resource stands
   * in for (from the failover's inventory); absent for one added during the failover.
   */
  origin: 'pendulum:origin',
  /** On an AMI copy: the key its snapshots were encrypted with, as asked of CopyImage. */
  kmsKey: 'pendulum:kms-key',
  /**
   * On an Aurora cluster point: how many reader instances the cluster had at capture time (its
   * writer's class is `source-type`), so failover brings back the same shape.
   */
  readers: 'pendulum:readers',
} as const;

/** The tag that records a copy's key (none for an unencrypted copy or the region's default key). */
export function copyKeyTag(key: CopyKey): Record<string, string> {
  return key.encrypt === true && !isAwsManagedAlias(key.keyId) ? { [TAG.kmsKey]: key.keyId } : {};
}

/** One volume an instance launched from an AMI point must have. */
export interface ExpectedVolume {
  readonly device: string;
  readonly sizeGiB?: number;
  readonly encrypted: boolean;
  /** The key it must be encrypted with, when the copy recorded one. */
  readonly kmsKeyId?: string;
}

/** The volumes an image's mappings promise, under the key its copy recorded. */
export function expectedVolumesOf(
  image: {
    BlockDeviceMappings?: {
      DeviceName?: string;
      Ebs?: { VolumeSize?: number; Encrypted?: boolean; SnapshotId?: string };
    }[];
  },
  kmsKeyId: string | undefined,
): ExpectedVolume[] {
  return (image.BlockDeviceMappings ?? []).flatMap((m) =>
    m.DeviceName && m.Ebs?.SnapshotId
      ? [
          {
            device: m.DeviceName,
            ...(m.Ebs.VolumeSize !== undefined ? { sizeGiB: m.Ebs.VolumeSize } : {}),
            encrypted: m.Ebs.Encrypted === true,
            ...(m.Ebs.Encrypted && kmsKeyId ? { kmsKeyId } : {}),
          },
        ]
      : [],
  );
}

/**
 * `pendulum:kind` of points made while the app runs in the recovery region (reverse protection):
 * never `recovery-point`, so failover's catalogue, its retention and its RPO never mistake a copy
 * of the recovery estate for one of production in the primary region.
 */
export const REVERSE_POINT_KIND = 'reverse-point';

/**
 * `global-member`: an Aurora cluster in a global database. Its recovery point is the global
 * database's member in the recovery region, kept current by replication; `id` is the global
 * database's identifier. Never a tagged resource in the catalogue: selection makes it from the plan.
 */
export type RecoveryPointKind =
  | 'ami'
  | 'db-snapshot'
  | 'db-replica'
  | 'db-cluster-snapshot'
  | 'global-member';

export interface RecoveryPoint {
  readonly kind: RecoveryPointKind;
  /** AMI id, DB (cluster) snapshot identifier, or replica DB identifier, in the recovery region. */
  readonly id: string;
  readonly source: string;
  readonly role: string;
  readonly tier: string;
  /** When the source was captured (for a replica: now, since it is continuously current). */
  readonly takenAt: string;
  readonly protectRun: string;
  /** Source instance type or DB class, when known. */
  readonly sourceType?: string;
  /** `available` when it can be used; copies in progress are `pending`. */
  readonly state: 'available' | 'pending' | 'failed';
  /** Reverse points: the primary-region resource the source stands in for, when known. */
  readonly origin?: string;
  /** DB snapshots: what a database restored from it must be (encryption, size). */
  readonly storage?: ExpectedStorage;
  /** AMIs: the volumes an instance launched from it must have. */
  readonly volumes?: ExpectedVolume[];
  /** Aurora cluster snapshots: what the restored cluster is made of. */
  readonly cluster?: ClusterShape;
  /**
   * The source's own tags, captured with it (see estate-tags): what the resource recovered from
   * it carries besides Pendulum's. Absent when it had none (and for replicas).
   */
  readonly sourceTags?: Record<string, string>;
}

/** An Aurora cluster as captured: its engine (a restore must name it) and its instances. */
export interface ClusterShape {
  readonly engine: string;
  readonly engineVersion?: string;
  /** Reader instances beside the writer. */
  readonly readers: number;
}

export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagMap(
  tags: readonly { Key?: string; Value?: string }[] | undefined,
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) map[tag.Key] = tag.Value ?? '';
  return map;
}

/**
 * A recovery point from its resource's id, tags and state: the tags are the catalogue, the same
 * for AMIs and DB snapshots. Undefined for a resource Pendulum did not tag as a point.
 */
export function pointFromTags(
  kind: RecoveryPointKind,
  id: string | undefined,
  tags: Record<string, string>,
  state: RecoveryPoint['state'],
): RecoveryPoint | undefined {
  const source = tags[TAG.source];
  const takenAt = tags[TAG.takenAt];
  if (!id || !source || !takenAt) return undefined;
  const sourceTags = ownTags(tags);
  return {
    kind,
    id,
    source,
    role: tags[TAG.role] ?? '',
    tier: tags[TAG.tier] ?? '',
    takenAt,
    protectRun: tags[TAG.protectRun] ?? '',
    ...(tags[TAG.sourceType] ? { sourceType: tags[TAG.sourceType] } : {}),
    state,
    ...(tags[TAG.origin] ? { origin: tags[TAG.origin] } : {}),
    ...(Object.keys(sourceTags).length > 0 ? { sourceTags } : {}),
  };
}
