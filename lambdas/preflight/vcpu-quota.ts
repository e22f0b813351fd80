/**
 * The account's quota of running On-Demand Standard vCPUs in a region, from Service Quotas.
 *
 * GetServiceQuota returns the applied value; a quota that was never raised may have none there
 * ("If the applied quota value is not available for a quota, the quota is not retrieved": Service
 * Quotas API Reference, GetServiceQuota), answered NoSuchResourceException, and then the AWS default
 * (GetAWSDefaultServiceQuota) is what holds. Service Quotas is regional: each region its own client.
 */
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  type ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { STANDARD_VCPU_QUOTA_CODE, type VcpuQuota } from './check-capacity';

const QUOTA = { ServiceCode: 'ec2', QuotaCode: STANDARD_VCPU_QUOTA_CODE } as const;

export function serviceQuotasVcpuQuota(client: (region: string) => ServiceQuotasClient): VcpuQuota {
  return async (region) => {
    const quotas = client(region);
    try {
      const { Quota } = await quotas.send(new GetServiceQuotaCommand(QUOTA));
      return Quota?.Value;
    } catch (error) {
      if ((error as Error).name !== 'NoSuchResourceException') throw error;
      const { Quota } = await quotas.send(new GetAWSDefaultServiceQuotaCommand(QUOTA));
      return Quota?.Value;
    }
  };
}
