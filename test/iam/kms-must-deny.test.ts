/**
 * The plan's keys, and only them, through RDS only: asked of the synthesized role policies with
 * the evaluator and call models that enforce every workflow run. Each denial has an allowed
 * counterpart, so no test passes by denying everything.
 */
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { stackNameFor } from '../../lib/pendulum-app';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { type LocalIam, localIamFor } from '../../local/iam/local-iam';
import { createEstateKeys, type EstateKeys } from '../support/estate-keys';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';

describe("KMS: the plan's keys only, through RDS only", () => {
  localAwsForTests(RECOVERY);
  let keys: EstateKeys;
  let plan: Plan;
  let iam: LocalIam;
  /** A key of the account the plan does not name, in each region, by ARN. */
  const other: Record<string, string> = {};

  const deniedActions = async (
    handler: string,
    service: string,
    operation: string,
    input: unknown,
    region: string,
  ) =>
    (await iam.decide(`lambdas/handlers/${handler}.ts`, { service, operation, input, region }))
      .filter((d) => !d.allowed)
      .map((d) => d.action);

  beforeAll(async () => {
    keys = await createEstateKeys(PRIMARY, RECOVERY);
    for (const region of [PRIMARY, RECOVERY]) {
      const kms = new KMSClient({ region });
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'payroll' }));
      other[region] = KeyMetadata?.Arn ?? '';
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/payroll', TargetKeyId: KeyMetadata?.KeyId }));
    }
    plan = samplePlanWith((p) => {
      p.encryption = { kmsKeys: keys.planKeys, encryptUnencrypted: false };
    });
    // A database and a point snapshot in the recovery region to copy from (unencrypted: only the
    // destination key is in question).
    const rds = new RDSClient({ region: PRIMARY });
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'shop-db',
        DBInstanceClass: 'db.t3.micro',
        Engine: 'postgres',
        MasterUsername: 'admin',
        MasterUserPassword: 'password123',
        AllocatedStorage: 20,
      }),
    );
    await rds.send(
      new CreateDBSnapshotCommand({
        DBInstanceIdentifier: 'shop-db',
        DBSnapshotIdentifier: 'pendulum-shop-rp-x',
      }),
    );
    iam = localIamFor(synthesizeTemplate(plan), {
      region: RECOVERY,
      stackName: stackNameFor(plan),
      accountId: '123456789012',
    });
  });

  const copyInto = (kmsKeyId: string) => ({
    SourceDBSnapshotIdentifier: `arn:aws:rds:${PRIMARY}:123456789012:snapshot:pendulum-shop-rp-x`,
    TargetDBSnapshotIdentifier: 'pendulum-shop-rp-x',
    KmsKeyId: kmsKeyId,
  });

  it('protect copies under the recovery key the plan names, and under no other key', async () => {
    expect(
      await deniedActions(
        'protect-tier',
        'RDS',
        'CopyDBSnapshot',
        copyInto(keys.arns[RECOVERY] as string),
        RECOVERY,
      ),
    ).toEqual([]);
    expect(
      await deniedActions(
        'protect-tier',
        'RDS',
        'CopyDBSnapshot',
        copyInto(other[RECOVERY] as string),
        RECOVERY,
      ),
    ).toEqual(['kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ReEncryptTo']);
  });

  it('a key named by alias is usable while it carries the alias; another key is not, nor is it readable', async () => {
    expect(
      await deniedActions('protect-tier', 'KMS', 'DescribeKey', { KeyId: 'alias/shop-data' }, PRIMARY),
    ).toEqual([]);
    expect(
      await deniedActions('protect-tier', 'KMS', 'DescribeKey', { KeyId: keys.arns[PRIMARY] }, PRIMARY),
    ).toEqual([]);
    expect(
      await deniedActions('protect-tier', 'KMS', 'DescribeKey', { KeyId: 'alias/payroll' }, PRIMARY),
    ).toEqual(['kms:DescribeKey']);
    expect(
      await deniedActions('protect-tier', 'KMS', 'DescribeKey', { KeyId: other[RECOVERY] }, RECOVERY),
    ).toEqual(['kms:DescribeKey']);
  });

  it('only the tasks that resolve keys read them: recovery restores under the snapshot key without', async () => {
    const key = { KeyId: keys.arns[RECOVERY] };
    expect(await deniedActions('protect-tier', 'KMS', 'DescribeKey', key, RECOVERY)).toEqual([]);
    expect(await deniedActions('recover-tier', 'KMS', 'DescribeKey', key, RECOVERY)).toEqual([
      'kms:DescribeKey',
    ]);
  });
});
