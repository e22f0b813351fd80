/**
 * `pendulum validate` with the example plan as written, its Aurora cluster included: accepted
 * offline and against the account, now that failback brings clusters home. What remains refused
 * is what Pendulum cannot recover: an `rds` identifier that is a cluster's writer or reader (the
 * plan must name the cluster), and a Multi-AZ DB cluster, which DescribeDBClusters also lists.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDBClusterCommand } from '@aws-sdk/client-rds';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSampleEstate, SAMPLE_CLUSTER } from '../../examples/sample-estate';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { localAwsForTests } from '../support/local-aws';
import { examplePlan } from '../support/sample-plan';
import { runCli, samplePlanFile } from './run-cli';

const aws = localAwsForTests('us-west-2');
const clients = () => createAwsClients();
const PLAN_KEYS = { 'us-east-1': 'alias/shop-data', 'us-west-2': 'alias/shop-data' };

/** A plan file (JSON is YAML) from the example plan as written, with `change` applied. */
function planFile(change: (plan: PlanInput) => void): string {
  const plan = structuredClone(examplePlan()) as PlanInput;
  change(plan);
  const result = parsePlanObject(plan);
  if (!result.ok) throw new Error(`changed plan is invalid: ${JSON.stringify(result.problems)}`);
  const file = join(mkdtempSync(join(tmpdir(), 'pendulum-validate-aurora-')), 'pendulum.yaml');
  writeFileSync(file, JSON.stringify(result.plan));
  return file;
}

describe('pendulum validate: the example plan with its Aurora cluster', () => {
  beforeAll(async () => {
    await aws.reset();
    await createSampleEstate(clients(), { kmsAliases: PLAN_KEYS, auroraCluster: true });
  });

  it('accepts it offline: a plan naming an Aurora cluster is no longer refused', async () => {
    // Act
    const { code, stderr } = await runCli('validate', '--plan', samplePlanFile());

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('passes it against the account, the cluster found and its key the plan names', async () => {
    // Act
    const { code, stdout, stderr } = await runCli('validate', '--plan', samplePlanFile(), '--aws');

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('checked against the account: no problems');
  });

  it("refuses an rds identifier that is the cluster's writer, and says to name the cluster", async () => {
    // Prepare: the writer of the cluster named as if it were a database of its own
    const writer = `${SAMPLE_CLUSTER.identifier}-writer`;
    const file = planFile((plan) => {
      plan.tiers[0]?.resources.push({ rds: { identifier: writer } } as never);
    });

    // Act
    const { code, stderr } = await runCli('validate', '--plan', file, '--aws');

    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(
        `tiers\\[0\\]\\.resources\\[2\\]\\.rds\\.identifier: ${writer} is a member of the Aurora cluster ${SAMPLE_CLUSTER.identifier}`,
      ),
    );
    expect(stderr).toContain(
      `fix: name the cluster instead: aurora: { clusterIdentifier: ${SAMPLE_CLUSTER.identifier} }`,
    );
    expect(stderr).not.toContain('not supported yet');
  });

  it('refuses a Multi-AZ DB cluster, which is not an Aurora cluster', async () => {
    // Prepare: a Multi-AZ DB cluster (engine postgres) named as an Aurora cluster
    await clients()
      .rds('us-east-1')
      .send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: 'shop-ledger',
          Engine: 'postgres',
          DBClusterInstanceClass: 'db.m6gd.large',
          AllocatedStorage: 100,
          StorageType: 'io1',
          Iops: 1000,
          MasterUsername: 'ledger',
          MasterUserPassword: 'not-a-secret-1',
        }),
      );
    const file = planFile((plan) => {
      plan.tiers[0]?.resources.push({ aurora: { clusterIdentifier: 'shop-ledger' } });
    });

    // Act
    const { code, stderr } = await runCli('validate', '--plan', file, '--aws');

    // Assess
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /tiers\[0\]\.resources\[2\]\.aurora\.clusterIdentifier: shop-ledger is a Multi-AZ DB cluster \(engine postgres\), not an Aurora cluster/,
    );
  });
});
