/**
 * The key a cross-region copy is encrypted with, decided from the source's encryption and the keys
 * the plan names. Encrypted never becomes unencrypted (EC2 CopyImage and RDS CopyDBSnapshot both
 * refuse it); a cross-region copy of an encrypted RDS snapshot must name a key of the destination
 * region (RDS API Reference, CopyDBSnapshot, KmsKeyId), and a copied AMI's snapshots are encrypted
 * with KmsKeyId or the region's default EBS key (EC2 API Reference, CopyImage).
 */
import { AWS_MANAGED_ALIAS } from './aws-managed-keys';

/** What KMS says of a key a source is encrypted with. */
export interface KeyFacts {
  readonly arn: string;
  /** `AWS`: an AWS managed key (aws/rds, aws/ebs), usable by the account through its service. */
  readonly manager: 'AWS' | 'CUSTOMER';
}

/** A key the plan names, resolved in its region. */
export interface NamedKey {
  /** As written in the plan (ARN or alias), or an MRK partner. */
  readonly ref: string;
  readonly arn: string;
}

export type CopyService = 'rds' | 'ebs';

export interface CopyKeyQuestion {
  readonly service: CopyService;
  /** The source's key ARN, or undefined when the source is not encrypted. */
  readonly sourceKey: KeyFacts | undefined;
  readonly sourceRegion: string;
  readonly destinationRegion: string;
  /** The key the plan names for this resource in each region, resolved. */
  readonly namedSource: NamedKey | undefined;
  readonly namedDestination: NamedKey | undefined;
  readonly encryptUnencrypted: boolean;
}

export type CopyKey =
  | { readonly encrypt: false }
  /** `keyId`: a key ARN, or the AWS managed key's alias (`alias/aws/rds`, `alias/aws/ebs`). */
  | { readonly encrypt: true; readonly keyId: string }
  | { readonly encrypt: 'refused'; readonly problem: string };

export function copyKey(q: CopyKeyQuestion): CopyKey {
  const namedHint = `encryption.kmsKeys.${q.destinationRegion} (or the resource's kmsKeys)`;
  if (!q.sourceKey) {
    if (!q.encryptUnencrypted) return { encrypt: false };
    return { encrypt: true, keyId: q.namedDestination?.arn ?? AWS_MANAGED_ALIAS[q.service] };
  }
  if (q.sourceKey.manager === 'AWS')
    return { encrypt: true, keyId: q.namedDestination?.arn ?? AWS_MANAGED_ALIAS[q.service] };
  if (q.namedSource?.arn !== q.sourceKey.arn)
    return {
      encrypt: 'refused',
      problem: `encrypted with KMS key ${q.sourceKey.arn}, which the plan does not name for ${q.sourceRegion}${q.namedSource ? ` (it names ${q.namedSource.ref}, ${q.namedSource.arn})` : ''}: name it in encryption.kmsKeys.${q.sourceRegion} (or the resource's kmsKeys) so Pendulum may use it`,
    };
  if (!q.namedDestination)
    return {
      encrypt: 'refused',
      problem: `encrypted with ${q.namedSource.ref}; a copy in ${q.destinationRegion} needs a key there: name one in ${namedHint}`,
    };
  return { encrypt: true, keyId: q.namedDestination.arn };
}
