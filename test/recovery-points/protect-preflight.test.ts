/**
 * Protect checks a tier's sources before it makes anything: an instance an Auto Scaling group
 * manages is refused (PreflightFailedError, naming the group and the plan path), no image or
 * snapshot is made; so is an encrypted Aurora cluster the plan has no recovery-region key for; a
 * source that is gone is still only counted missing.
 */
import { CreateTagsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBClusterSnapshotsCommand } from '@aws-sdk/client-rds';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProtectTierHandler } from '../../lambdas/handlers/protect-tier';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import { type AwsClients, createAwsClients } from '../../lambdas/runtime/aws-clients';
import { PreflightFailedError } from '../../lambdas/runtime/task-errors';
import { useLocalAws } from '../../local/aws-environment';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { createEstateKeys } from '../support/estate-keys';
import { createAuroraCluster } from './aurora-estate';
import { createEstate, type Estate, estatePlan, PRIMARY, RECOVERY } from './estate';

describe('protect-tier preflight against moto', () => {
  let moto: MotoServer;
  let restoreEnv: () => void;
  let clients: AwsClients;
  let estate: Estate;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMotoServer();
    restoreEnv = useLocalAws(moto.endpoint, RECOVERY);
  });
  afterAll(async () => {
    restoreEnv?.();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    clients = createAwsClients();
    process.env.STATE_TABLE_NAME = 'pendulum-shop-state';
    process.env.ARTIFACT_BUCKET_NAME = 'pendulum-shop-artifacts';
    const parsed = parsePlanObject(estatePlan());
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    process.env.PENDULUM_PLAN = JSON.stringify(parsed.plan);
    estate = await createEstate(clients);
  });
  afterEach(() => {
    for (const key of ['STATE_TABLE_NAME', 'ARTIFACT_BUCKET_NAME', 'PENDULUM_PLAN']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  });

  const images = async (region: string) =>
    (await clients.ec2(region).send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [];

  it('refuses a tier with an Auto Scaling instance before making anything', async () => {
    // Prepare: EC2 Auto Scaling tags the instances it launches with their group's name.
    await clients.ec2(PRIMARY).send(
      new CreateTagsCommand({
        Resources: [estate.web[0] as string],
        Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'shop-web-asg' }],
      }),
    );

    // Act
    const refused = makeProtectTierHandler({ clients })({ tier: 'app', protectRun: 'run-1' });

    // Assess
    await expect(refused).rejects.toBeInstanceOf(PreflightFailedError);
    await expect(refused).rejects.toThrow(
      /tiers\[1\]\.resources\[0\]\.ec2\.tag: i-\w+ is managed by the Auto Scaling group shop-web-asg/,
    );
    expect(await images(PRIMARY)).toEqual([]);
    expect(await images(RECOVERY)).toEqual([]);
  });

  it('refuses an encrypted Aurora cluster the plan has no key for before snapshotting it', async () => {
    // Prepare: the cluster is under a customer managed key; the plan names no key at all.
    const keys = await createEstateKeys(PRIMARY, RECOVERY);
    await createAuroraCluster(clients.rds(PRIMARY), {
      id: 'shop-orders',
      readers: 0,
      kmsKeyId: keys.arns[PRIMARY],
    });
    const plan = estatePlan();
    const parsed = parsePlanObject({
      ...plan,
      tiers: [
        { ...plan.tiers[0], resources: [{ aurora: { clusterIdentifier: 'shop-orders' } }] },
        ...plan.tiers.slice(1),
      ],
      failback: { freeze: 'none' },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    process.env.PENDULUM_PLAN = JSON.stringify(parsed.plan);

    // Act
    const refused = makeProtectTierHandler({ clients })({ tier: 'data', protectRun: 'run-1' });

    // Assess: refused with the cluster's plan path, and nothing was snapshotted.
    await expect(refused).rejects.toBeInstanceOf(PreflightFailedError);
    await expect(refused).rejects.toThrow(
      /tiers\[0\]\.resources\[0\]\.aurora\.clusterIdentifier: shop-orders/,
    );
    const { DBClusterSnapshots = [] } = await clients
      .rds(PRIMARY)
      .send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: 'manual' }));
    expect(DBClusterSnapshots).toEqual([]);
  });
});
