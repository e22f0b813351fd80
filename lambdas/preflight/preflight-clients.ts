/**
 * The clients the checks use, from a task's (or the CLI's) AwsClients, with IAM added: IAM is
 * global, its API in us-east-1 (IAM User Guide, "AWS Identity and Access Management endpoints").
 */
import { IAMClient } from '@aws-sdk/client-iam';
import type { AwsClients } from '../runtime/aws-clients';
import type { PreflightClients } from './run-preflight';
import { serviceQuotasVcpuQuota } from './vcpu-quota';

export function preflightClients(clients: AwsClients): PreflightClients {
  let iam: IAMClient | undefined;
  return {
    ec2: (region) => clients.ec2(region),
    rds: (region) => clients.rds(region),
    kms: (region) => clients.kms(region),
    route53: () => clients.route53(),
    iam: () => {
      iam ??= new IAMClient({ region: 'us-east-1', maxAttempts: 8, retryMode: 'adaptive' });
      return iam;
    },
    vcpuQuota: serviceQuotasVcpuQuota((region) => clients.serviceQuotas(region)),
  };
}
