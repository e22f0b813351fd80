/**
 * Which key a cross-region copy is encrypted with, decided from the source's key and the keys the
 * plan names (pure): never less encrypted, a customer managed key only when the plan names it, and
 * a key in the destination region or no copy.
 */
import { describe, expect, it } from 'vitest';
import { type CopyKeyQuestion, copyKey } from '../../lambdas/encryption/copy-key';
import { keyIn } from '../../lambdas/encryption/plan-keys';

const EAST_KEY = 'arn:aws:kms:us-east-1:123456789012:key/1111abcd-12ab-34cd-56ef-1234567890ab';
const WEST_KEY = 'arn:aws:kms:us-west-2:123456789012:key/2222abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_EAST_KEY = 'arn:aws:kms:us-east-1:123456789012:key/3333abcd-12ab-34cd-56ef-1234567890ab';
const EAST_MRK = 'arn:aws:kms:us-east-1:123456789012:key/mrk-1234567890abcdef1234567890abcdef';
const AWS_EBS_EAST = 'arn:aws:kms:us-east-1:123456789012:key/4444abcd-12ab-34cd-56ef-1234567890ab';

/** A copy of an EBS-backed source from us-east-1 to us-west-2, under the plan's east and west keys. */
function question(overrides: Partial<CopyKeyQuestion> = {}): CopyKeyQuestion {
  return {
    service: 'ebs',
    sourceKey: { arn: EAST_KEY, manager: 'CUSTOMER' },
    sourceRegion: 'us-east-1',
    destinationRegion: 'us-west-2',
    namedSource: { ref: 'alias/shop-data', arn: EAST_KEY },
    namedDestination: { ref: WEST_KEY, arn: WEST_KEY },
    encryptUnencrypted: false,
    ...overrides,
  };
}

describe('the key a copy is encrypted with', () => {
  it('an unencrypted source stays unencrypted, whatever keys the plan names', () => {
    expect(copyKey(question({ sourceKey: undefined }))).toEqual({ encrypt: false });
    expect(copyKey(question({ sourceKey: undefined, namedDestination: undefined }))).toEqual({
      encrypt: false,
    });
  });

  it('encryptUnencrypted encrypts it with the destination key, else the AWS managed key there', () => {
    expect(copyKey(question({ sourceKey: undefined, encryptUnencrypted: true }))).toEqual({
      encrypt: true,
      keyId: WEST_KEY,
    });
    expect(
      copyKey(question({ sourceKey: undefined, encryptUnencrypted: true, namedDestination: undefined })),
    ).toEqual({ encrypt: true, keyId: 'alias/aws/ebs' });
    expect(
      copyKey(
        question({
          service: 'rds',
          sourceKey: undefined,
          encryptUnencrypted: true,
          namedDestination: undefined,
        }),
      ),
    ).toEqual({ encrypt: true, keyId: 'alias/aws/rds' });
  });

  it('a source under an AWS managed key is copied under the named key, else the AWS managed key there', () => {
    const awsManaged = { arn: AWS_EBS_EAST, manager: 'AWS' as const };
    expect(copyKey(question({ sourceKey: awsManaged, namedSource: undefined }))).toEqual({
      encrypt: true,
      keyId: WEST_KEY,
    });
    expect(
      copyKey(question({ sourceKey: awsManaged, namedSource: undefined, namedDestination: undefined })),
    ).toEqual({ encrypt: true, keyId: 'alias/aws/ebs' });
  });

  it('a source under the customer managed key the plan names is copied under the destination key', () => {
    expect(copyKey(question())).toEqual({ encrypt: true, keyId: WEST_KEY });
  });

  it('a source under a customer managed key the plan does not name is refused, saying where to name it', () => {
    const refused = copyKey(question({ sourceKey: { arn: OTHER_EAST_KEY, manager: 'CUSTOMER' } }));
    expect(refused).toEqual({ encrypt: 'refused', problem: expect.stringContaining(OTHER_EAST_KEY) });
    expect(refused.encrypt === 'refused' && refused.problem).toMatch(
      /does not name for us-east-1 \(it names alias\/shop-data, .*\): name it in encryption\.kmsKeys\.us-east-1/,
    );
    // Nor when the plan names no key at all there.
    expect(copyKey(question({ namedSource: undefined })).encrypt).toBe('refused');
  });

  it('a named source key with no key named in the destination is refused, not copied under a default', () => {
    const refused = copyKey(question({ namedDestination: undefined }));
    expect(refused).toEqual({
      encrypt: 'refused',
      problem: expect.stringMatching(
        /a copy in us-west-2 needs a key there: name one in encryption\.kmsKeys\.us-west-2/,
      ),
    });
  });

  it("a multi-Region key named for the source region is its own replica's destination key", () => {
    // The plan names the MRK for us-east-1 only; its partner in us-west-2 has the same id.
    const westPartner = keyIn({ 'us-east-1': EAST_MRK }, 'us-west-2') as string;
    expect(westPartner).toBe('arn:aws:kms:us-west-2:123456789012:key/mrk-1234567890abcdef1234567890abcdef');
    expect(
      copyKey(
        question({
          sourceKey: { arn: EAST_MRK, manager: 'CUSTOMER' },
          namedSource: { ref: EAST_MRK, arn: EAST_MRK },
          namedDestination: { ref: westPartner, arn: westPartner },
        }),
      ),
    ).toEqual({ encrypt: true, keyId: westPartner });
  });
});
