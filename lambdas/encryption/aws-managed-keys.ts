/**
 * AWS managed keys: each service's own default key in a region, known by its alias
 * (`alias/aws/<service>`, reserved for AWS: AWS KMS Developer Guide, "AWS managed keys"). A copy
 * "under the AWS managed key" names the alias; CopyImage takes none (the region's default for EBS).
 */
import type { CopyService } from './copy-key';

export const AWS_MANAGED_ALIAS: Readonly<Record<CopyService, string>> = {
  rds: 'alias/aws/rds',
  ebs: 'alias/aws/ebs',
};

/** Whether a key reference is an AWS managed key's alias rather than a key the plan names. */
export function isAwsManagedAlias(keyId: string): boolean {
  return keyId.startsWith('alias/aws/');
}
