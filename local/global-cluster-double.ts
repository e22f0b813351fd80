/**
 * A test double for exactly the calls moto lacks of Aurora global databases: SwitchoverGlobalCluster
 * and FailoverGlobalCluster (moto 5.2.1 answers both with an HTML error page the SDK cannot parse).
 * moto keeps the global cluster and its members; the double keeps only which member is the writer
 * since a switchover or failover, and shows it in DescribeGlobalClusters (IsWriter, Readers), which
 * moto answers from its own unchanging membership.
 *
 * As AWS does (RDS API Reference, SwitchoverGlobalCluster and FailoverGlobalCluster): the target
 * must be a secondary member of the global cluster; the promoted cluster becomes the writer and
 * the former writer a secondary (after a failover, AWS rejoins it as one once its region is back).
 * The change is complete at the call, like every moto status; an ongoing switchover is not modeled.
 */
import type { DescribeGlobalClustersCommandOutput, GlobalCluster } from '@aws-sdk/client-rds';
import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { asHarness } from './harness-calls';
import { RdsFault } from './rds-fault';
import { clientRegion, type SdkClient, type SdkCommand } from './sdk-send';

/** The writer's cluster ARN, by global cluster identifier, once the double has moved it. */
const writers = new Map<string, string>();

export function resetGlobalClusterWriters(): void {
  writers.clear();
}

/** The global cluster as it is now: moto's members, with the writer the double knows. */
function withWriter(cluster: GlobalCluster): GlobalCluster {
  const writer = cluster.GlobalClusterIdentifier && writers.get(cluster.GlobalClusterIdentifier);
  if (!writer) return cluster;
  const members = cluster.GlobalClusterMembers ?? [];
  const others = members.flatMap((m) =>
    m.DBClusterArn && m.DBClusterArn !== writer ? [m.DBClusterArn] : [],
  );
  return {
    ...cluster,
    GlobalClusterMembers: members.map((m) =>
      m.DBClusterArn === writer
        ? { ...m, IsWriter: true, Readers: others }
        : { ...m, IsWriter: false, Readers: [] },
    ),
  };
}

async function promote(
  region: string,
  input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string },
) {
  const id = input.GlobalClusterIdentifier ?? '';
  const { GlobalClusters = [] } = await new RDSClient({ region })
    .send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }))
    .catch(() => ({ GlobalClusters: [] as GlobalCluster[] }));
  const found = GlobalClusters[0];
  if (!found) throw new RdsFault('GlobalClusterNotFoundFault', `Global cluster ${id} not found.`);
  const cluster = withWriter(found);
  const target = (cluster.GlobalClusterMembers ?? []).find(
    (m) => m.DBClusterArn === input.TargetDbClusterIdentifier,
  );
  if (!target)
    throw new RdsFault(
      'DBClusterNotFoundFault',
      `DBCluster ${input.TargetDbClusterIdentifier} is not a member of global cluster ${id}.`,
    );
  if (target.IsWriter)
    throw new RdsFault(
      'InvalidGlobalClusterStateFault',
      `DBCluster ${input.TargetDbClusterIdentifier} is already the primary cluster of ${id}.`,
    );
  writers.set(id, target.DBClusterArn as string);
  return { GlobalCluster: withWriter(found) };
}

const PROMOTIONS = new Set(['SwitchoverGlobalClusterCommand', 'FailoverGlobalClusterCommand']);

/** The answer to a switchover, failover or describe of global clusters, or undefined for any other call. */
export function globalClusterCall(
  this: SdkClient,
  send: (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => unknown,
  command: SdkCommand,
  rest: unknown[],
): Promise<unknown> | undefined {
  const name = command.constructor.name;
  if (PROMOTIONS.has(name))
    return clientRegion(this).then((region) =>
      asHarness(() => promote(region, command.input as Parameters<typeof promote>[1])),
    );
  if (name !== 'DescribeGlobalClustersCommand') return undefined;
  return (send.call(this, command, ...rest) as Promise<DescribeGlobalClustersCommandOutput>).then(
    (output) => ({ ...output, GlobalClusters: (output.GlobalClusters ?? []).map(withWriter) }),
  );
}
