/**
 * The dry run: the exact change set a failover would make right now, with nothing written.
 * Addresses of instances that do not exist yet are shown as placeholders naming their source.
 */

import { z } from 'zod';
import { cutOverDns } from '../failover/dns-cutover';
import { takeDnsSnapshot } from '../failover/dns-snapshot';
import { failoverLaunches, launchTypeOf } from '../failover/failover-launches';
import { episodeSuffix, failoverRunSchema } from '../failover/failover-run';
import { resolvePlacements } from '../failover/placement';
import { associatePrivateZones } from '../failover/private-zone-associations';
import { episodeDbIdentifier } from '../failover/rds-recovery';
import type { RecordTargets } from '../failover/record-targets';
import { selectRecoveryPoints } from '../failover/recovery-selection';
import type { Launch } from '../preflight/check-capacity';
import { preflightClients } from '../preflight/preflight-clients';
import { warningsOf } from '../preflight/preflight-problem';
import { refuseOnProblems } from '../preflight/refuse-on-problems';
import { PREFLIGHT_SCOPES, runPreflight } from '../preflight/run-preflight';
import { listAmiRecoveryPoints } from '../recovery-points/ami-recovery-points';
import { listDbRecoveryPoints } from '../recovery-points/db-recovery-points';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failoverRunSchema });
const LIST_LIMIT = 200;

export function makePlanFailoverHandler(deps: TaskDeps = {}) {
  return async (event: unknown) => {
    const { run } = parseTaskInput(eventSchema, event, 'plan-failover');
    const ctx = taskContext(deps);
    const route53 = ctx.clients.route53();
    const [amis, dbs, snapshot, placements, zoneAssociations] = await Promise.all([
      listAmiRecoveryPoints(ctx.clients.ec2(run.targetRegion), run.app),
      listDbRecoveryPoints(ctx.clients.rds(run.targetRegion), run.app, ctx.plan),
      takeDnsSnapshot(route53, ctx.plan, ctx.now),
      // A placement that does not resolve is reported with the rest by the preflight below.
      resolvePlacements(ctx.clients.ec2(run.targetRegion), ctx.plan, run.targetRegion).catch(
        (error: unknown) => error as Error,
      ),
      // Looks only: which recovery VPCs a failover would associate with each private zone.
      associatePrivateZones(route53, ctx.clients.ec2(run.targetRegion), {
        plan: ctx.plan,
        region: run.targetRegion,
        apply: false,
        comment: 'dry run',
        now: ctx.now,
      }).catch((error: unknown) => error as Error),
    ]);
    const preflight = (launches: Launch[]) =>
      runPreflight(
        preflightClients(ctx.clients),
        ctx.plan,
        PREFLIGHT_SCOPES.planFailover(ctx.plan, launches),
      );
    if (placements instanceof Error || zoneAssociations instanceof Error) {
      refuseOnProblems(await preflight([]), 'the failover');
      throw placements instanceof Error ? placements : zoneAssociations;
    }
    const selection = selectRecoveryPoints(ctx.plan, [...amis, ...dbs], {
      at: run.recoveryPoint === 'latest' ? 'latest' : new Date(run.recoveryPoint),
      now: new Date(run.startedAt),
      force: run.force,
    });
    const suffix = episodeSuffix(run.failoverId);
    const resources = selection.tiers.flatMap((tier) =>
      tier.resources.map((r) => {
        const placement = placements[r.role];
        return {
          tier: tier.name,
          kind: r.kind,
          role: r.role,
          source: r.source,
          action:
            r.point.kind === 'db-replica'
              ? 'promote replica'
              : r.point.kind === 'global-member'
                ? 'promote global database member'
                : r.kind === 'rds'
                  ? 'restore database'
                  : r.kind === 'aurora'
                    ? 'restore Aurora cluster'
                    : 'launch instance',
          from: r.point.id,
          pointTakenAt: r.point.takenAt,
          rpoSeconds: r.ageSeconds,
          withinRpo: r.withinRpo,
          ...((r.kind === 'rds' && r.point.kind !== 'db-replica') ||
          (r.kind === 'aurora' && r.point.kind !== 'global-member')
            ? { name: episodeDbIdentifier(r.source, suffix) }
            : {}),
          ...(r.kind === 'ec2'
            ? {
                instanceType: placement?.instanceType ?? launchTypeOf(ctx.plan, r.role, r.point.sourceType),
                subnets: placement?.subnetIds ?? [],
              }
            : { dbInstanceClass: placement?.dbInstanceClass ?? r.point.sourceType }),
        };
      }),
    );
    // What a failover would need in the target region: refused here, not when a tier launches.
    const report = await preflight(failoverLaunches(ctx.plan, selection));
    refuseOnProblems(report, 'the failover');
    const placeholders: { -readonly [K in keyof RecordTargets]: RecordTargets[K] } = {
      roleAddresses: {},
      databaseEndpoints: {},
    };
    for (const r of resources) {
      if (r.kind === 'ec2') {
        placeholders.roleAddresses[r.role] = [
          ...(placeholders.roleAddresses[r.role] ?? []),
          `<address of recovered ${r.source}>`,
        ];
      } else placeholders.databaseEndpoints[r.source] = `<endpoint of ${r.name ?? r.from}>`;
      if (r.kind === 'aurora')
        placeholders.readerEndpoints = {
          ...placeholders.readerEndpoints,
          [r.source]: `<reader endpoint of ${r.name ?? r.from}>`,
        };
    }
    const dns = await cutOverDns(route53, {
      plan: ctx.plan,
      region: run.targetRegion,
      resources: [],
      comment: 'dry run',
      now: ctx.now,
      dryRun: true,
      targets: () => placeholders,
    });
    const dnsChanges = dns.zones.flatMap((zone) =>
      zone.written
        .map((record, i) => ({ zone: zone.name, record, before: zone.before[i] }))
        .filter(
          ({ record, before }) =>
            JSON.stringify(before?.ResourceRecords) !== JSON.stringify(record.ResourceRecords) ||
            before?.TTL !== record.TTL,
        )
        .map(({ zone: zoneName, record, before }) => ({
          zone: zoneName,
          name: record.Name,
          type: record.Type,
          from: before ? (before.ResourceRecords ?? []).map((v) => v.Value) : [],
          to: (record.ResourceRecords ?? []).map((v) => v.Value),
        })),
    );
    return {
      dryRun: true,
      app: run.app,
      from: run.sourceRegion,
      to: run.targetRegion,
      recoveryPoint: run.recoveryPoint,
      dnsSnapshot: snapshot.zones.map((z) => ({ zone: z.name, records: z.count, checksum: z.checksum })),
      resourceCount: resources.length,
      resources: resources.slice(0, LIST_LIMIT),
      privateZoneAssociations: zoneAssociations.zones.flatMap((z) =>
        z.wouldAssociate.map((vpcId) => ({ zone: z.zone, id: z.id, vpcId, region: zoneAssociations.region })),
      ),
      dnsChangeCount: dnsChanges.length,
      dnsChanges: dnsChanges.slice(0, LIST_LIMIT),
      worstRpoSeconds: Math.max(0, ...resources.map((r) => r.rpoSeconds)),
      preflightWarnings: warningsOf(report)
        .slice(0, 20)
        .map((p) => ({ path: p.path, message: p.message, fix: p.fix })),
    };
  };
}

export const handler = makePlanFailoverHandler();
