/**
 * A source under a customer managed key the plan does not name is refused at protect (by its
 * preflight), with the resource and the plan entry to add, and nothing is copied (no copy in the recovery region, no
 * intermediate left behind in the primary).
 */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate } from '../../examples/sample-estate';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { deployLocalStack, type LocalStack } from '../../local/local-stack';
import { createEstateKeys } from '../support/estate-keys';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';

describe('protect refuses a key the plan does not name', { timeout: 120_000 }, () => {
  localAwsForTests(RECOVERY);
  let stack: LocalStack;

  beforeAll(async () => {
    // Prepare: the estate under its primary key; the plan names only the recovery region's.
    const keys = await createEstateKeys(PRIMARY, RECOVERY);
    await createSampleEstate(createAwsClients(), { databaseKmsKeyId: keys.arns[PRIMARY] });
    stack = await deployLocalStack(
      samplePlanWith((p) => {
        p.encryption = { kmsKeys: { [RECOVERY]: keys.planKeys[RECOVERY] as string } };
      }),
    );
  }, 120_000);

  it('names each refused resource and what to add, and copies nothing', async () => {
    // Act
    const run = await stack.run('protect', {});

    // Assess
    // The tier's preflight finds it before any copy is asked for (the copy itself would refuse too).
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('PreflightFailedError');
    expect(run.cause).toMatch(
      /shop-db: encrypted with KMS key arn:aws:kms:us-east-1:[^ ]+, which the plan does not name for us-east-1/,
    );
    expect(run.cause).toMatch(/encryption\.kmsKeys\.us-east-1/);
    const clients = createAwsClients();
    for (const region of [PRIMARY, RECOVERY]) {
      const { Images = [] } = await clients.ec2(region).send(
        new DescribeImagesCommand({
          Owners: ['self'],
          Filters: [{ Name: `tag:${TAG.app}`, Values: ['shop'] }],
        }),
      );
      expect(Images, `images in ${region}`).toEqual([]);
    }
    for (const region of [PRIMARY, RECOVERY]) {
      const { DBSnapshots = [] } = await clients
        .rds(region)
        .send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }));
      expect(DBSnapshots, `DB snapshots in ${region}`).toEqual([]);
    }
  });
});
