/**
 * What an AMI's snapshots are encrypted with, and the key its cross-region copy takes. DescribeImages
 * tells whether each mapping is encrypted but not with which key (EC2 API Reference,
 * EbsBlockDevice: KmsKeyId is an input of RunInstances); DescribeSnapshots does, in bulk.
 */

import { DescribeSnapshotsCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { isAwsManagedAlias } from './aws-managed-keys';
import type { CopyKey } from './copy-key';
import type { SourceEncryption } from './key-resolver';

const SNAPSHOT_IDS_MAX = 200;

/** The encryption of each image's snapshots, by image id (one describe per 200 encrypted snapshots). */
export async function imageEncryptions(
  ec2: EC2Client,
  images: readonly Image[],
): Promise<Map<string, SourceEncryption[]>> {
  const encrypted = images.flatMap((image) =>
    (image.BlockDeviceMappings ?? []).flatMap((m) =>
      m.Ebs?.Encrypted && m.Ebs.SnapshotId ? [m.Ebs.SnapshotId] : [],
    ),
  );
  const keys = new Map<string, string>();
  for (let i = 0; i < encrypted.length; i += SNAPSHOT_IDS_MAX) {
    const { Snapshots = [] } = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: encrypted.slice(i, i + SNAPSHOT_IDS_MAX) }),
    );
    for (const snapshot of Snapshots)
      if (snapshot.SnapshotId && snapshot.KmsKeyId) keys.set(snapshot.SnapshotId, snapshot.KmsKeyId);
  }
  return new Map(
    images.map((image) => [
      image.ImageId ?? '',
      (image.BlockDeviceMappings ?? []).flatMap((m): SourceEncryption[] => {
        if (!m.Ebs?.SnapshotId) return [];
        const key = keys.get(m.Ebs.SnapshotId);
        return [{ encrypted: m.Ebs.Encrypted === true, ...(key ? { kmsKeyId: key } : {}) }];
      }),
    ]),
  );
}

/**
 * One key for the whole copy (CopyImage takes one): every key its snapshots are under must be one
 * the plan allows, and an image with any encrypted snapshot is copied encrypted throughout (the
 * unencrypted ones too: CopyImage encrypts all or none; never less encrypted).
 */
export async function imageCopyKey(
  encryptions: readonly SourceEncryption[],
  keyFor: (encryption: SourceEncryption) => Promise<CopyKey>,
): Promise<CopyKey> {
  const distinct = new Map<string, SourceEncryption>();
  for (const e of encryptions) if (e.encrypted) distinct.set(e.kmsKeyId ?? '', e);
  if (distinct.size === 0) return keyFor({ encrypted: false });
  let chosen: CopyKey | undefined;
  for (const encryption of distinct.values()) {
    const key = await keyFor(encryption);
    if (key.encrypt === 'refused') return key;
    chosen ??= key;
  }
  return chosen as CopyKey;
}

/** CopyImage's encryption parameters for a copy key (an AWS managed key is the region's default). */
export function copyImageEncryption(key: CopyKey): { Encrypted?: boolean; KmsKeyId?: string } {
  if (key.encrypt !== true) return {};
  return isAwsManagedAlias(key.keyId) ? { Encrypted: true } : { Encrypted: true, KmsKeyId: key.keyId };
}
