/**
 * Removes everything a drill made: its instances and databases in the recovery region (found by
 * the drill tag, so also what a crashed attempt left) and its drill-name DNS records. Runs on the
 * success path and on the Catch path; running it twice is harmless. Drill copies are disposable:
 * the recovery points they came from are untouched. An Aurora cluster goes after its instances
 * (RDS refuses to delete a cluster that still has some): one whose instances are still being
 * deleted is left for the next teardown and counted as such.
 */
import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import { z } from 'zod';
import { toChangeBatches } from '../dns/change-batches';
import { normaliseDnsName } from '../dns/dns-name';
import { drillRecordName } from '../failover/drill-names';
import { failoverRunSchema } from '../failover/failover-run';
import { TAG } from '../recovery-points/recovery-point';
import { applyChangeBatch, listZoneRecords, resolveZone } from '../route53/hosted-zone';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema });

export function makeTearDownDrillHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run } = parseTaskInput(eventSchema, event, 'tear-down-drill');
    const ctx = taskContext(deps);
    const ec2 = ctx.clients.ec2(run.targetRegion);
    const rds = ctx.clients.rds(run.targetRegion);

    const instanceIds: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: `tag:${TAG.app}`, Values: [run.app] },
            { Name: `tag:${TAG.drill}`, Values: [run.failoverId] },
            { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
          ],
          NextToken,
        }),
      );
      for (const r of page.Reservations ?? [])
        for (const i of r.Instances ?? []) if (i.InstanceId) instanceIds.push(i.InstanceId);
      NextToken = page.NextToken;
    } while (NextToken);
    for (let i = 0; i < instanceIds.length; i += 1000) {
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: instanceIds.slice(i, i + 1000) }));
    }

    const mine = (tags: Tag[] = []) =>
      tags.some((t) => t.Key === TAG.drill && t.Value === run.failoverId) &&
      tags.some((t) => t.Key === TAG.app && t.Value === run.app);
    const databases: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await rds.send(new DescribeDBInstancesCommand({ Marker }));
      for (const db of page.DBInstances ?? []) {
        if (mine(db.TagList) && db.DBInstanceIdentifier && db.DBInstanceStatus !== 'deleting')
          databases.push(db.DBInstanceIdentifier);
      }
      Marker = page.Marker;
    } while (Marker);
    for (const identifier of databases) {
      await rds.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: identifier,
          SkipFinalSnapshot: true,
          DeleteAutomatedBackups: true,
        }),
      );
    }

    // Only a plan that names a cluster can have drill clusters: other estates ask nothing more.
    const clusters = ctx.plan.tiers.some((t) => t.resources.some((r) => 'aurora' in r))
      ? await deleteDrillClusters(rds, mine)
      : { deleted: 0, left: 0 };

    let records = 0;
    const route53 = ctx.clients.route53();
    for (const zonePlan of ctx.plan.dns.zones) {
      const zone = await resolveZone(route53, zonePlan);
      const drillNames = new Set(
        zonePlan.records.map((r) => normaliseDnsName(drillRecordName(ctx.plan.drills.recordPrefix, r.name))),
      );
      const managedTypes = new Set(
        zonePlan.records.map(
          (r) => `${normaliseDnsName(drillRecordName(ctx.plan.drills.recordPrefix, r.name))}|${r.type}`,
        ),
      );
      const doomed: ResourceRecordSet[] = (await listZoneRecords(route53, zone.id)).filter(
        (r) =>
          drillNames.has(normaliseDnsName(r.Name ?? '')) &&
          managedTypes.has(`${normaliseDnsName(r.Name ?? '')}|${r.Type}`),
      );
      const changes: Change[] = doomed.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r }));
      records += changes.length;
      for (const batch of toChangeBatches(changes))
        await applyChangeBatch(route53, zone.id, batch, `Pendulum drill ${run.runId} teardown`);
    }
    await ctx.state.updateRun(run.app, run.runId, {
      tornDownAt: ctx.now().toISOString(),
      tornDown: { instances: instanceIds.length, databases: databases.length, records, clusters },
    });
    logger.info('drill torn down', {
      instances: instanceIds.length,
      databases: databases.length,
      records,
      clusters,
    });
    return { instances: instanceIds.length, databases: databases.length, records, clusters };
  };
}

/** The drill's clusters with no instance left; the rest wait for their instances to go. */
async function deleteDrillClusters(
  rds: RDSClient,
  mine: (tags?: Tag[]) => boolean,
): Promise<{ deleted: number; left: number }> {
  let deleted = 0;
  let left = 0;
  let Marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBClustersCommand({ Marker }));
    for (const cluster of page.DBClusters ?? []) {
      if (!mine(cluster.TagList) || !cluster.DBClusterIdentifier || cluster.Status === 'deleting') continue;
      if ((cluster.DBClusterMembers ?? []).length > 0) {
        left += 1;
        continue;
      }
      try {
        await rds.send(
          new DeleteDBClusterCommand({
            DBClusterIdentifier: cluster.DBClusterIdentifier,
            SkipFinalSnapshot: true,
          }),
        );
        deleted += 1;
      } catch (error) {
        // Its instances' deletion has not reached the cluster yet: the next teardown finishes it.
        const name = (error as Error).name ?? '';
        if (!/InvalidDBClusterState|DBClusterToBeDeletedHasActiveMembers/.test(name)) throw error;
        left += 1;
      }
    }
    Marker = page.Marker;
  } while (Marker);
  return { deleted, left };
}

export const handler = makeTearDownDrillHandler();
