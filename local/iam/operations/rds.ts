/**
 * RDS operations as AWS authorizes them (Service Authorization Reference, "Actions defined by Amazon
 * RDS"). Tags given at creation are authorized again as `rds:AddTagsToResource` (RDS User Guide,
 * "Grant permission to tag Amazon RDS resources during creation").
 */
import {
  type AuthorizationRequest,
  type ContextValues,
  EVERY_RESOURCE,
  kmsUse,
  type OperationEnv,
  type OperationMapper,
  requestTagContext,
  resourceTagContext,
} from '../authorization-request';

type Tag = { Key?: string; Value?: string };

/** `db:shop-db` in the call's region, or the ARN as given (cross-region sources are ARNs). */
export function rdsArn(env: OperationEnv, kind: string, identifier: string): string {
  return identifier.startsWith('arn:')
    ? identifier
    : `arn:aws:rds:${env.region}:${env.account}:${kind}:${identifier}`;
}

/** `arn:aws:rds::<account>:global-cluster:<id>`: global clusters belong to no one region. */
function globalClusterArn(env: OperationEnv, identifier: string): string {
  return `arn:aws:rds::${env.account}:global-cluster:${identifier}`;
}

function regionOf(arn: string, fallback: string): string {
  return arn.split(':')[3] || fallback;
}

async function existing(
  action: string,
  env: OperationEnv,
  kind: string,
  identifier: string,
  extra: ContextValues = {},
): Promise<AuthorizationRequest> {
  const resource = rdsArn(env, kind, identifier);
  return {
    action,
    resource,
    context: { ...resourceTagContext(await env.facts.rdsTags(resource)), ...extra },
  };
}

function created(action: string, env: OperationEnv, kind: string, identifier: string, tags?: Tag[]) {
  return { action, resource: rdsArn(env, kind, identifier), context: requestTagContext(tags, 'rds') };
}

function tagOnCreate(
  env: OperationEnv,
  kind: string,
  identifier: string,
  tags?: Tag[],
): AuthorizationRequest[] {
  if (!tags || tags.length === 0) return [];
  return [{ ...created('rds:AddTagsToResource', env, kind, identifier, tags), implicit: 'tag on create' }];
}

/** Groups named in a create or modify call; defaults the call leaves out are not checked. */
function namedGroups(
  action: string,
  env: OperationEnv,
  input: { DBSubnetGroupName?: string; OptionGroupName?: string; DBParameterGroupName?: string },
): AuthorizationRequest[] {
  const out: AuthorizationRequest[] = [];
  if (input.DBSubnetGroupName) out.push({ action, resource: rdsArn(env, 'subgrp', input.DBSubnetGroupName) });
  if (input.OptionGroupName) out.push({ action, resource: rdsArn(env, 'og', input.OptionGroupName) });
  if (input.DBParameterGroupName)
    out.push({ action, resource: rdsArn(env, 'pg', input.DBParameterGroupName) });
  return out;
}

const RDS_KMS_SOURCE = ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey'];
const RDS_KMS_TARGET = ['kms:CreateGrant', 'kms:DescribeKey', 'kms:GenerateDataKey', 'kms:ReEncryptTo'];

async function sourceKey(env: OperationEnv, arn: string, action: string): Promise<AuthorizationRequest[]> {
  const key = await env.facts.rdsKmsKey(arn);
  return kmsUse(key, `rds.${regionOf(arn, env.region)}.amazonaws.com`, RDS_KMS_SOURCE).map((r) => ({
    ...r,
    implicit: `KMS (${action})`,
  }));
}

export const RDS_OPERATIONS: Record<string, OperationMapper> = {
  DescribeDBInstances: async (input: { DBInstanceIdentifier?: string }, env) => [
    {
      action: 'rds:DescribeDBInstances',
      resource: rdsArn(env, 'db', input.DBInstanceIdentifier ?? EVERY_RESOURCE),
    },
  ],
  DescribeDBSnapshots: async (
    input: { DBSnapshotIdentifier?: string; DBInstanceIdentifier?: string },
    env,
  ) => [
    {
      action: 'rds:DescribeDBSnapshots',
      resource: input.DBSnapshotIdentifier
        ? rdsArn(env, 'snapshot', input.DBSnapshotIdentifier)
        : input.DBInstanceIdentifier
          ? rdsArn(env, 'db', input.DBInstanceIdentifier)
          : rdsArn(env, 'snapshot', EVERY_RESOURCE),
    },
  ],
  DescribeDBSubnetGroups: async (input: { DBSubnetGroupName?: string }, env) => [
    {
      action: 'rds:DescribeDBSubnetGroups',
      resource: rdsArn(env, 'subgrp', input.DBSubnetGroupName ?? EVERY_RESOURCE),
    },
  ],
  ListTagsForResource: async (input: { ResourceName: string }, env) => [
    await existing('rds:ListTagsForResource', env, 'db', input.ResourceName),
  ],

  CreateDBSnapshot: async (
    input: { DBInstanceIdentifier: string; DBSnapshotIdentifier: string; Tags?: Tag[] },
    env,
  ) => [
    await existing('rds:CreateDBSnapshot', env, 'db', input.DBInstanceIdentifier),
    created('rds:CreateDBSnapshot', env, 'snapshot', input.DBSnapshotIdentifier, input.Tags),
    ...tagOnCreate(env, 'snapshot', input.DBSnapshotIdentifier, input.Tags),
  ],

  CopyDBSnapshot: async (
    input: {
      SourceDBSnapshotIdentifier: string;
      TargetDBSnapshotIdentifier: string;
      KmsKeyId?: string;
      Tags?: Tag[];
    },
    env,
  ) => {
    const source = rdsArn(env, 'snapshot', input.SourceDBSnapshotIdentifier);
    return [
      await existing('rds:CopyDBSnapshot', env, 'snapshot', source),
      created('rds:CopyDBSnapshot', env, 'snapshot', input.TargetDBSnapshotIdentifier, input.Tags),
      ...tagOnCreate(env, 'snapshot', input.TargetDBSnapshotIdentifier, input.Tags),
      ...(await sourceKey(env, source, 'copy')),
      ...kmsUse(input.KmsKeyId, `rds.${env.region}.amazonaws.com`, RDS_KMS_TARGET),
    ];
  },

  RestoreDBInstanceFromDBSnapshot: async (
    input: {
      DBInstanceIdentifier: string;
      DBSnapshotIdentifier: string;
      DBSubnetGroupName?: string;
      OptionGroupName?: string;
      DBParameterGroupName?: string;
      KmsKeyId?: string;
      Tags?: Tag[];
    },
    env,
  ) => {
    const snapshot = rdsArn(env, 'snapshot', input.DBSnapshotIdentifier);
    return [
      created('rds:RestoreDBInstanceFromDBSnapshot', env, 'db', input.DBInstanceIdentifier, input.Tags),
      await existing('rds:RestoreDBInstanceFromDBSnapshot', env, 'snapshot', snapshot),
      ...namedGroups('rds:RestoreDBInstanceFromDBSnapshot', env, input),
      ...tagOnCreate(env, 'db', input.DBInstanceIdentifier, input.Tags),
      ...(await sourceKey(env, snapshot, 'restore')),
      ...kmsUse(input.KmsKeyId, `rds.${env.region}.amazonaws.com`, RDS_KMS_TARGET),
    ];
  },

  CreateDBInstanceReadReplica: async (
    input: {
      DBInstanceIdentifier: string;
      SourceDBInstanceIdentifier: string;
      DBSubnetGroupName?: string;
      KmsKeyId?: string;
      Tags?: Tag[];
    },
    env,
  ) => {
    const source = rdsArn(env, 'db', input.SourceDBInstanceIdentifier);
    return [
      created('rds:CreateDBInstanceReadReplica', env, 'db', input.DBInstanceIdentifier, input.Tags),
      await existing('rds:CreateDBInstanceReadReplica', env, 'db', source),
      ...namedGroups('rds:CreateDBInstanceReadReplica', env, input),
      ...tagOnCreate(env, 'db', input.DBInstanceIdentifier, input.Tags),
      ...(await sourceKey(env, source, 'replicate')),
      ...kmsUse(input.KmsKeyId, `rds.${env.region}.amazonaws.com`, RDS_KMS_TARGET),
    ];
  },

  PromoteReadReplica: async (input: { DBInstanceIdentifier: string }, env) => [
    await existing('rds:PromoteReadReplica', env, 'db', input.DBInstanceIdentifier),
  ],
  StartDBInstance: async (input: { DBInstanceIdentifier: string }, env) => [
    await existing('rds:StartDBInstance', env, 'db', input.DBInstanceIdentifier),
  ],
  StopDBInstance: async (input: { DBInstanceIdentifier: string }, env) => [
    await existing('rds:StopDBInstance', env, 'db', input.DBInstanceIdentifier),
  ],
  ModifyDBInstance: async (
    input: { DBInstanceIdentifier: string; DBParameterGroupName?: string; OptionGroupName?: string },
    env,
  ) => [
    await existing('rds:ModifyDBInstance', env, 'db', input.DBInstanceIdentifier),
    ...namedGroups('rds:ModifyDBInstance', env, input),
  ],

  RebootDBInstance: async (input: { DBInstanceIdentifier: string }, env) => [
    await existing('rds:RebootDBInstance', env, 'db', input.DBInstanceIdentifier),
  ],

  CopyDBParameterGroup: async (
    input: {
      SourceDBParameterGroupIdentifier: string;
      TargetDBParameterGroupIdentifier: string;
      Tags?: Tag[];
    },
    env,
  ) => [
    await existing('rds:CopyDBParameterGroup', env, 'pg', input.SourceDBParameterGroupIdentifier),
    created('rds:CopyDBParameterGroup', env, 'pg', input.TargetDBParameterGroupIdentifier, input.Tags),
    ...tagOnCreate(env, 'pg', input.TargetDBParameterGroupIdentifier, input.Tags),
  ],
  ModifyDBParameterGroup: async (input: { DBParameterGroupName: string }, env) => [
    await existing('rds:ModifyDBParameterGroup', env, 'pg', input.DBParameterGroupName),
  ],
  DeleteDBParameterGroup: async (input: { DBParameterGroupName: string }, env) => [
    await existing('rds:DeleteDBParameterGroup', env, 'pg', input.DBParameterGroupName),
  ],

  DeleteDBInstance: async (
    input: { DBInstanceIdentifier: string; FinalDBSnapshotIdentifier?: string; SkipFinalSnapshot?: boolean },
    env,
  ) => {
    const requests = [await existing('rds:DeleteDBInstance', env, 'db', input.DBInstanceIdentifier)];
    if (input.FinalDBSnapshotIdentifier && !input.SkipFinalSnapshot) {
      // RDS takes the final snapshot as the caller: a role that may not snapshot may not delete with one.
      requests.push(
        {
          ...(await existing('rds:CreateDBSnapshot', env, 'db', input.DBInstanceIdentifier)),
          implicit: 'final snapshot',
        },
        {
          ...created('rds:CreateDBSnapshot', env, 'snapshot', input.FinalDBSnapshotIdentifier),
          implicit: 'final snapshot',
        },
      );
    }
    return requests;
  },

  AddTagsToResource: async (input: { ResourceName: string; Tags?: Tag[] }, env) => {
    const tags = await env.facts.rdsTags(input.ResourceName);
    return [
      {
        action: 'rds:AddTagsToResource',
        resource: input.ResourceName,
        context: { ...resourceTagContext(tags), ...requestTagContext(input.Tags, 'rds') },
      },
    ];
  },

  DeleteDBSnapshot: async (input: { DBSnapshotIdentifier: string }, env) => [
    await existing('rds:DeleteDBSnapshot', env, 'snapshot', input.DBSnapshotIdentifier),
  ],

  // Aurora clusters: the data is the cluster's (`cluster:`), its snapshots `cluster-snapshot:`.
  DescribeDBClusters: async (input: { DBClusterIdentifier?: string }, env) => [
    {
      action: 'rds:DescribeDBClusters',
      resource: rdsArn(env, 'cluster', input.DBClusterIdentifier ?? EVERY_RESOURCE),
    },
  ],
  DescribeDBClusterSnapshots: async (
    input: { DBClusterSnapshotIdentifier?: string; DBClusterIdentifier?: string },
    env,
  ) => [
    {
      action: 'rds:DescribeDBClusterSnapshots',
      resource: input.DBClusterSnapshotIdentifier
        ? rdsArn(env, 'cluster-snapshot', input.DBClusterSnapshotIdentifier)
        : input.DBClusterIdentifier
          ? rdsArn(env, 'cluster', input.DBClusterIdentifier)
          : rdsArn(env, 'cluster-snapshot', EVERY_RESOURCE),
    },
  ],
  CreateDBClusterSnapshot: async (
    input: { DBClusterIdentifier: string; DBClusterSnapshotIdentifier: string; Tags?: Tag[] },
    env,
  ) => [
    await existing('rds:CreateDBClusterSnapshot', env, 'cluster', input.DBClusterIdentifier),
    created(
      'rds:CreateDBClusterSnapshot',
      env,
      'cluster-snapshot',
      input.DBClusterSnapshotIdentifier,
      input.Tags,
    ),
    ...tagOnCreate(env, 'cluster-snapshot', input.DBClusterSnapshotIdentifier, input.Tags),
  ],
  CopyDBClusterSnapshot: async (
    input: {
      SourceDBClusterSnapshotIdentifier: string;
      TargetDBClusterSnapshotIdentifier: string;
      KmsKeyId?: string;
      Tags?: Tag[];
    },
    env,
  ) => {
    const source = rdsArn(env, 'cluster-snapshot', input.SourceDBClusterSnapshotIdentifier);
    return [
      await existing('rds:CopyDBClusterSnapshot', env, 'cluster-snapshot', source),
      created(
        'rds:CopyDBClusterSnapshot',
        env,
        'cluster-snapshot',
        input.TargetDBClusterSnapshotIdentifier,
        input.Tags,
      ),
      ...tagOnCreate(env, 'cluster-snapshot', input.TargetDBClusterSnapshotIdentifier, input.Tags),
      ...(await sourceKey(env, source, 'copy')),
      ...kmsUse(input.KmsKeyId, `rds.${env.region}.amazonaws.com`, RDS_KMS_TARGET),
    ];
  },
  DeleteDBClusterSnapshot: async (input: { DBClusterSnapshotIdentifier: string }, env) => [
    await existing('rds:DeleteDBClusterSnapshot', env, 'cluster-snapshot', input.DBClusterSnapshotIdentifier),
  ],
  RestoreDBClusterFromSnapshot: async (
    input: {
      DBClusterIdentifier: string;
      SnapshotIdentifier: string;
      DBSubnetGroupName?: string;
      DBClusterParameterGroupName?: string;
      KmsKeyId?: string;
      Tags?: Tag[];
    },
    env,
  ) => {
    const snapshot = rdsArn(env, 'cluster-snapshot', input.SnapshotIdentifier);
    const action = 'rds:RestoreDBClusterFromSnapshot';
    return [
      created(action, env, 'cluster', input.DBClusterIdentifier, input.Tags),
      await existing(action, env, 'cluster-snapshot', snapshot),
      ...(input.DBSubnetGroupName
        ? [{ action, resource: rdsArn(env, 'subgrp', input.DBSubnetGroupName) }]
        : []),
      ...(input.DBClusterParameterGroupName
        ? [{ action, resource: rdsArn(env, 'cluster-pg', input.DBClusterParameterGroupName) }]
        : []),
      ...tagOnCreate(env, 'cluster', input.DBClusterIdentifier, input.Tags),
      ...(await sourceKey(env, snapshot, 'restore')),
      ...kmsUse(input.KmsKeyId, `rds.${env.region}.amazonaws.com`, RDS_KMS_TARGET),
    ];
  },
  /** Only as Pendulum uses it: an instance of an Aurora cluster (the cluster holds the data and key). */
  CreateDBInstance: async (
    input: {
      DBInstanceIdentifier: string;
      DBClusterIdentifier?: string;
      DBSubnetGroupName?: string;
      DBParameterGroupName?: string;
      OptionGroupName?: string;
      Tags?: Tag[];
    },
    env,
  ) => [
    created('rds:CreateDBInstance', env, 'db', input.DBInstanceIdentifier, input.Tags),
    ...(input.DBClusterIdentifier
      ? [await existing('rds:CreateDBInstance', env, 'cluster', input.DBClusterIdentifier)]
      : []),
    ...namedGroups('rds:CreateDBInstance', env, input),
    ...tagOnCreate(env, 'db', input.DBInstanceIdentifier, input.Tags),
  ],
  // Aurora global databases: `global-cluster:` ARNs have no region (RDS, Service Authorization
  // Reference); a switchover or failover also needs the target cluster.
  DescribeGlobalClusters: async (input: { GlobalClusterIdentifier?: string }, env) => [
    {
      action: 'rds:DescribeGlobalClusters',
      resource: globalClusterArn(env, input.GlobalClusterIdentifier ?? EVERY_RESOURCE),
    },
  ],
  SwitchoverGlobalCluster: async (
    input: { GlobalClusterIdentifier: string; TargetDbClusterIdentifier: string },
    env,
  ) => [
    { action: 'rds:SwitchoverGlobalCluster', resource: globalClusterArn(env, input.GlobalClusterIdentifier) },
    await existing('rds:SwitchoverGlobalCluster', env, 'cluster', input.TargetDbClusterIdentifier),
  ],
  FailoverGlobalCluster: async (
    input: { GlobalClusterIdentifier: string; TargetDbClusterIdentifier: string },
    env,
  ) => [
    { action: 'rds:FailoverGlobalCluster', resource: globalClusterArn(env, input.GlobalClusterIdentifier) },
    await existing('rds:FailoverGlobalCluster', env, 'cluster', input.TargetDbClusterIdentifier),
  ],
  // Renaming (NewDBClusterIdentifier) is authorized on the cluster as it is named now: the
  // Service Authorization Reference lists cluster* (and cluster-pg, og when named) for
  // ModifyDBCluster, no resource for the new name.
  ModifyDBCluster: async (input: { DBClusterIdentifier: string }, env) => [
    await existing('rds:ModifyDBCluster', env, 'cluster', input.DBClusterIdentifier),
  ],
  StartDBCluster: async (input: { DBClusterIdentifier: string }, env) => [
    await existing('rds:StartDBCluster', env, 'cluster', input.DBClusterIdentifier),
  ],
  /**
   * Service Authorization Reference, "Actions defined by Amazon RDS", DeleteDBCluster: resource
   * types `cluster*` and `cluster-snapshot*` (the final snapshot it makes), dependent actions
   * rds:CreateDBClusterSnapshot, rds:AddTagsToResource, rds:DeleteDBInstance. So a final snapshot
   * is authorized as rds:DeleteDBCluster on its cluster-snapshot ARN too, and as the caller's own
   * CreateDBClusterSnapshot (as for DB instances). Skipping it asks only for the cluster.
   */
  DeleteDBCluster: async (
    input: { DBClusterIdentifier: string; FinalDBSnapshotIdentifier?: string; SkipFinalSnapshot?: boolean },
    env,
  ) => {
    const requests = [await existing('rds:DeleteDBCluster', env, 'cluster', input.DBClusterIdentifier)];
    if (input.FinalDBSnapshotIdentifier && !input.SkipFinalSnapshot) {
      requests.push(
        created('rds:DeleteDBCluster', env, 'cluster-snapshot', input.FinalDBSnapshotIdentifier),
        {
          ...(await existing('rds:CreateDBClusterSnapshot', env, 'cluster', input.DBClusterIdentifier)),
          implicit: 'final snapshot',
        },
        {
          ...created('rds:CreateDBClusterSnapshot', env, 'cluster-snapshot', input.FinalDBSnapshotIdentifier),
          implicit: 'final snapshot',
        },
      );
    }
    return requests;
  },
};
