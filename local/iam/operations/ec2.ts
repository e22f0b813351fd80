/**
 * EC2 operations as AWS authorizes them (Service Authorization Reference, "Actions defined by Amazon
 * EC2", and the EC2 User Guide on tagging at creation and EBS encryption).
 */
import {
  type AuthorizationRequest,
  type ContextValues,
  kmsUse,
  type OperationEnv,
  type OperationMapper,
  requestTagContext,
  resourceTagContext,
} from '../authorization-request';

type Tag = { Key?: string; Value?: string };
type TagSpecification = { ResourceType?: string; Tags?: Tag[] };

const ACCOUNTLESS = new Set(['image', 'snapshot']);

export function ec2Arn(region: string, account: string, type: string, id: string): string {
  return `arn:aws:ec2:${region}:${ACCOUNTLESS.has(type) ? '' : account}:${type}/${id}`;
}

const ID_PREFIX: Record<string, string> = {
  i: 'instance',
  ami: 'image',
  snap: 'snapshot',
  vol: 'volume',
  eni: 'network-interface',
  subnet: 'subnet',
  sg: 'security-group',
  vpc: 'vpc',
};

/** `i-0abc` → `instance`; an id of a kind not listed here fails loudly. */
export function ec2ResourceType(id: string): string {
  const type = ID_PREFIX[id.split('-')[0] ?? ''];
  if (!type) throw new Error(`local IAM: no EC2 resource type known for id ${id}`);
  return type;
}

function tagsFor(specs: TagSpecification[] | undefined, type: string): Tag[] | undefined {
  const tags = (specs ?? []).filter((s) => s.ResourceType === type).flatMap((s) => s.Tags ?? []);
  return tags.length > 0 ? tags : undefined;
}

/** Existing resources named by id: the action on each, with its tags as context. */
async function onExisting(
  action: string,
  ids: readonly string[],
  env: OperationEnv,
  extra: ContextValues = {},
  region = env.region,
): Promise<AuthorizationRequest[]> {
  const tags = await env.facts.ec2Tags(region, ids);
  return ids.map((id) => ({
    action,
    resource: ec2Arn(region, env.account, ec2ResourceType(id), id),
    context: { ...resourceTagContext(tags.get(id), 'ec2'), ...extra },
  }));
}

/**
 * The id a resource the call creates is authorized under before it exists. Concrete, not `*`: a
 * request for `instance/*` would be allowed by any statement naming one instance.
 */
const NEW_ID: Record<string, string> = {
  instance: 'i-0new00000000000000',
  volume: 'vol-0new00000000000000',
  'network-interface': 'eni-0new00000000000000',
  image: 'ami-0new00000000000000',
  snapshot: 'snap-0new00000000000000',
};

function newArn(env: OperationEnv, type: string): string {
  const id = NEW_ID[type];
  if (!id) throw new Error(`local IAM: no placeholder id for a new ${type}`);
  return ec2Arn(env.region, env.account, type, id);
}

/** A resource the call creates, with the tags requested for it. */
function created(action: string, env: OperationEnv, type: string, specs?: TagSpecification[]) {
  return {
    action,
    resource: newArn(env, type),
    context: requestTagContext(tagsFor(specs, type)),
  };
}

/** Tagging at creation: `ec2:CreateTags` on each tagged resource type, with `ec2:CreateAction`. */
function tagOnCreate(
  env: OperationEnv,
  createAction: string,
  specs: TagSpecification[] | undefined,
): AuthorizationRequest[] {
  const types = [
    ...new Set((specs ?? []).filter((s) => (s.Tags ?? []).length > 0).map((s) => s.ResourceType)),
  ];
  return types.flatMap((type) =>
    type
      ? [
          {
            action: 'ec2:CreateTags',
            resource: newArn(env, type),
            context: { ...requestTagContext(tagsFor(specs, type)), 'ec2:CreateAction': createAction },
            implicit: 'tag on create',
          },
        ]
      : [],
  );
}

/** Actions that support no resource-level permissions are authorized on `*`. */
const wildcard =
  (action: string): OperationMapper =>
  async () => [{ action, resource: '*' }];

const EBS_LAUNCH_KMS = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
];

export const EC2_OPERATIONS: Record<string, OperationMapper> = {
  DescribeInstances: wildcard('ec2:DescribeInstances'),
  DescribeImages: wildcard('ec2:DescribeImages'),
  DescribeSnapshots: wildcard('ec2:DescribeSnapshots'),
  DescribeSubnets: wildcard('ec2:DescribeSubnets'),
  DescribeVpcs: wildcard('ec2:DescribeVpcs'),
  DescribeSecurityGroups: wildcard('ec2:DescribeSecurityGroups'),
  DescribeVolumes: wildcard('ec2:DescribeVolumes'),
  DescribeTags: wildcard('ec2:DescribeTags'),
  DescribeKeyPairs: wildcard('ec2:DescribeKeyPairs'),
  DescribeInstanceTypes: wildcard('ec2:DescribeInstanceTypes'),

  CreateTags: async (input: { Resources?: string[]; Tags?: Tag[] }, env) =>
    onExisting('ec2:CreateTags', input.Resources ?? [], env, requestTagContext(input.Tags)),

  TerminateInstances: async (input: { InstanceIds?: string[] }, env) =>
    onExisting('ec2:TerminateInstances', input.InstanceIds ?? [], env),
  StopInstances: async (input: { InstanceIds?: string[] }, env) =>
    onExisting('ec2:StopInstances', input.InstanceIds ?? [], env),
  ModifyInstanceAttribute: async (input: { InstanceId?: string }, env) =>
    onExisting('ec2:ModifyInstanceAttribute', input.InstanceId ? [input.InstanceId] : [], env),
  DeregisterImage: async (input: { ImageId?: string }, env) =>
    onExisting('ec2:DeregisterImage', input.ImageId ? [input.ImageId] : [], env),
  DeleteSnapshot: async (input: { SnapshotId?: string }, env) =>
    onExisting('ec2:DeleteSnapshot', input.SnapshotId ? [input.SnapshotId] : [], env),

  CreateImage: async (input: { InstanceId: string; TagSpecifications?: TagSpecification[] }, env) => [
    ...(await onExisting('ec2:CreateImage', [input.InstanceId], env)),
    created('ec2:CreateImage', env, 'image', input.TagSpecifications),
    created('ec2:CreateImage', env, 'snapshot', input.TagSpecifications),
    ...tagOnCreate(env, 'CreateImage', input.TagSpecifications),
  ],

  CopyImage: async (
    input: {
      SourceImageId: string;
      SourceRegion: string;
      KmsKeyId?: string;
      Encrypted?: boolean;
      TagSpecifications?: TagSpecification[];
    },
    env,
  ) => {
    const sources = await env.facts.imageSnapshots(input.SourceRegion, input.SourceImageId);
    const sourceKeys = [...new Set(sources.flatMap((s) => (s.kmsKeyId ? [s.kmsKeyId] : [])))];
    return [
      ...(await onExisting('ec2:CopyImage', [input.SourceImageId], env, {}, input.SourceRegion)),
      created('ec2:CopyImage', env, 'image', input.TagSpecifications),
      created('ec2:CopyImage', env, 'snapshot', input.TagSpecifications),
      ...tagOnCreate(env, 'CopyImage', input.TagSpecifications),
      ...sourceKeys.flatMap((key) =>
        kmsUse(key, `ec2.${input.SourceRegion}.amazonaws.com`, [
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:CreateGrant',
          'kms:ReEncryptFrom',
        ]),
      ),
      ...kmsUse(input.KmsKeyId, `ec2.${env.region}.amazonaws.com`, [
        'kms:DescribeKey',
        'kms:CreateGrant',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:ReEncryptTo',
      ]),
    ];
  },

  RunInstances: async (
    input: {
      ImageId: string;
      InstanceType?: string;
      SubnetId?: string;
      SecurityGroupIds?: string[];
      KeyName?: string;
      IamInstanceProfile?: { Arn?: string; Name?: string };
      TagSpecifications?: TagSpecification[];
      NetworkInterfaces?: { SubnetId?: string; Groups?: string[] }[];
      BlockDeviceMappings?: { Ebs?: { KmsKeyId?: string } }[];
    },
    env,
  ) => {
    const subnets = [input.SubnetId, ...(input.NetworkInterfaces ?? []).map((n) => n.SubnetId)].filter(
      (s): s is string => Boolean(s),
    );
    if (subnets.length === 0) {
      throw new Error('local IAM: RunInstances without a subnet (default VPC) is not modelled');
    }
    const groups = [
      ...(input.SecurityGroupIds ?? []),
      ...(input.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? []),
    ];
    const profile = input.IamInstanceProfile?.Arn ?? input.IamInstanceProfile?.Name;
    const instanceContext: ContextValues = {
      ...requestTagContext(tagsFor(input.TagSpecifications, 'instance')),
      ...(input.InstanceType ? { 'ec2:InstanceType': input.InstanceType } : {}),
    };
    const requests: AuthorizationRequest[] = [
      {
        action: 'ec2:RunInstances',
        resource: newArn(env, 'instance'),
        context: instanceContext,
      },
      created('ec2:RunInstances', env, 'volume', input.TagSpecifications),
      created('ec2:RunInstances', env, 'network-interface', input.TagSpecifications),
      ...(await onExisting('ec2:RunInstances', [input.ImageId, ...subnets, ...groups], env)),
      ...tagOnCreate(env, 'RunInstances', input.TagSpecifications),
    ];
    if (input.KeyName) {
      requests.push({
        action: 'ec2:RunInstances',
        resource: ec2Arn(env.region, env.account, 'key-pair', input.KeyName),
      });
    }
    // A profile passes its role to EC2 (a profile with no role passes none; a missing one fails in EC2).
    const role = profile ? (await env.facts.instanceProfile(profile)).roleArn : undefined;
    if (role) {
      requests.push({
        action: 'iam:PassRole',
        resource: role,
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        implicit: 'instance profile',
      });
    }
    const volumeKeys = new Set<string>();
    for (const snapshot of await env.facts.imageSnapshots(env.region, input.ImageId))
      if (snapshot.kmsKeyId) volumeKeys.add(snapshot.kmsKeyId);
    for (const mapping of input.BlockDeviceMappings ?? [])
      if (mapping.Ebs?.KmsKeyId) volumeKeys.add(mapping.Ebs.KmsKeyId);
    for (const key of volumeKeys)
      requests.push(...kmsUse(key, `ec2.${env.region}.amazonaws.com`, EBS_LAUNCH_KMS));
    return requests;
  },
};
