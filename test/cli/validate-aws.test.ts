/**
 * `pendulum validate --aws`: the plan checked against the account (moto), every problem with its
 * plan path, what was expected and what to do; exit 2 on any, before anything is written. Without
 * --aws it makes no AWS call at all.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTagsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate, type SampleEstate } from '../../examples/sample-estate';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { setLocalVcpuQuota } from '../../local/vcpu-quota-double';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';
import { runCli } from './run-cli';

const aws = localAwsForTests('us-west-2');
const clients = () => createAwsClients();
const PLAN_KEYS = { 'us-east-1': 'alias/shop-data', 'us-west-2': 'alias/shop-data' };

/** A plan file (JSON is YAML) from the sample plan with `change` applied. */
function planFile(change: (plan: PlanInput) => void = () => {}): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pendulum-validate-')), 'pendulum.yaml');
  writeFileSync(file, JSON.stringify(samplePlanWith(change)));
  return file;
}

async function recoveryImages(): Promise<number> {
  const { Images = [] } = await clients()
    .ec2('us-west-2')
    .send(new DescribeImagesCommand({ Owners: ['self'] }));
  return Images.length;
}

describe('pendulum validate --aws', () => {
  let estate: SampleEstate;

  beforeAll(async () => {
    await aws.reset();
    estate = await createSampleEstate(clients(), { kmsAliases: PLAN_KEYS });
  });

  it('passes the sample plan on the sample estate', async () => {
    const { code, stdout, stderr } = await runCli('validate', '--plan', planFile(), '--aws');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('checked against the account: no problems');
  });

  it('refuses, with the path of each, an Auto Scaling instance, a missing key, subnet and key pair', async () => {
    // Prepare: one web instance launched by a group (EC2 Auto Scaling tags its instances so).
    const [asgInstance] = estate.instances.web;
    await clients()
      .ec2('us-east-1')
      .send(
        new CreateTagsCommand({
          Resources: [asgInstance as string],
          Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'shop-web-asg' }],
        }),
      );
    const file = planFile((plan) => {
      plan.encryption = { kmsKeys: { ...PLAN_KEYS, 'us-west-2': 'alias/shop-data-typo' } };
      plan.placement = {
        ...plan.placement,
        web: {
          ...plan.placement?.web,
          subnets: ['subnet-0123456789abcdef0'],
          keyName: 'shop-recovery-ops',
        },
      };
    });
    const imagesBefore = await recoveryImages();

    // Act
    const { code, stderr } = await runCli('validate', '--plan', file, '--aws');
    const json = JSON.parse((await runCli('validate', '--plan', file, '--aws', '--json')).stdout);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('nothing was changed');
    expect(stderr).toMatch(
      new RegExp(
        `tiers\\[1\\]\\.resources\\[0\\]\\.ec2\\.tag: ${asgInstance} is managed by the Auto Scaling group shop-web-asg`,
      ),
    );
    expect(stderr).toMatch(
      /encryption\.kmsKeys\.us-west-2: KMS key alias\/shop-data-typo named for us-west-2 does not exist there/,
    );
    expect(stderr).toMatch(/placement\.web\.subnets\[0\]: no subnet subnet-0123456789abcdef0 in us-west-2/);
    expect(stderr).toMatch(/placement\.web\.keyName: no EC2 key pair shop-recovery-ops in us-west-2/);
    expect(stderr).toMatch(/fix: .*import the key pair into us-west-2/);
    expect(json.valid).toBe(false);
    expect(json.problems.map((p: { at: string }) => p.at)).toEqual(
      expect.arrayContaining([
        'tiers[1].resources[0].ec2.tag',
        'encryption.kmsKeys.us-west-2',
        'placement.web.subnets[0]',
        'placement.web.keyName',
      ]),
    );
    expect(json.problems.every((p: { fix: string }) => p.fix.length > 0)).toBe(true);
    expect(await recoveryImages()).toBe(imagesBefore);
  });

  it('refuses a database encrypted with a customer managed key the plan does not name', async () => {
    await aws.reset();
    const kms = new KMSClient({ region: 'us-east-1' });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'not the plan key' }));
    await createSampleEstate(clients(), { kmsAliases: PLAN_KEYS, databaseKmsKeyId: KeyMetadata?.Arn });

    const { code, stderr } = await runCli('validate', '--plan', planFile(), '--aws');

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /tiers\[0\]\.resources\[0\]\.rds\.identifier: shop-db: encrypted with KMS key arn:aws:kms:us-east-1:\d+:key\/[0-9a-f-]+, which the plan does not name for us-east-1/,
    );
    expect(stderr).toMatch(/fix: name it in encryption\.kmsKeys\.us-east-1/);
  });
});

describe('pendulum validate --aws: vCPU quota', () => {
  it('refuses a failover that alone would launch more Standard vCPUs than the recovery quota', async () => {
    // Prepare: the recovery account's applied quota (Service Quotas, ec2 L-1216C47A) is 1 vCPU.
    await aws.reset();
    await createSampleEstate(clients(), { kmsAliases: PLAN_KEYS });
    setLocalVcpuQuota('us-west-2', 1);

    // Act
    const { code, stderr } = await runCli('validate', '--plan', planFile(), '--aws');

    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /recoveryRegion: a failover launches \d+ Standard On-Demand vCPUs in us-west-2, where 0 already run; the quota \(L-1216C47A\) is 1, less than the failover alone/,
    );
    expect(stderr).toMatch(/fix: request an increase of Service Quotas L-1216C47A in us-west-2/);
  });
});

describe('pendulum validate without --aws', () => {
  it('makes no AWS call', async () => {
    // Prepare: an endpoint that counts what reaches it.
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const offline = await runCli('validate', '--plan', planFile());
      expect(offline.code).toBe(0);
      expect(requests).toBe(0);
      // The same endpoint does see --aws: the count would have caught a call.
      await runCli('validate', '--plan', planFile(), '--aws');
      expect(requests).toBeGreaterThan(0);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
      server.close();
    }
  });
});
