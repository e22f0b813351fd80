/**
 * The local IAM layer's model of what AWS authorizes per call, against the grants Pendulum had
 * before least privilege was enforced: each denial the issue found is reproduced with the old
 * statement and resolved by the new one (the evaluator is the real one; only the facts AWS would
 * read about existing resources are given here instead of read from moto).
 */
import { describe, expect, it } from 'vitest';
import type { OperationEnv, ResourceFacts } from '../../local/iam/authorization-request';
import { evaluateRequest } from '../../local/iam/evaluate-request';
import { operationMapper } from '../../local/iam/operation-authorizations';
import type { PolicyStatement } from '../../local/iam/role-policies';

const ACCOUNT = '123456789012';

function facts(overrides: Partial<ResourceFacts> = {}): ResourceFacts {
  return {
    ec2Tags: async (_region, ids) => new Map(ids.map((id) => [id, {}])),
    imageSnapshots: async () => [],
    rdsTags: async () => ({}),
    rdsKmsKey: async () => undefined,
    instanceProfile: async () => ({ exists: false }),
    topicKey: () => undefined,
    s3ObjectExists: async () => true,
    kmsKey: async (_region, keyId) => ({ arn: keyId, aliases: [], awsManaged: false }),
    keyPolicy: async () => ({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    }),
    ...overrides,
  };
}

/** Whether a role holding exactly these statements may make the call, as the enforcing runner decides. */
async function mayCall(
  statements: PolicyStatement[],
  call: { service: string; operation: string; input: unknown; region: string },
  given: ResourceFacts = facts(),
) {
  const mapper = operationMapper(call.service, call.operation);
  if (!mapper) throw new Error(`no model of ${call.service}.${call.operation}`);
  const env: OperationEnv = { region: call.region, account: ACCOUNT, facts: given };
  const requests = await mapper(call.input, env);
  const policies = [{ name: 'role', policy: { Version: '2012-10-17', Statement: statements } }];
  const decisions = await Promise.all(
    requests.map(async (r) => ({
      ...r,
      allowed: (
        await evaluateRequest(
          `arn:aws:iam::${ACCOUNT}:role/task`,
          policies,
          r,
          call.region,
          r.action.startsWith('kms:') ? await given.keyPolicy(r.resource) : undefined,
        )
      ).allowed,
    })),
  );
  return { allowed: decisions.every((d) => d.allowed), denied: decisions.filter((d) => !d.allowed) };
}

const allow = (
  Action: string | string[],
  Resource: string | string[],
  Condition?: PolicyStatement['Condition'],
) => ({
  Effect: 'Allow' as const,
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

describe('what AWS authorizes for each call Pendulum makes', () => {
  it('CopyImage needs the snapshot resource as well as the image (the old grant named images only)', async () => {
    const call = {
      service: 'EC2',
      operation: 'CopyImage',
      input: { SourceImageId: 'ami-0abc', SourceRegion: 'us-east-1' },
      region: 'us-west-2',
    };
    const images = ['us-east-1', 'us-west-2'].map((r) => `arn:aws:ec2:${r}::image/*`);
    const before = await mayCall([allow('ec2:CopyImage', images)], call);
    expect(before.denied.map((d) => d.resource)).toEqual([
      'arn:aws:ec2:us-west-2::snapshot/snap-0new00000000000000',
    ]);
    const after = await mayCall(
      [allow('ec2:CopyImage', [...images, 'arn:aws:ec2:us-west-2::snapshot/*'])],
      call,
    );
    expect(after.allowed).toBe(true);
  });

  it('RunInstances with a key pair needs the key-pair resource', async () => {
    const launch = ['instance', 'volume', 'network-interface', 'subnet', 'security-group'].map(
      (t) => `arn:aws:ec2:us-west-2:${ACCOUNT}:${t}/*`,
    );
    const call = {
      service: 'EC2',
      operation: 'RunInstances',
      input: { ImageId: 'ami-0abc', SubnetId: 'subnet-1', SecurityGroupIds: ['sg-1'], KeyName: 'shop-ops' },
      region: 'us-west-2',
    };
    const old = [allow('ec2:RunInstances', [...launch, 'arn:aws:ec2:us-west-2::image/*'])];
    expect((await mayCall(old, call)).denied.map((d) => d.resource)).toEqual([
      `arn:aws:ec2:us-west-2:${ACCOUNT}:key-pair/shop-ops`,
    ]);
    const now = [...old, allow('ec2:RunInstances', `arn:aws:ec2:us-west-2:${ACCOUNT}:key-pair/shop-ops`)];
    expect((await mayCall(now, call)).allowed).toBe(true);
  });

  it("PromoteReadReplica of the user's own replica: a pendulum:app tag condition denies it, the plan's identifier allows it", async () => {
    const call = {
      service: 'RDS',
      operation: 'PromoteReadReplica',
      input: { DBInstanceIdentifier: 'shop-db-replica' },
      region: 'us-west-2',
    };
    const old = allow('rds:PromoteReadReplica', `arn:aws:rds:us-west-2:${ACCOUNT}:db:*`, {
      StringEquals: { 'aws:ResourceTag/pendulum:app': 'shop' },
    });
    expect((await mayCall([old], call)).allowed).toBe(false);
    const now = allow('rds:PromoteReadReplica', `arn:aws:rds:us-west-2:${ACCOUNT}:db:shop-db-replica`);
    expect((await mayCall([now], call)).allowed).toBe(true);
  });

  it('deleting a database with a final snapshot needs rds:CreateDBSnapshot on the database and the snapshot', async () => {
    const call = {
      service: 'RDS',
      operation: 'DeleteDBInstance',
      input: {
        DBInstanceIdentifier: 'shop-db-pf-1a2b3c4d',
        FinalDBSnapshotIdentifier: 'pendulum-shop-final-1a2b3c4d-shop-db',
      },
      region: 'us-west-2',
    };
    const del = allow('rds:DeleteDBInstance', `arn:aws:rds:us-west-2:${ACCOUNT}:db:shop-db-pf-*`);
    expect((await mayCall([del], call)).denied.map((d) => d.implicit)).toEqual([
      'final snapshot',
      'final snapshot',
    ]);
    const keep = allow('rds:CreateDBSnapshot', [
      `arn:aws:rds:us-west-2:${ACCOUNT}:db:shop-db-pf-*`,
      `arn:aws:rds:us-west-2:${ACCOUNT}:snapshot:pendulum-shop-final-*`,
    ]);
    expect((await mayCall([del, keep], call)).allowed).toBe(true);
  });

  it('tags given at creation are authorized again: ec2:CreateTags with ec2:CreateAction, rds:AddTagsToResource', async () => {
    const image = {
      service: 'EC2',
      operation: 'CreateImage',
      input: {
        InstanceId: 'i-1',
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'pendulum:app', Value: 'shop' }] }],
      },
      region: 'us-east-1',
    };
    const create = allow('ec2:CreateImage', [
      `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`,
      'arn:aws:ec2:us-east-1::image/*',
      'arn:aws:ec2:us-east-1::snapshot/*',
    ]);
    expect((await mayCall([create], image)).denied.map((d) => d.action)).toEqual(['ec2:CreateTags']);
    const tagOnCreate = allow('ec2:CreateTags', 'arn:aws:ec2:us-east-1::image/*', {
      StringEquals: { 'ec2:CreateAction': 'CreateImage' },
    });
    expect((await mayCall([create, tagOnCreate], image)).allowed).toBe(true);
    // The same CreateTags grant does not let anyone tag an existing image.
    const retag = {
      service: 'EC2',
      operation: 'CreateTags',
      input: { Resources: ['ami-0abc'], Tags: [{ Key: 'pendulum:app', Value: 'shop' }] },
      region: 'us-east-1',
    };
    expect((await mayCall([tagOnCreate], retag)).allowed).toBe(false);
  });

  it('a launch from an image whose snapshots are encrypted with a customer managed key needs that key (via EC2)', async () => {
    const key = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1111-2222`;
    const encrypted = facts({ imageSnapshots: async () => [{ snapshotId: 'snap-1', kmsKeyId: key }] });
    const launch = allow(
      'ec2:RunInstances',
      ['instance', 'volume', 'network-interface', 'subnet']
        .map((t) => `arn:aws:ec2:us-west-2:${ACCOUNT}:${t}/*`)
        .concat('arn:aws:ec2:us-west-2::image/*'),
    );
    const call = {
      service: 'EC2',
      operation: 'RunInstances',
      input: { ImageId: 'ami-0abc', SubnetId: 'subnet-1' },
      region: 'us-west-2',
    };
    const without = await mayCall([launch], call, encrypted);
    expect(without.denied.map((d) => d.action).sort()).toEqual([
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
    ]);
    const useKey = allow(
      ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext'],
      key,
      { StringEquals: { 'kms:ViaService': 'ec2.us-west-2.amazonaws.com' } },
    );
    expect((await mayCall([launch, useKey], call, encrypted)).allowed).toBe(true);
    // An AWS managed key (aws/ebs) is usable through EC2 by its key policy: nothing to grant.
    const managed = facts({
      imageSnapshots: async () => [{ snapshotId: 'snap-1', kmsKeyId: 'alias/aws/ebs' }],
    });
    expect((await mayCall([launch], call, managed)).allowed).toBe(true);
  });

  it("Route 53 writes are checked against the change's normalized record names", async () => {
    const call = (name: string) => ({
      service: 'Route53',
      operation: 'ChangeResourceRecordSets',
      input: {
        HostedZoneId: '/hostedzone/Z1',
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'A' } }] },
      },
      region: 'us-east-1',
    });
    const managed = allow('route53:ChangeResourceRecordSets', 'arn:aws:route53:::hostedzone/*', {
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['www.shop.example.com'],
      },
    });
    expect((await mayCall([managed], call('WWW.shop.example.com.'))).allowed).toBe(true);
    expect((await mayCall([managed], call('mail.shop.example.com.'))).allowed).toBe(false);
  });
});
