/**
 * A test double for exactly the calls moto lacks of one quota: Service Quotas GetServiceQuota and
 * GetAWSDefaultServiceQuota of EC2's L-1216C47A (running On-Demand Standard vCPUs). moto 5.2.1
 * knows only VPC quotas (any other is NoSuchResourceException; it has no GetAWSDefaultServiceQuota),
 * so the preflight's quota comparison would never run here.
 *
 * The local account has the quota applied at `DEFAULT_APPLIED_VCPUS` in every region (a value for
 * an account that runs a small estate, not an AWS default: those differ by account); a test sets
 * its own with `setLocalVcpuQuota`, or leaves it unapplied (GetServiceQuota answers
 * NoSuchResourceException, as AWS does for a quota with no applied value, and the default holds).
 * Every other quota goes to moto.
 */
import { LOCAL_ACCOUNT_ID } from './aws-environment';
import { clientRegion, type SdkClient, type SdkCommand } from './sdk-send';

const DEFAULT_APPLIED_VCPUS = 64;
const QUOTA_CODE = 'L-1216C47A';
const quotas = new Map<string, { vcpus: number; applied: boolean }>();

/** The quota of running On-Demand Standard vCPUs in `region` from now on. */
export function setLocalVcpuQuota(region: string, vcpus: number, options: { applied?: boolean } = {}): void {
  quotas.set(region, { vcpus, applied: options.applied ?? true });
}

export function resetLocalVcpuQuotas(): void {
  quotas.clear();
}

class NoSuchResourceException extends Error {
  override readonly name = 'NoSuchResourceException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
}

const CALLS = new Set(['GetServiceQuotaCommand', 'GetAWSDefaultServiceQuotaCommand']);

/** The answer to either call for (ec2, L-1216C47A), or undefined for any other call. */
export function vcpuQuotaCall(this: SdkClient, command: SdkCommand): Promise<unknown> | undefined {
  const input = command.input as { ServiceCode?: string; QuotaCode?: string };
  if (!CALLS.has(command.constructor.name)) return undefined;
  if (input.ServiceCode !== 'ec2' || input.QuotaCode !== QUOTA_CODE) return undefined;
  return clientRegion(this).then((region) => {
    const quota = quotas.get(region) ?? { vcpus: DEFAULT_APPLIED_VCPUS, applied: true };
    if (command.constructor.name === 'GetServiceQuotaCommand' && !quota.applied)
      throw new NoSuchResourceException(
        `The request failed because the specified service quota (${QUOTA_CODE}) has no applied value.`,
      );
    return answer(region, quota.vcpus);
  });
}

function answer(region: string, vcpus: number) {
  return {
    Quota: {
      ServiceCode: 'ec2',
      ServiceName: 'Amazon Elastic Compute Cloud (Amazon EC2)',
      QuotaCode: QUOTA_CODE,
      QuotaName: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances',
      QuotaArn: `arn:aws:servicequotas:${region}:${LOCAL_ACCOUNT_ID}:ec2/${QUOTA_CODE}`,
      Value: vcpus,
      Unit: 'None',
      Adjustable: true,
      GlobalQuota: false,
    },
  };
}
