/**
 * Adapters for what moto does not do that AWS does, applied to the SDK's answers in the local
 * harness only (never in product code). Each names the AWS behaviour it stands for.
 *
 * - CopyImage with TagSpecifications: AWS tags the new AMI and its snapshots as it makes them
 *   (EC2 API Reference, CopyImage, TagSpecifications); moto 5.2.1 ignores them.
 * - CreateImage with a `snapshot` TagSpecification: AWS tags the image's snapshots as it makes them
 *   (EC2 API Reference, CreateImage); moto 5.2.1 raises NotImplementedError. The snapshot tags are
 *   held back from moto and applied to the new image's snapshots.
 * - ReplicaLag: RDS publishes AWS/RDS ReplicaLag for every read replica once a minute (RDS User
 *   Guide, "Amazon CloudWatch metrics for Amazon RDS"); moto publishes no RDS metrics. A
 *   GetMetricStatistics of it that moto answers empty is answered, for a replica moto knows, with a
 *   zero-lag datapoint per whole minute of the window (moto replicates at once). Instant AWS
 *   (statuses final at once) publishes at once too: one datapoint at the end of the window.
 *   Datapoints a test put itself are left as they are.
 * - AMIs have one snapshot per volume of the instance, copies encrypted as CopyImage asks, and
 *   instances launched from them get those volumes (ami-volumes.ts).
 * - A DB parameter group newly associated with a DB instance (ModifyDBInstance with
 *   DBParameterGroupName) is applied only after a reboot: DescribeDBInstances shows it
 *   `pending-reboot` until RebootDBInstance (RDS User Guide, "Associating a DB parameter group with a
 *   DB instance"); moto shows every group `in-sync` at once.
 * - Service Quotas GetServiceQuota of EC2's Standard vCPU quota, which moto does not know
 *   (vcpu-quota-double.ts).
 * - SwitchoverGlobalCluster and FailoverGlobalCluster of Aurora global databases, which moto does
 *   not do (global-cluster-double.ts).
 * - A renamed Aurora cluster keeps its instances (ModifyDBCluster NewDBClusterIdentifier); moto
 *   leaves them under the old name (cluster-rename-double.ts).
 */
import { CreateTagsCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { amiVolumeCall, resetAmiVolumes } from './ami-volumes';
import { clusterRenameCall, resetClusterRenames } from './cluster-rename-double';
import { globalClusterCall, resetGlobalClusterWriters } from './global-cluster-double';
import { asHarness } from './harness-calls';
import { localAwsMode } from './realistic-aws/realistic-aws';
import { clientRegion, type SdkClient, type SdkCommand, wrapSdkSend } from './sdk-send';
import { resetLocalVcpuQuotas, vcpuQuotaCall } from './vcpu-quota-double';

type TagSpecification = { ResourceType?: string; Tags?: { Key?: string; Value?: string }[] };

const TAGGED_AS_MADE: Record<string, (specs: TagSpecification[]) => TagSpecification[]> = {
  // What moto is given of the tag specifications; the rest is applied after the call.
  CopyImageCommand: () => [],
  CreateImageCommand: (specs) => specs.filter((s) => s.ResourceType !== 'snapshot'),
};

async function tagCopy(region: string, imageId: string, specs: TagSpecification[]): Promise<void> {
  const ec2 = new EC2Client({ region });
  const imageTags = specs.filter((s) => s.ResourceType === 'image').flatMap((s) => s.Tags ?? []);
  // Applying the image's tags again is harmless where moto already did (CreateImage).
  const snapshotTags = specs.filter((s) => s.ResourceType === 'snapshot').flatMap((s) => s.Tags ?? []);
  if (imageTags.length > 0) await ec2.send(new CreateTagsCommand({ Resources: [imageId], Tags: imageTags }));
  if (snapshotTags.length === 0) return;
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  const snapshots = (Images[0]?.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
  if (snapshots.length > 0)
    await ec2.send(new CreateTagsCommand({ Resources: snapshots, Tags: snapshotTags }));
}

type MetricQuery = {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: { Name?: string; Value?: string }[];
  StartTime?: Date;
  EndTime?: Date;
};

async function replicaLag(
  region: string,
  query: MetricQuery,
): Promise<{ Timestamp: Date; Maximum: number }[]> {
  const id = query.Dimensions?.find((d) => d.Name === 'DBInstanceIdentifier')?.Value;
  if (!id || !query.StartTime || !query.EndTime) return [];
  const { DBInstances = [] } = await new RDSClient({ region })
    .send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))
    .catch(() => ({ DBInstances: [] }));
  if (!DBInstances[0]?.ReadReplicaSourceDBInstanceIdentifier) return [];
  if (localAwsMode() === 'instant') return [{ Timestamp: query.EndTime, Maximum: 0 }];
  const minute = 60_000;
  const points: { Timestamp: Date; Maximum: number }[] = [];
  // A minute's datapoint is published once the minute is over.
  for (
    let t = Math.ceil(query.StartTime.getTime() / minute) * minute;
    t + minute <= query.EndTime.getTime();
    t += minute
  )
    points.push({ Timestamp: new Date(t), Maximum: 0 });
  return points;
}

/** `region|db`: instances whose parameter group waits for a reboot. */
const pendingReboot = new Set<string>();

type DbList = {
  DBInstances?: { DBInstanceIdentifier?: string; DBParameterGroups?: { ParameterApplyStatus?: string }[] }[];
};

function parameterGroupApply(
  this: SdkClient,
  send: (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => unknown,
  command: SdkCommand,
  rest: unknown[],
): Promise<unknown> | undefined {
  const name = command.constructor.name;
  const input = command.input as { DBInstanceIdentifier?: string; DBParameterGroupName?: string };
  if (name === 'ModifyDBInstanceCommand' && input.DBParameterGroupName)
    return (send.call(this, command, ...rest) as Promise<unknown>).then(async (out) => {
      pendingReboot.add(`${await clientRegion(this)}|${input.DBInstanceIdentifier}`);
      return out;
    });
  if (name === 'RebootDBInstanceCommand')
    return (send.call(this, command, ...rest) as Promise<unknown>).then(async (out) => {
      pendingReboot.delete(`${await clientRegion(this)}|${input.DBInstanceIdentifier}`);
      return out;
    });
  if (name === 'DescribeDBInstancesCommand' && pendingReboot.size > 0)
    return (send.call(this, command, ...rest) as Promise<DbList>).then(async (out) => {
      const region = await clientRegion(this);
      for (const db of out.DBInstances ?? [])
        if (pendingReboot.has(`${region}|${db.DBInstanceIdentifier}`))
          for (const group of db.DBParameterGroups ?? []) group.ParameterApplyStatus = 'pending-reboot';
      return out;
    });
  return undefined;
}

/** Forgets what the adapters remember between calls (a fresh moto). */
export function resetMotoGapAdapters(): void {
  pendingReboot.clear();
  resetAmiVolumes();
  resetLocalVcpuQuotas();
  resetGlobalClusterWriters();
  resetClusterRenames();
}

/** Wraps the SDK's `send` once, so every client gets the adapters. */
export function installMotoGapAdapters(): void {
  wrapSdkSend('moto-gaps', (motoSend) => {
    // AMIs with their real volumes underneath every other adapter (see ami-volumes.ts).
    const send = function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
      return amiVolumeCall.call(this, motoSend, command, rest) ?? motoSend.call(this, command, ...rest);
    };
    // Every adapter below the cluster-rename double, which corrects their answers in turn.
    const belowRenames = function (this: SdkClient, command: SdkCommand, ...rest: unknown[]): unknown {
      const applying = parameterGroupApply.call(this, send, command, rest);
      if (applying) return applying;
      if (command.constructor.name === 'GetMetricStatisticsCommand') {
        const query = command.input as MetricQuery;
        if (query.Namespace !== 'AWS/RDS' || query.MetricName !== 'ReplicaLag')
          return send.call(this, command, ...rest);
        const result = send.call(this, command, ...rest) as Promise<{ Datapoints?: unknown[] }>;
        return result.then(async (output) => {
          if ((output.Datapoints ?? []).length > 0) return output;
          const region = await clientRegion(this);
          return { ...output, Datapoints: await asHarness(() => replicaLag(region, query)) };
        });
      }
      const specs = command.input?.TagSpecifications as TagSpecification[] | undefined;
      const forMoto = TAGGED_AS_MADE[command.constructor.name];
      if (!forMoto || !specs?.length) return send.call(this, command, ...rest);
      command.input = { ...command.input, TagSpecifications: forMoto(specs) };
      const result = send.call(this, command, ...rest) as Promise<{ ImageId?: string }>;
      return result.then(async (output) => {
        const region = await clientRegion(this);
        if (output.ImageId) await asHarness(() => tagCopy(region, output.ImageId as string, specs));
        return output;
      });
    };
    return function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
      const quota = vcpuQuotaCall.call(this, command);
      if (quota) return quota;
      const global = globalClusterCall.call(this, send, command, rest);
      if (global) return global;
      const renamed = clusterRenameCall.call(this, belowRenames, command, rest);
      if (renamed) return renamed;
      return belowRenames.call(this, command, ...rest);
    };
  });
}
