/**
 * The Standard vCPU quota: read from Service Quotas (the applied value, else the AWS default), and
 * compared, purely, with what a failover would launch beside what already runs.
 */
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  NoSuchResourceException,
  type ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { describe, expect, it } from 'vitest';
import { isStandardType, vcpuProblem } from '../../lambdas/preflight/check-capacity';
import { serviceQuotasVcpuQuota } from '../../lambdas/preflight/vcpu-quota';

/** A Service Quotas client that answers from `answers` by command name and records what it was asked. */
function quotasClient(answers: Record<string, () => unknown>) {
  const asked: { command: string; input: unknown }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      asked.push({ command: command.constructor.name, input: command.input });
      const answer = answers[command.constructor.name];
      if (!answer) throw new Error(`unexpected ${command.constructor.name}`);
      return answer();
    },
  } as unknown as ServiceQuotasClient;
  return { client, asked };
}

describe('serviceQuotasVcpuQuota', () => {
  it('reads the applied value of ec2 L-1216C47A in the region asked', async () => {
    const regions: string[] = [];
    const { client, asked } = quotasClient({
      [GetServiceQuotaCommand.name]: () => ({ Quota: { Value: 256 } }),
    });
    const quota = serviceQuotasVcpuQuota((region) => {
      regions.push(region);
      return client;
    });

    expect(await quota('us-west-2')).toBe(256);
    expect(regions).toEqual(['us-west-2']);
    expect(asked).toEqual([
      { command: 'GetServiceQuotaCommand', input: { ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' } },
    ]);
  });

  it('falls back to the AWS default when no value is applied', async () => {
    const { client, asked } = quotasClient({
      [GetServiceQuotaCommand.name]: () => {
        throw new NoSuchResourceException({ message: 'not applied', $metadata: {} });
      },
      [GetAWSDefaultServiceQuotaCommand.name]: () => ({ Quota: { Value: 5 } }),
    });

    expect(await serviceQuotasVcpuQuota(() => client)('eu-west-1')).toBe(5);
    expect(asked.map((a) => a.command)).toEqual([
      'GetServiceQuotaCommand',
      'GetAWSDefaultServiceQuotaCommand',
    ]);
  });

  it('lets any other failure through (a denied read is not a quota of zero)', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    const { client } = quotasClient({
      [GetServiceQuotaCommand.name]: () => {
        throw denied;
      },
    });

    await expect(serviceQuotasVcpuQuota(() => client)('us-west-2')).rejects.toBe(denied);
  });
});

describe('vcpuProblem', () => {
  const region = 'us-west-2';

  it('is nothing within the quota, or when the quota is unknown', () => {
    expect(vcpuProblem({ region, neededVcpus: 8, runningVcpus: 8, quota: 16 })).toBeUndefined();
    expect(vcpuProblem({ region, neededVcpus: 800, runningVcpus: 0, quota: undefined })).toBeUndefined();
  });

  it('warns when only what already runs makes the failover exceed the quota', () => {
    const found = vcpuProblem({ region, neededVcpus: 8, runningVcpus: 10, quota: 16 });
    expect(found).toMatchObject({ severity: 'warning', path: ['recoveryRegion'] });
    expect(found?.fix).toContain('to at least 18');
  });

  it('is an error when the failover alone exceeds the quota', () => {
    expect(vcpuProblem({ region, neededVcpus: 20, runningVcpus: 0, quota: 16 })).toMatchObject({
      severity: 'error',
    });
  });
});

describe('isStandardType', () => {
  it('counts A, C, D, H, I, M, R, T, Z families and no others', () => {
    for (const t of [
      't3.micro',
      'm7g.large',
      'c6i.xlarge',
      'r6a.2xlarge',
      'z1d.large',
      'i4i.large',
      'a1.medium',
    ])
      expect(isStandardType(t), t).toBe(true);
    for (const t of [
      'p4d.24xlarge',
      'g5.xlarge',
      'inf2.xlarge',
      'x2idn.16xlarge',
      'f1.2xlarge',
      'trn1.2xlarge',
      'mac2.metal',
      'dl1.24xlarge',
      'hpc7g.4xlarge',
      'u-6tb1.metal',
    ])
      expect(isStandardType(t), t).toBe(false);
  });
});
