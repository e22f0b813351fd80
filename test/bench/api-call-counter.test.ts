/**
 * The counting the benchmark relies on: a known sequence of calls against moto is counted exactly,
 * by service and operation, on clients made after counting starts, and not on clients made before.
 */
import { DescribeImagesCommand, DescribeInstancesCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { measure } from '../../bench/measure-run';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { startApiCallCounter } from '../../local/api-call-counter';
import { localAwsForTests } from '../support/local-aws';

const aws = localAwsForTests('us-east-1');

async function baseImage(): Promise<string> {
  const { Images = [] } = await createAwsClients()
    .ec2('us-east-1')
    .send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
  return Images[0]?.ImageId ?? '';
}

describe('counting AWS API calls', () => {
  it('counts 3 DescribeInstances and 2 RunInstances as exactly that', async () => {
    await aws.reset();
    const imageId = await baseImage();
    const counter = startApiCallCounter();
    try {
      const ec2 = createAwsClients().ec2('us-east-1');
      for (let i = 0; i < 3; i++) await ec2.send(new DescribeInstancesCommand({}));
      for (let i = 0; i < 2; i++)
        await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 }));

      expect(Object.fromEntries(counter.counts)).toEqual({
        'EC2.DescribeInstances': 3,
        'EC2.RunInstances': 2,
      });
      expect(counter.total()).toBe(5);
      expect(counter.byService()).toEqual({ EC2: 5 });
    } finally {
      counter.stop();
    }
  });

  it('counts a call that fails, once', async () => {
    const counter = startApiCallCounter();
    try {
      const ec2 = createAwsClients().ec2('us-east-1');
      await expect(
        ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
      ).rejects.toThrow();
      expect(counter.count('EC2.DescribeInstances')).toBe(1);
    } finally {
      counter.stop();
    }
  });

  it('measure() counts what the function does on clients it makes, and nothing made before', async () => {
    const before = createAwsClients().ec2('us-east-1');
    const imageId = await baseImage();

    const { value, measurement } = await measure(async () => {
      await before.send(new DescribeInstancesCommand({})); // made before counting: not counted
      const ec2 = createAwsClients().ec2('us-east-1');
      await ec2.send(new DescribeInstancesCommand({}));
      await ec2.send(new DescribeInstancesCommand({}));
      await ec2.send(new DescribeInstancesCommand({}));
      await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 2, MaxCount: 2 }));
      await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 }));
      return 'done';
    });

    expect(value).toBe('done');
    expect(measurement.calls).toEqual({ 'EC2.DescribeInstances': 3, 'EC2.RunInstances': 2 });
    expect(measurement.totalCalls).toBe(5);
    expect(measurement.route53ChangeBatches).toBe(0);
    expect(measurement.latency['EC2.RunInstances']?.calls).toBe(2);
    expect(measurement.wallMs).toBeGreaterThan(0);
    expect(measurement.awsBusyMs).toBeGreaterThan(0);
    expect(measurement.awsBusyMs).toBeLessThanOrEqual(measurement.wallMs + 1);
    expect(measurement.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);

    // After measuring, new clients are no longer counted.
    const { measurement: idle } = await measure(async () => {});
    expect(idle.totalCalls).toBe(0);
  });
});
