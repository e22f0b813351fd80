/**
 * Launching instances from AMI recovery points. What an earlier attempt launched is found by its
 * tags (app, episode, source) before anything is launched: RunInstances' ClientToken alone is not
 * trusted to make a retry safe.
 */
import {
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { TAG, tagList } from '../recovery-points/recovery-point';
import type { Episode } from './recovered-resource';

const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** Instances the episode already launched, by source instance id. One paginated describe. */
export async function findEpisodeInstances(
  ec2: EC2Client,
  app: string,
  episode: Episode,
): Promise<Map<string, Instance>> {
  const found = new Map<string, Instance>();
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: `tag:${TAG.app}`, Values: [app] },
          { Name: `tag:${episode.tagKey}`, Values: [episode.id] },
          { Name: 'instance-state-name', Values: LIVE_STATES },
        ],
        MaxResults: 1000,
        NextToken,
      }),
    );
    for (const reservation of page.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        const source = instance.Tags?.find((t) => t.Key === TAG.source)?.Value;
        if (source) found.set(source, instance);
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

export interface LaunchRequest {
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetId?: string;
  readonly securityGroupIds: readonly string[];
  /** Instance profile name or ARN. */
  readonly instanceProfile?: string;
  readonly keyName?: string;
  readonly tags: Record<string, string>;
  /** Deterministic per episode and source, as a first line of defence against double launches. */
  readonly clientToken: string;
}

export async function launchInstance(ec2: EC2Client, request: LaunchRequest): Promise<Instance> {
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: request.imageId,
      InstanceType: request.instanceType as never,
      MinCount: 1,
      MaxCount: 1,
      SubnetId: request.subnetId,
      SecurityGroupIds: request.securityGroupIds.length > 0 ? [...request.securityGroupIds] : undefined,
      ...(request.instanceProfile
        ? {
            IamInstanceProfile: request.instanceProfile.startsWith('arn:')
              ? { Arn: request.instanceProfile }
              : { Name: request.instanceProfile },
          }
        : {}),
      ...(request.keyName ? { KeyName: request.keyName } : {}),
      ClientToken: request.clientToken.slice(0, 64),
      MetadataOptions: { HttpTokens: 'required' },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: tagList(request.tags) },
        { ResourceType: 'volume', Tags: tagList(request.tags) },
      ],
    }),
  );
  const instance = Instances[0];
  if (!instance?.InstanceId) throw new Error(`RunInstances returned no instance for ${request.imageId}`);
  return instance;
}

/** Current state of many instances; EC2 takes at most 200 values in one filter. */
export async function describeInstancesById(
  ec2: EC2Client,
  ids: readonly string[],
): Promise<Map<string, Instance>> {
  const result = new Map<string, Instance>();
  for (let i = 0; i < ids.length; i += 200) {
    let NextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [{ Name: 'instance-id', Values: ids.slice(i, i + 200) }],
          NextToken,
        }),
      );
      for (const reservation of page.Reservations ?? []) {
        for (const instance of reservation.Instances ?? [])
          if (instance.InstanceId) result.set(instance.InstanceId, instance);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return result;
}
