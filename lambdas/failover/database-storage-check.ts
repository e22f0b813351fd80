/**
 * A database restored from a snapshot must hold what the snapshot holds: encrypted exactly when the
 * snapshot is, under the snapshot's key, with at least its storage. RDS restores under the
 * snapshot's key (RDS User Guide, "Restoring from a DB snapshot": the restored instance uses the
 * snapshot's KMS key), so a mismatch means the wrong snapshot, or a copy that lost its key: it can
 * never be right by waiting.
 */
import type { DBInstance, DBSnapshot } from '@aws-sdk/client-rds';

/** What the recovery point says the database must be. */
export interface ExpectedStorage {
  /** The key ARN the snapshot is encrypted with; absent when it is not encrypted. */
  readonly kmsKeyId?: string;
  readonly allocatedStorageGiB?: number;
}

export function expectedStorageOf(snapshot: DBSnapshot): ExpectedStorage {
  return {
    ...(snapshot.Encrypted && snapshot.KmsKeyId ? { kmsKeyId: snapshot.KmsKeyId } : {}),
    ...(snapshot.AllocatedStorage !== undefined ? { allocatedStorageGiB: snapshot.AllocatedStorage } : {}),
  };
}

/** Why `db` (a DB instance or an Aurora cluster) is not what `expected` says, or undefined when it is. */
export function storageMismatch(
  db: Pick<DBInstance, 'StorageEncrypted' | 'KmsKeyId' | 'AllocatedStorage'>,
  expected: ExpectedStorage,
): string | undefined {
  const encrypted = db.StorageEncrypted === true;
  if (expected.kmsKeyId && !encrypted) return `not encrypted; expected KMS key ${expected.kmsKeyId}`;
  if (!expected.kmsKeyId && encrypted) return `encrypted with ${db.KmsKeyId}; its recovery point is not`;
  if (expected.kmsKeyId && db.KmsKeyId !== expected.kmsKeyId)
    return `encrypted with ${db.KmsKeyId}; expected ${expected.kmsKeyId}`;
  if (
    expected.allocatedStorageGiB !== undefined &&
    db.AllocatedStorage !== undefined &&
    db.AllocatedStorage < expected.allocatedStorageGiB
  )
    return `${db.AllocatedStorage} GiB of storage; its recovery point has ${expected.allocatedStorageGiB} GiB`;
  return undefined;
}
