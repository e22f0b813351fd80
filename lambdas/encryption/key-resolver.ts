/**
 * Resolves the plan's keys (ARNs, aliases, MRK partners) to key ARNs with KMS DescribeKey, once per
 * key and task invocation, and answers which key a copy uses. A task passes only key ARNs to EC2
 * and RDS, so what a copy was encrypted with can be checked against what was asked.
 */
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Plan, PlanResource } from '../plan/plan-schema';
import { AWS_MANAGED_ALIAS } from './aws-managed-keys';
import { type CopyKey, type CopyService, copyKey, type KeyFacts, type NamedKey } from './copy-key';
import { planKeyFor } from './plan-keys';

/** A key the plan names that KMS does not know, or that cannot encrypt (disabled, pending deletion). */
export class KeyNotUsableError extends Error {
  override readonly name = 'KeyNotUsableError';
}

export interface SourceEncryption {
  readonly encrypted: boolean;
  /** The key ARN (or id) the source reports. */
  readonly kmsKeyId?: string;
}

export interface CopyKeyRequest {
  readonly resource: PlanResource | undefined;
  readonly service: CopyService;
  readonly source: SourceEncryption;
  readonly sourceRegion: string;
  readonly destinationRegion: string;
}

export interface KeyResolver {
  /** The key the plan names for `resource` in `region`, resolved; undefined when it names none. */
  named(resource: PlanResource | undefined, region: string): Promise<NamedKey | undefined>;
  /** The key a copy of `source` in `destinationRegion` is encrypted with (or why it cannot be made). */
  copyKey(request: CopyKeyRequest): Promise<CopyKey>;
}

/** The alias of each service's AWS managed key (KMS Developer Guide, "AWS managed keys"). */

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? '';
const isAccessDenied = (error: unknown) =>
  ['AccessDeniedException', 'AccessDenied', 'AccessDeniedError'].includes(errorName(error));

export function keyResolver(plan: Pick<Plan, 'encryption'>, kms: (region: string) => KMSClient): KeyResolver {
  const described = new Map<string, Promise<KeyFacts & { enabled: boolean }>>();
  const describe = (region: string, keyId: string) => {
    const cacheKey = `${region}|${keyId}`;
    let found = described.get(cacheKey);
    if (!found) {
      found = kms(region)
        .send(new DescribeKeyCommand({ KeyId: keyId }))
        .then(({ KeyMetadata: key }) => ({
          arn: key?.Arn ?? keyId,
          manager: key?.KeyManager === 'AWS' ? ('AWS' as const) : ('CUSTOMER' as const),
          enabled: key?.Enabled === true && (key?.KeyState ?? 'Enabled') === 'Enabled',
        }));
      described.set(cacheKey, found);
    }
    return found;
  };

  const named = async (resource: PlanResource | undefined, region: string): Promise<NamedKey | undefined> => {
    const ref = planKeyFor(plan, resource, region);
    if (!ref) return undefined;
    try {
      const key = await describe(region, ref);
      if (!key.enabled) throw new KeyNotUsableError(`KMS key ${ref} in ${region} is not enabled`);
      return { ref, arn: key.arn };
    } catch (error) {
      if (error instanceof KeyNotUsableError) throw error;
      if (errorName(error) === 'NotFoundException')
        throw new KeyNotUsableError(`KMS key ${ref} named for ${region} does not exist there`);
      if (isAccessDenied(error))
        throw new KeyNotUsableError(
          `KMS key ${ref} in ${region} may not be used by Pendulum: ${String(error)}`,
        );
      throw error;
    }
  };

  /**
   * A source key that is not one the plan names: AWS managed, or a key Pendulum may not use. The
   * service's AWS managed key is looked up by its alias (`alias/aws/rds`, `alias/aws/ebs`), never
   * the unknown key itself, which Pendulum is not allowed to read.
   */
  const sourceFacts = async (
    region: string,
    keyId: string,
    service: CopyService,
    namedArn?: string,
  ): Promise<KeyFacts> => {
    if (namedArn && (keyId === namedArn || namedArn.endsWith(`/${keyId}`)))
      return { arn: namedArn, manager: 'CUSTOMER' };
    const managed = await describe(region, AWS_MANAGED_ALIAS[service]).catch((error: unknown) => {
      if (errorName(error) === 'NotFoundException') return undefined;
      throw error;
    });
    const isManaged = managed !== undefined && (keyId === managed.arn || managed.arn.endsWith(`/${keyId}`));
    return { arn: isManaged && managed ? managed.arn : keyId, manager: isManaged ? 'AWS' : 'CUSTOMER' };
  };

  return {
    named,
    async copyKey(request) {
      // An unencrypted source stays so unless asked: no key of the plan is needed, or read.
      if (!request.source.encrypted && !plan.encryption.encryptUnencrypted) return { encrypt: false };
      let namedSource: NamedKey | undefined;
      let namedDestination: NamedKey | undefined;
      try {
        [namedSource, namedDestination] = await Promise.all([
          request.source.encrypted ? named(request.resource, request.sourceRegion) : undefined,
          named(request.resource, request.destinationRegion),
        ]);
      } catch (error) {
        if (error instanceof KeyNotUsableError) return { encrypt: 'refused', problem: error.message };
        throw error;
      }
      if (request.source.encrypted && !request.source.kmsKeyId)
        return { encrypt: 'refused', problem: 'encrypted, but its key is not reported' };
      const sourceKey =
        request.source.encrypted && request.source.kmsKeyId
          ? await sourceFacts(
              request.sourceRegion,
              request.source.kmsKeyId,
              request.service,
              namedSource?.arn,
            )
          : undefined;
      return copyKey({
        service: request.service,
        sourceKey,
        sourceRegion: request.sourceRegion,
        destinationRegion: request.destinationRegion,
        namedSource,
        namedDestination,
        encryptUnencrypted: plan.encryption.encryptUnencrypted,
      });
    },
  };
}
