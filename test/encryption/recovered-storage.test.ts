import { describe, expect, it } from 'vitest';
import type { CopyKey } from '../../lambdas/encryption/copy-key';
import { imageCopyKey } from '../../lambdas/encryption/image-encryption';
import type { SourceEncryption } from '../../lambdas/encryption/key-resolver';
import { storageMismatch } from '../../lambdas/failover/database-storage-check';
import { volumeMismatch } from '../../lambdas/failover/instance-volume-check';

const WEST_KEY = 'arn:aws:kms:us-west-2:123456789012:key/west';
const OTHER_KEY = 'arn:aws:kms:us-west-2:123456789012:key/other';
const volume = (device: string, size: number, key?: string) => ({
  Attachments: [{ InstanceId: 'i-1', Device: device }],
  Size: size,
  Encrypted: key !== undefined,
  ...(key ? { KmsKeyId: key } : {}),
});

describe('a recovered database holds what its point holds', () => {
  it('passes the same key and at least the storage; names what differs otherwise', () => {
    const expected = { kmsKeyId: WEST_KEY, allocatedStorageGiB: 100 };
    expect(
      storageMismatch({ StorageEncrypted: true, KmsKeyId: WEST_KEY, AllocatedStorage: 120 }, expected),
    ).toBeUndefined();
    expect(storageMismatch({ StorageEncrypted: false, AllocatedStorage: 100 }, expected)).toBe(
      `not encrypted; expected KMS key ${WEST_KEY}`,
    );
    expect(
      storageMismatch({ StorageEncrypted: true, KmsKeyId: OTHER_KEY, AllocatedStorage: 100 }, expected),
    ).toBe(`encrypted with ${OTHER_KEY}; expected ${WEST_KEY}`);
    expect(
      storageMismatch({ StorageEncrypted: true, KmsKeyId: WEST_KEY, AllocatedStorage: 50 }, expected),
    ).toMatch(/50 GiB of storage; its recovery point has 100 GiB/);
    expect(
      storageMismatch({ StorageEncrypted: true, KmsKeyId: WEST_KEY }, { allocatedStorageGiB: 20 }),
    ).toMatch(/its recovery point is not/);
  });
});

describe('a recovered instance has every volume its point promises', () => {
  const expected = [
    { device: '/dev/sda1', sizeGiB: 8, encrypted: true, kmsKeyId: WEST_KEY },
    { device: '/dev/sdf', sizeGiB: 20, encrypted: true, kmsKeyId: WEST_KEY },
  ];
  it('passes every device at its size under the key', () => {
    expect(
      volumeMismatch('i-1', [volume('/dev/sda1', 8, WEST_KEY), volume('/dev/sdf', 30, WEST_KEY)], expected),
    ).toBeUndefined();
  });
  it('names a missing device, a smaller volume, an unencrypted one and the wrong key', () => {
    expect(volumeMismatch('i-1', [volume('/dev/sda1', 8, WEST_KEY)], expected)).toBe('no volume at /dev/sdf');
    expect(
      volumeMismatch('i-1', [volume('/dev/sda1', 8, WEST_KEY), volume('/dev/sdf', 10, WEST_KEY)], expected),
    ).toBe("/dev/sdf is 10 GiB; its recovery point's is 20 GiB");
    expect(volumeMismatch('i-1', [volume('/dev/sda1', 8), volume('/dev/sdf', 20, WEST_KEY)], expected)).toBe(
      "/dev/sda1 is not encrypted; its recovery point's is",
    );
    expect(
      volumeMismatch('i-1', [volume('/dev/sda1', 8, OTHER_KEY), volume('/dev/sdf', 20, WEST_KEY)], expected),
    ).toBe(`/dev/sda1 is encrypted with ${OTHER_KEY}; expected ${WEST_KEY}`);
  });
});

describe('one key for an image copy', () => {
  const asked: SourceEncryption[] = [];
  const keyFor = async (e: SourceEncryption): Promise<CopyKey> => {
    asked.push(e);
    return e.kmsKeyId === 'unnamed'
      ? { encrypt: 'refused', problem: 'not named' }
      : { encrypt: true, keyId: WEST_KEY };
  };
  it('asks once per distinct key, and is refused if any key is', async () => {
    asked.length = 0;
    expect(
      await imageCopyKey(
        [{ encrypted: true, kmsKeyId: 'a' }, { encrypted: true, kmsKeyId: 'a' }, { encrypted: false }],
        keyFor,
      ),
    ).toEqual({ encrypt: true, keyId: WEST_KEY });
    expect(asked).toEqual([{ encrypted: true, kmsKeyId: 'a' }]);
    expect(
      await imageCopyKey(
        [
          { encrypted: true, kmsKeyId: 'a' },
          { encrypted: true, kmsKeyId: 'unnamed' },
        ],
        keyFor,
      ),
    ).toEqual({ encrypt: 'refused', problem: 'not named' });
  });
  it('an image with no encrypted snapshot asks as unencrypted', async () => {
    asked.length = 0;
    await imageCopyKey([{ encrypted: false }], keyFor);
    expect(asked).toEqual([{ encrypted: false }]);
  });
});
