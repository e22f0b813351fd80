/**
 * What AWS reads about existing resources when it authorizes a call (their tags, keys and roles),
 * read from the local AWS with clients of the harness's own: these reads are not the task's calls,
 * so they are neither counted nor authorized.
 */
import {
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ResourceFacts } from './authorization-request';

const EC2_FILTER_VALUES_MAX = 200;

export interface TemplateFacts {
  /** SNS topic ARN → the ARN of the KMS key that encrypts it. */
  readonly topicKeys: ReadonlyMap<string, string>;
  /** Key ARN → key policy, for the keys the template defines. */
  readonly keyPolicies: ReadonlyMap<string, unknown>;
}

export function motoResourceFacts(template: TemplateFacts): ResourceFacts {
  const ec2 = new Map<string, EC2Client>();
  const rds = new Map<string, RDSClient>();
  const ec2In = (region: string) => {
    if (!ec2.has(region)) ec2.set(region, new EC2Client({ region }));
    return ec2.get(region) as EC2Client;
  };
  const rdsIn = (region: string) => {
    if (!rds.has(region)) rds.set(region, new RDSClient({ region }));
    return rds.get(region) as RDSClient;
  };
  let iam: IAMClient | undefined;
  let s3: S3Client | undefined;
  const regionOf = (arn: string) => arn.split(':')[3] ?? '';
  const nameOf = (arn: string) => arn.split(':').slice(6).join(':');

  return {
    async ec2Tags(region, ids) {
      const tags = new Map<string, Record<string, string>>(ids.map((id) => [id, {}]));
      for (let i = 0; i < ids.length; i += EC2_FILTER_VALUES_MAX) {
        const chunk = ids.slice(i, i + EC2_FILTER_VALUES_MAX);
        let token: string | undefined;
        do {
          const page = await ec2In(region).send(
            new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: chunk }], NextToken: token }),
          );
          for (const tag of page.Tags ?? []) {
            const own = tag.ResourceId ? tags.get(tag.ResourceId) : undefined;
            if (own && tag.Key) own[tag.Key] = tag.Value ?? '';
          }
          token = page.NextToken;
        } while (token);
      }
      return tags;
    },

    async imageSnapshots(region, imageId) {
      const images = await ec2In(region)
        .send(new DescribeImagesCommand({ ImageIds: [imageId] }))
        .catch(() => ({ Images: [] }));
      const snapshotIds = (images.Images?.[0]?.BlockDeviceMappings ?? []).flatMap((m) =>
        m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
      );
      if (snapshotIds.length === 0) return [];
      const snapshots = await ec2In(region)
        .send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }))
        .catch(() => ({ Snapshots: [] }));
      return snapshotIds.map((snapshotId) => {
        const found = snapshots.Snapshots?.find((s) => s.SnapshotId === snapshotId);
        return { snapshotId, ...(found?.Encrypted && found.KmsKeyId ? { kmsKeyId: found.KmsKeyId } : {}) };
      });
    },

    async rdsTags(arn) {
      try {
        const out = await rdsIn(regionOf(arn)).send(new ListTagsForResourceCommand({ ResourceName: arn }));
        return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      } catch {
        return undefined;
      }
    },

    async rdsKmsKey(arn) {
      const client = rdsIn(regionOf(arn));
      const kind = arn.split(':')[5];
      try {
        if (kind === 'snapshot') {
          const out = await client.send(
            new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: nameOf(arn) }),
          );
          const snapshot = out.DBSnapshots?.[0];
          return snapshot?.Encrypted ? snapshot.KmsKeyId : undefined;
        }
        if (kind === 'cluster-snapshot') {
          const out = await client.send(
            new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: nameOf(arn) }),
          );
          const snapshot = out.DBClusterSnapshots?.[0];
          return snapshot?.StorageEncrypted ? snapshot.KmsKeyId : undefined;
        }
        if (kind === 'cluster') {
          const out = await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: nameOf(arn) }));
          const cluster = out.DBClusters?.[0];
          return cluster?.StorageEncrypted ? cluster.KmsKeyId : undefined;
        }
        const out = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: nameOf(arn) }));
        const db = out.DBInstances?.[0];
        return db?.StorageEncrypted ? db.KmsKeyId : undefined;
      } catch {
        return undefined;
      }
    },

    async instanceProfile(profile) {
      iam ??= new IAMClient({ region: 'us-east-1' });
      const name = profile.startsWith('arn:') ? (profile.split('/').pop() ?? profile) : profile;
      try {
        const out = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
        const roleArn = out.InstanceProfile?.Roles?.[0]?.Arn;
        return { exists: true, ...(roleArn ? { roleArn } : {}) };
      } catch {
        return { exists: false };
      }
    },

    topicKey: (topicArn) => template.topicKeys.get(topicArn),

    async s3ObjectExists(bucket, key) {
      s3 ??= new S3Client({ forcePathStyle: true });
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch {
        return false;
      }
    },

    async kmsKey(region, keyId) {
      const kms = new KMSClient({ region });
      try {
        const { KeyMetadata: key } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
        if (!key?.Arn) return undefined;
        const { Aliases = [] } = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }));
        return {
          arn: key.Arn,
          aliases: Aliases.flatMap((a) => (a.AliasName ? [a.AliasName] : [])),
          // moto makes the AWS managed keys (alias/aws/…) on first use, as customer keys.
          awsManaged:
            key.KeyManager === 'AWS' || Aliases.some((a) => a.AliasName?.startsWith('alias/aws/') === true),
        };
      } catch (error) {
        if ((error as { name?: string }).name === 'NotFoundException') return undefined;
        throw error;
      }
    },

    async keyPolicy(keyArn) {
      const own = template.keyPolicies.get(keyArn);
      if (own) return own;
      const out = await new KMSClient({ region: regionOf(keyArn) }).send(
        new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }),
      );
      return out.Policy ? JSON.parse(out.Policy) : undefined;
    },
  };
}
