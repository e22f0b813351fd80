/**
 * The rehearsal's checks that failback lost no write: protection followed the app into the recovery
 * region, the data record named exactly one database at every staged gate, writes were frozen before
 * the final sync, and what nobody told the plan about was named and left alone.
 */
import type { Image } from '@aws-sdk/client-ec2';
import type { DBCluster, DBClusterSnapshot, DBInstance, DBSnapshot } from '@aws-sdk/client-rds';
import { type ArtifactStore, runArtifactKey } from '../../lambdas/artifacts/artifact-store';
import type { FailbackRpo } from '../../lambdas/failback/failback-rpo';
import type { FailbackResourcePlan } from '../../lambdas/failback/failback-run';
import type { Plan } from '../../lambdas/plan/plan-schema';
import { REVERSE_POINT_KIND, TAG } from '../../lambdas/recovery-points/recovery-point';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import {
  clusterSnapshots,
  clusters,
  databases,
  dbSnapshots,
  liveInstances,
  ownImages,
  tagOf,
} from './aws-reads';
import type { AppliedInterimChanges } from './interim-changes';
import type { Check, ObservedStep } from './rehearsal-checks';

type Tagged = { Tags?: { Key?: string; Value?: string }[]; TagList?: { Key?: string; Value?: string }[] };
const reverse = <T extends Tagged>(items: readonly T[]) =>
  items.filter((i) => tagOf(i, TAG.kind) === REVERSE_POINT_KIND);
const sources = (items: readonly Tagged[]) => new Set(items.map((i) => tagOf(i, TAG.source) ?? ''));

/**
 * After a protect run while failed over: every recovered instance, database and Aurora cluster has
 * a point in the recovery region and a copy in the primary; nothing of the stale primary was imaged.
 */
export async function reverseProtectionChecks(
  clients: AwsClients,
  plan: Plan,
  staleIds: readonly string[],
): Promise<Check[]> {
  const home = plan.primaryRegion;
  const away = plan.recoveryRegion;
  const [
    recovered,
    awayDbs,
    awayImages,
    homeImages,
    awaySnaps,
    homeSnaps,
    awayClusters,
    awayClusterSnaps,
    homeClusterSnaps,
  ] = await Promise.all([
    liveInstances(clients.ec2(away), [{ Name: `tag:${TAG.failover}`, Values: ['*'] }]),
    databases(clients.rds(away)),
    ownImages(clients.ec2(away)),
    ownImages(clients.ec2(home)),
    dbSnapshots(clients.rds(away)),
    dbSnapshots(clients.rds(home)),
    clusters(clients.rds(away)),
    clusterSnapshots(clients.rds(away)),
    clusterSnapshots(clients.rds(home)),
  ]);
  const recoveredDbs = awayDbs.filter((d: DBInstance) => tagOf(d, TAG.failover) !== undefined);
  const recoveredClusters = awayClusters.filter((c: DBCluster) => tagOf(c, TAG.failover) !== undefined);
  const keptCluster = sources(reverse<DBClusterSnapshot>(awayClusterSnaps));
  const copiedCluster = sources(reverse<DBClusterSnapshot>(homeClusterSnaps));
  const clustersOk = recoveredClusters.filter(
    (c) => keptCluster.has(c.DBClusterIdentifier ?? '') && copiedCluster.has(c.DBClusterIdentifier ?? ''),
  );
  const kept = sources(reverse<Image>(awayImages));
  const copied = sources(reverse<Image>(homeImages));
  const keptDb = sources(reverse<DBSnapshot>(awaySnaps));
  const copiedDb = sources(reverse<DBSnapshot>(homeSnaps));
  const instancesOk = recovered.filter((i) => kept.has(i.InstanceId ?? '') && copied.has(i.InstanceId ?? ''));
  const dbsOk = recoveredDbs.filter(
    (d) => keptDb.has(d.DBInstanceIdentifier ?? '') && copiedDb.has(d.DBInstanceIdentifier ?? ''),
  );
  const staleImaged = [...kept, ...copied, ...keptDb, ...copiedDb, ...keptCluster, ...copiedCluster].filter(
    (id) => staleIds.includes(id),
  );
  const clusterPart =
    recoveredClusters.length > 0
      ? `, ${clustersOk.length} of ${recoveredClusters.length} Aurora cluster(s)`
      : '';
  return [
    {
      phase: 'protect',
      name: `While failed over, protect made points of every recovered instance and database in ${away}, each copied to ${home}`,
      ok:
        recovered.length > 0 &&
        instancesOk.length === recovered.length &&
        dbsOk.length === recoveredDbs.length &&
        clustersOk.length === recoveredClusters.length,
      detail: `${instancesOk.length} of ${recovered.length} instance(s), ${dbsOk.length} of ${recoveredDbs.length} database(s)${clusterPart}`,
    },
    {
      phase: 'protect',
      name: `While failed over, protect imaged nothing of the stale primary in ${home}`,
      ok: staleImaged.length === 0,
      detail:
        staleImaged.length === 0 ? `${staleIds.length} stale resource(s) untouched` : staleImaged.join(', '),
    },
  ];
}

export interface NoLostWriteInput {
  readonly clients: AwsClients;
  readonly plan: Plan;
  readonly artifacts: ArtifactStore;
  readonly observedSteps: readonly ObservedStep[];
  readonly failbackRunId?: string;
  readonly interim?: AppliedInterimChanges;
}

/** After failback: one writable database, the freeze before the final sync, the unknown named. */
export async function noLostWriteChecks(input: NoLostWriteInput): Promise<Check[]> {
  const { clients, plan, artifacts, observedSteps, failbackRunId, interim } = input;
  const home = plan.primaryRegion;
  const away = plan.recoveryRegion;
  const [homeDbs, awayDbs, homeClusters] = await Promise.all([
    databases(clients.rds(home)),
    databases(clients.rds(away)),
    clusters(clients.rds(home)),
  ]);
  // A data record names a database at home: a new DB instance, or a new cluster's writer or reader.
  const homeEndpoints = new Set([
    ...homeDbs.filter((d) => tagOf(d, TAG.failback) !== undefined).map((d) => d.Endpoint?.Address ?? ''),
    ...homeClusters
      .filter((c) => tagOf(c, TAG.failback) !== undefined)
      .flatMap((c) => [c.Endpoint, c.ReaderEndpoint].filter((e): e is string => Boolean(e))),
  ]);
  const gates = observedSteps.flatMap((step) => step.dataRecords.map((r) => ({ step, r })));
  const split = gates.filter(
    ({ r }) => !r.plain || r.values.length !== 1 || !homeEndpoints.has(r.values[0] ?? ''),
  );
  const checks: Check[] = [
    {
      phase: 'failback',
      name: 'At every staged gate each data record named one database, the home one: never a weighted pair',
      ok:
        observedSteps.length > 0 &&
        gates.length === observedSteps.length * (observedSteps[0]?.dataRecords.length ?? 0) &&
        gates.length > 0 &&
        split.length === 0,
      detail:
        split.length === 0
          ? `${gates.length} observation(s) at ${observedSteps.length} gate(s)`
          : split
              .slice(0, 3)
              .map(({ step, r }) => `${r.label} at ${step.homeWeight ?? '?'} %: ${r.values.join(', ')}`)
              .join('; '),
    },
  ];
  const outcome = failbackRunId
    ? await artifacts.getJsonIfExists<{ rpo?: FailbackRpo }>(
        runArtifactKey(plan.app, failbackRunId, 'outcome'),
      )
    : undefined;
  const rpo = outcome?.rpo;
  checks.push({
    phase: 'failback',
    name: `Writes froze in ${away} before the final sync: failback's RPO is 0`,
    ok: rpo?.orderHeld === true && rpo.seconds === 0 && rpo.frozenAt !== undefined,
    detail: rpo
      ? `freeze ${rpo.mode} at ${rpo.frozenAt ?? 'never'}; data records home at ${rpo.dataMovedAt ?? '?'}; ${rpo.orderHeld ? 'no writes at risk' : rpo.problems.join('; ')}`
      : 'no failback outcome',
  });
  if (interim) {
    const reconciliation = failbackRunId
      ? await artifacts.getJsonIfExists<{ resources?: FailbackResourcePlan }>(
          runArtifactKey(plan.app, failbackRunId, 'reconciliation'),
        )
      : undefined;
    const listed = reconciliation?.resources?.unknown?.find((u) => u.id === interim.addedDatabaseId);
    const stillThere = awayDbs.some((d) => d.DBInstanceIdentifier === interim.addedDatabaseId);
    checks.push({
      phase: 'failback',
      name: `The database created in ${away} during the failover (${interim.addedDatabaseId}) is named in the reconciliation and left in place`,
      ok: listed?.outcome === 'leave in place' && stillThere,
      detail: listed
        ? `${listed.outcome}: ${listed.reason}${stillThere ? '' : '; but it is gone'}`
        : 'not in the report',
    });
  }
  return checks;
}
