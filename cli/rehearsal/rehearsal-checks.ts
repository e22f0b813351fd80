/**
 * What the rehearsal proves, read from AWS (the local one): EC2, RDS (instances and Aurora clusters),
 * Route 53 and the state table,
 * never the workflows' own outputs alone. Each check is one plain sentence, passed or failed with
 * what was found. The checks are written so that a skipped or half-done step fails them: DNS must
 * point at instances that exist in the expected region, made by the expected workflow, and as
 * many of them as there were to recover or bring home.
 */

import type { Image, Instance } from '@aws-sdk/client-ec2';
import type { DBCluster, DBClusterSnapshot, DBInstance, DBSnapshot } from '@aws-sdk/client-rds';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { normaliseDnsName } from '../../lambdas/dns/dns-name';
import { recordKey } from '../../lambdas/dns/record-key';
import { FAILBACK_TAG } from '../../lambdas/failback/home-names';
import { isStatefulRecord } from '../../lambdas/plan/failback-freeze';
import type { ManagedRecord, Plan } from '../../lambdas/plan/plan-schema';
import { TAG } from '../../lambdas/recovery-points/recovery-point';
import { listZoneRecords, resolveZone } from '../../lambdas/route53/hosted-zone';
import type { AwsClients } from '../../lambdas/runtime/aws-clients';
import type { StateTable } from '../../lambdas/state/state-table';
import {
  addressOf,
  clusterSnapshots,
  databases,
  dbSnapshots,
  liveInstances,
  ownImages,
  tagOf,
} from './aws-reads';
import {
  type ClusterView,
  clusterChecks,
  clusterEndpoint,
  plannedClusters,
  readClusters,
} from './cluster-checks';
import { databaseKeyChecks, instanceVolumeChecks, readVolumes, type VolumeShape } from './encryption-checks';
import type { AppliedInterimChanges, InterimChangeSpec } from './interim-changes';
import { estateTagCheck } from './tag-checks';

export type CheckPhase = 'estate' | 'protect' | 'failover' | 'failback';

export interface Check {
  readonly phase: CheckPhase;
  readonly name: string;
  readonly ok: boolean;
  /** What was found, for people; always set when the check failed. */
  readonly detail?: string;
}

const check = (phase: CheckPhase, name: string, ok: boolean, detail?: string): Check => ({
  phase,
  name,
  ok,
  ...(detail ? { detail } : {}),
});

function list(values: readonly (string | undefined)[], max = 4): string {
  const shown = values.map((v) => v ?? '?');
  if (shown.length === 0) return 'none';
  return shown.length > max ? `${shown.slice(0, max).join(', ')} +${shown.length - max}` : shown.join(', ');
}

const sorted = (values: readonly (string | undefined)[]) => values.map((v) => v ?? '').sort();
const sameSet = (a: readonly (string | undefined)[], b: readonly (string | undefined)[]) =>
  JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

// ---- what the rehearsal saw at the turning points ------------------------------------------

/** A managed zone and its records, read from Route 53. */
export interface ZoneRecords {
  readonly id: string;
  readonly name: string;
  readonly records: ResourceRecordSet[];
}

/** The protected instances of each planned role in a region, by the plan's selectors. */
export function plannedRoleOf(plan: Plan, instance: Instance): string | undefined {
  const recovered = tagOf(instance, TAG.role);
  if (recovered) return recovered;
  for (const tier of plan.tiers) {
    for (const resource of tier.resources) {
      if (!('ec2' in resource)) continue;
      const { role, ids, tag } = resource.ec2;
      if (ids?.includes(instance.InstanceId ?? '')) return role;
      if (tag && tagOf(instance, tag.key) === tag.value) return role;
    }
  }
  return undefined;
}

function byRole(plan: Plan, instances: readonly Instance[]): Record<string, Instance[]> {
  const roles: Record<string, Instance[]> = {};
  for (const instance of instances) {
    const role = plannedRoleOf(plan, instance);
    if (role) roles[role] = [...(roles[role] ?? []), instance];
  }
  return roles;
}

export function plannedDatabases(plan: Plan): string[] {
  return plan.tiers.flatMap((t) => t.resources.flatMap((r) => ('rds' in r ? [r.rds.identifier] : [])));
}

export async function readZones(clients: AwsClients, plan: Plan): Promise<ZoneRecords[]> {
  const route53 = clients.route53();
  return Promise.all(
    plan.dns.zones.map(async (zone) => {
      const ref = await resolveZone(route53, zone);
      return { id: ref.id, name: ref.name, records: await listZoneRecords(route53, ref.id) };
    }),
  );
}

/** The estate as failover finds it: what runs in the primary, the zones before anything moved. */
export interface BeforeFailover {
  readonly zones: ZoneRecords[];
  readonly primaryByRole: Record<string, Instance[]>;
  readonly primaryDatabases: DBInstance[];
  /** The planned Aurora clusters found there, with their instances. */
  readonly primaryClusters: ClusterView[];
}

export async function observeBeforeFailover(clients: AwsClients, plan: Plan): Promise<BeforeFailover> {
  const planned = new Set(plannedDatabases(plan));
  const plannedClusterIds = new Set(plannedClusters(plan));
  const [zones, instances, dbs, primaryClusters] = await Promise.all([
    readZones(clients, plan),
    liveInstances(clients.ec2(plan.primaryRegion)),
    databases(clients.rds(plan.primaryRegion)),
    readClusters(clients, plan.primaryRegion),
  ]);
  return {
    zones,
    primaryByRole: byRole(plan, instances),
    primaryDatabases: dbs.filter((db) => planned.has(db.DBInstanceIdentifier ?? '')),
    primaryClusters: primaryClusters.filter((c) =>
      plannedClusterIds.has(c.cluster.DBClusterIdentifier ?? ''),
    ),
  };
}

/** The estate as failback finds it: what runs in the recovery region, the zones after 45 days. */
export interface BeforeFailback {
  readonly zones: ZoneRecords[];
  readonly recoveryByRole: Record<string, Instance[]>;
  readonly recoveryDatabases: DBInstance[];
  /** The Aurora clusters failover made there, with their instances (they are retired by the end). */
  readonly recoveryClusters: ClusterView[];
  /** The volumes of the instances running there, by instance id (they are retired by the end). */
  readonly recoveryVolumes: Record<string, VolumeShape[]>;
}

export async function observeBeforeFailback(clients: AwsClients, plan: Plan): Promise<BeforeFailback> {
  const [zones, instances, dbs, recoveryClusters] = await Promise.all([
    readZones(clients, plan),
    liveInstances(clients.ec2(plan.recoveryRegion)),
    databases(clients.rds(plan.recoveryRegion)),
    readClusters(clients, plan.recoveryRegion),
  ]);
  return {
    zones,
    recoveryByRole: byRole(plan, instances),
    recoveryDatabases: dbs.filter((db) => tagOf(db, TAG.failover) !== undefined),
    recoveryClusters: recoveryClusters.filter((c) => tagOf(c.cluster, TAG.failover) !== undefined),
    recoveryVolumes: await readVolumes(
      clients,
      plan.recoveryRegion,
      instances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
    ),
  };
}

/** The weights Route 53 showed at each staged step's health gate: percent to the primary. */
export interface ObservedStep {
  /** The home side's weight, or 100 once the records are plain records again. */
  readonly homeWeight: number | null;
  /** Every managed record was at that weight (one pair per record, or all plain at 100). */
  readonly consistent: boolean;
  readonly detail: string;
  /** The stateful (data) records as they stood: their values and whether each was one plain record. */
  readonly dataRecords: { readonly label: string; readonly values: string[]; readonly plain: boolean }[];
}

/** Reads where the staged shift stands now, from the zone. */
export async function observeStep(clients: AwsClients, plan: Plan): Promise<ObservedStep> {
  const zones = await readZones(clients, plan);
  const weights: number[] = [];
  const dataRecords: ObservedStep['dataRecords'] = [];
  let plain = 0;
  let managed = 0;
  for (const zone of zones) {
    const zonePlan = plan.dns.zones.find((z) => normaliseDnsName(z.name) === zone.name);
    for (const record of zonePlan?.records ?? []) {
      if (record.setIdentifier) continue;
      managed++;
      const sets = recordsFor(zone.records, record);
      if (isStatefulRecord(record))
        dataRecords.push({
          label: `${normaliseDnsName(record.name).replace(/\.$/, '')} ${record.type}`,
          values: sets.flatMap(valuesOf),
          plain: sets.length === 1 && !sets[0]?.SetIdentifier,
        });
      const home = sets.find(
        (r) => r.SetIdentifier?.startsWith('pendulum-') && r.SetIdentifier.endsWith('-home'),
      );
      const away = sets.find(
        (r) => r.SetIdentifier?.startsWith('pendulum-') && r.SetIdentifier.endsWith('-away'),
      );
      if (home && away && (home.Weight ?? 0) + (away.Weight ?? 0) === 100) weights.push(home.Weight ?? 0);
      else if (sets.length === 1 && !sets[0]?.SetIdentifier) plain++;
    }
  }
  const distinct = [...new Set(weights)];
  if (weights.length === 0 && plain === managed)
    return { homeWeight: 100, consistent: true, detail: `${plain} plain record(s)`, dataRecords };
  return {
    homeWeight: distinct.length === 1 ? (distinct[0] ?? null) : null,
    consistent: distinct.length === 1 && weights.length === managed - plain && weights.length > 0,
    detail: `${weights.length} weighted pair(s) at ${list(distinct.map(String))} % home, ${plain} plain (${dataRecords.length} data record(s), moved at the data cutover)`,
    dataRecords,
  };
}

// ---- shared: managed records --------------------------------------------------------------

function recordsFor(records: readonly ResourceRecordSet[], record: ManagedRecord): ResourceRecordSet[] {
  const name = normaliseDnsName(record.name);
  return records.filter(
    (r) =>
      normaliseDnsName(r.Name ?? '') === name &&
      r.Type === record.type &&
      (record.setIdentifier === undefined ||
        r.SetIdentifier === record.setIdentifier ||
        r.SetIdentifier?.startsWith('pendulum-') === true),
  );
}

const valuesOf = (r: ResourceRecordSet | undefined) => (r?.ResourceRecords ?? []).map((v) => v.Value ?? '');

interface RecordExpectation {
  /** The instances a role's record must list, and how many there must be. */
  role(role: string): { instances: Instance[]; expected: number; what: string };
  /** The database a record must point at. */
  database(identifier: string): { db?: DBInstance; what: string };
  /** The Aurora cluster a record must point at (its writer or reader endpoint). */
  cluster(identifier: string): { cluster?: DBCluster; what: string };
}

function managedRecordChecks(
  phase: CheckPhase,
  plan: Plan,
  zones: readonly ZoneRecords[],
  region: string,
  expect: RecordExpectation,
): Check[] {
  const checks: Check[] = [];
  const clusterIds = new Set(plannedClusters(plan));
  for (const zonePlan of plan.dns.zones) {
    const zone = zones.find((z) => z.name === normaliseDnsName(zonePlan.name));
    for (const record of zonePlan.records) {
      const label = `${normaliseDnsName(record.name).replace(/\.$/, '')} ${record.type}`;
      const sets = zone ? recordsFor(zone.records, record) : [];
      const single = sets.length === 1 ? sets[0] : undefined;
      const values = valuesOf(single);
      const shape =
        sets.length === 1
          ? undefined
          : `the zone holds ${sets.length} record set(s) for it${sets.some((s) => s.SetIdentifier?.startsWith('pendulum-')) ? ' (a weighted pair left from a staged shift)' : ''}`;
      const target = record.target;
      if ('role' in target) {
        const { instances, expected, what } = expect.role(target.role);
        const ips = instances.map(addressOf);
        const ok = !shape && expected > 0 && instances.length === expected && sameSet(values, ips);
        checks.push(
          check(
            phase,
            `${label} points at the ${expected} ${target.role} instance(s) ${what} in ${region}`,
            ok,
            shape ??
              (ok
                ? `${list(values)}`
                : `record: ${list(values)}; ${instances.length} such instance(s) running (${list(ips)}), ${expected} expected`),
          ),
        );
      } else if ('database' in target && clusterIds.has(target.database)) {
        const { cluster, what } = expect.cluster(target.database);
        const endpoint = clusterEndpoint(cluster, target.endpoint);
        const which = target.endpoint === 'reader' ? 'reader' : 'writer';
        const ok = !shape && endpoint !== undefined && values.length === 1 && values[0] === endpoint;
        checks.push(
          check(
            phase,
            `${label} points at the ${which} endpoint of ${what} in ${region}`,
            ok,
            shape ??
              (ok
                ? `${endpoint} (${cluster?.DBClusterIdentifier})`
                : `record: ${list(values)}; cluster: ${cluster ? `${cluster.DBClusterIdentifier} with ${which} endpoint ${endpoint}` : 'not found'}`),
          ),
        );
      } else if ('database' in target) {
        const { db, what } = expect.database(target.database);
        const endpoint = db?.Endpoint?.Address;
        const ok = !shape && endpoint !== undefined && values.length === 1 && values[0] === endpoint;
        checks.push(
          check(
            phase,
            `${label} points at ${what} in ${region}`,
            ok,
            shape ??
              (ok
                ? `${endpoint} (${db?.DBInstanceIdentifier})`
                : `record: ${list(values)}; database: ${db ? `${db.DBInstanceIdentifier} at ${endpoint}` : 'not found'}`),
          ),
        );
      } else {
        const want = target.values[region] ?? [];
        const ok = !shape && want.length > 0 && sameSet(values, want);
        checks.push(
          check(
            phase,
            `${label} has ${region}'s values`,
            ok,
            shape ?? (ok ? list(values) : `record: ${list(values)}; expected ${list(want)}`),
          ),
        );
      }
    }
  }
  return checks;
}

function managedNames(plan: Plan): Set<string> {
  return new Set(plan.dns.zones.flatMap((z) => z.records.map((r) => normaliseDnsName(r.name))));
}

/** Records Pendulum does not manage, in a comparable form. */
function unmanaged(plan: Plan, zones: readonly ZoneRecords[]): Map<string, string> {
  const names = managedNames(plan);
  const out = new Map<string, string>();
  for (const zone of zones)
    for (const r of zone.records)
      if (!names.has(normaliseDnsName(r.Name ?? ''))) out.set(`${zone.name} ${recordKey(r)}`, canonical(r));
  return out;
}

function canonical(r: ResourceRecordSet): string {
  return JSON.stringify({ ...r, ResourceRecords: sorted(valuesOf(r)) }, Object.keys(r).sort());
}

function unmanagedCheck(
  phase: CheckPhase,
  plan: Plan,
  name: string,
  before: readonly ZoneRecords[],
  now: readonly ZoneRecords[],
): Check {
  const a = unmanaged(plan, before);
  const b = unmanaged(plan, now);
  const differing = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
  return check(
    phase,
    name,
    differing.length === 0 && a.size > 0,
    differing.length === 0
      ? `${a.size} record set(s) compared`
      : `${differing.length} differ: ${list(differing.map((k) => k.split(' ').slice(1).join(' ')))}`,
  );
}

// ---- the estate and protection -----------------------------------------------------------

export function estateChecks(plan: Plan, before: BeforeFailover): Check[] {
  const records = before.zones.reduce((n, z) => n + z.records.length, 0);
  const roles = Object.entries(before.primaryByRole);
  return [
    check(
      'estate',
      `The sample estate runs in ${plan.primaryRegion}: ${roles.map(([role, i]) => `${i.length} ${role}`).join(', ') || 'no instances'}, ${before.primaryDatabases.length} database(s), ${before.primaryClusters.length} Aurora cluster(s)`,
      roles.length > 0 &&
        before.primaryDatabases.length === plannedDatabases(plan).length &&
        before.primaryClusters.length === plannedClusters(plan).length,
      list(roles.flatMap(([, i]) => i.map((x) => x.InstanceId))),
    ),
    check(
      'estate',
      'The hosted zone is large enough that listing it takes several pages',
      records > 300,
      `${records} record sets`,
    ),
  ];
}

export async function protectChecks(
  clients: AwsClients,
  plan: Plan,
  before: BeforeFailover,
): Promise<Check[]> {
  const [images, snapshots, clusterPoints] = await Promise.all([
    ownImages(clients.ec2(plan.recoveryRegion)),
    dbSnapshots(clients.rds(plan.recoveryRegion)),
    clusterSnapshots(clients.rds(plan.recoveryRegion)),
  ]);
  const instances = Object.values(before.primaryByRole).flat();
  const withAmi = instances.filter((i) => images.some((img) => tagOf(img, TAG.source) === i.InstanceId));
  const dbIds = plannedDatabases(plan);
  const withSnapshot = dbIds.filter((id) => snapshots.some((s) => tagOf(s, TAG.source) === id));
  return [
    check(
      'protect',
      `Every protected instance has a recovery AMI in ${plan.recoveryRegion}`,
      instances.length > 0 && withAmi.length === instances.length,
      `${withAmi.length} of ${instances.length}`,
    ),
    check(
      'protect',
      `Every protected database has a recovery snapshot in ${plan.recoveryRegion}`,
      dbIds.length > 0 && withSnapshot.length === dbIds.length,
      `${withSnapshot.length} of ${dbIds.length}`,
    ),
    ...clusterPointCheck(plan, clusterPoints),
  ];
}

/** A plan with Aurora clusters: each has a cluster snapshot point in the recovery region. */
function clusterPointCheck(plan: Plan, points: readonly DBClusterSnapshot[]): Check[] {
  const ids = plannedClusters(plan);
  if (ids.length === 0) return [];
  const withPoint = ids.filter((id) =>
    points.some((s) => tagOf(s, TAG.source) === id && s.Status === 'available'),
  );
  return [
    check(
      'protect',
      `Every protected Aurora cluster has a recovery cluster snapshot in ${plan.recoveryRegion}`,
      withPoint.length === ids.length,
      `${withPoint.length} of ${ids.length}`,
    ),
  ];
}

// ---- after failover -----------------------------------------------------------------------

export interface FailoverCheckInput {
  readonly clients: AwsClients;
  readonly plan: Plan;
  readonly state: StateTable;
  readonly before: BeforeFailover;
  /** The failover's run id (its execution name), when it ran. */
  readonly runId?: string;
}

export async function failoverChecks(input: FailoverCheckInput): Promise<Check[]> {
  const { clients, plan, state, before } = input;
  const region = plan.recoveryRegion;
  const [zones, instances, dbs, regionClusters, app, run] = await Promise.all([
    readZones(clients, plan),
    liveInstances(clients.ec2(region), [{ Name: `tag-key`, Values: [TAG.failover] }]),
    databases(clients.rds(region)),
    readClusters(clients, region),
    state.getApp(plan.app, plan.primaryRegion),
    input.runId ? state.getRun(plan.app, input.runId) : Promise.resolve(undefined),
  ]);
  const recovered = instances.filter((i) => tagOf(i, TAG.drill) === undefined);
  // The cluster failover made for each planned one: one, or none found (two would be a leak).
  const recoveredClusters = (identifier: string) =>
    regionClusters.filter(
      (c) =>
        tagOf(c.cluster, TAG.source) === identifier &&
        tagOf(c.cluster, TAG.failover) !== undefined &&
        tagOf(c.cluster, TAG.drill) === undefined,
    );
  const recoveredCluster = (identifier: string) => {
    const found = recoveredClusters(identifier);
    return found.length === 1 ? found[0] : undefined;
  };
  const checks: Check[] = [
    check(
      'failover',
      `${plan.app} is FAILED_OVER and active in ${region} (state table)`,
      app.status === 'FAILED_OVER' && app.activeRegion === region,
      `${app.status}, active in ${app.activeRegion}`,
    ),
  ];
  const sources = new Set(recovered.map((i) => tagOf(i, TAG.source)));
  const primary = Object.values(before.primaryByRole).flat();
  const missing = primary.filter((i) => !sources.has(i.InstanceId));
  checks.push(
    check(
      'failover',
      `Every primary instance has exactly one recovered copy running in ${region}`,
      primary.length > 0 && missing.length === 0 && recovered.length === primary.length,
      missing.length > 0
        ? `no copy of ${list(missing.map((i) => i.InstanceId))}`
        : `${recovered.length} recovered for ${primary.length}`,
    ),
  );
  checks.push(
    ...managedRecordChecks('failover', plan, zones, region, {
      role: (role) => ({
        instances: recovered.filter((i) => tagOf(i, TAG.role) === role),
        expected: before.primaryByRole[role]?.length ?? 0,
        what: 'recovered',
      }),
      database: (identifier) => {
        const copies = dbs.filter(
          (d) => tagOf(d, TAG.source) === identifier && tagOf(d, TAG.failover) !== undefined,
        );
        return {
          ...(copies.length === 1 ? { db: copies[0] } : {}),
          what: `the recovered copy of ${identifier}`,
        };
      },
      cluster: (identifier) => {
        const cluster = recoveredCluster(identifier)?.cluster;
        return { ...(cluster ? { cluster } : {}), what: `the cluster recovered for ${identifier}` };
      },
    }),
  );
  checks.push(
    unmanagedCheck(
      'failover',
      plan,
      'Records Pendulum does not manage are exactly as before',
      before.zones,
      zones,
    ),
  );
  const primaryById = new Map(primary.map((i) => [i.InstanceId, i]));
  checks.push(
    ...(await instanceVolumeChecks(
      'failover',
      clients,
      plan,
      region,
      recovered.map((copy) => ({
        copy,
        original: primaryById.get(tagOf(copy, TAG.source)),
        role: tagOf(copy, TAG.role),
      })),
      await readVolumes(
        clients,
        plan.primaryRegion,
        [...primaryById.keys()].flatMap((id) => (id ? [id] : [])),
      ),
    )),
  );
  checks.push(
    ...(await databaseKeyChecks(
      'failover',
      clients,
      plan,
      region,
      plannedDatabases(plan).map((identifier) => ({
        identifier,
        original: before.primaryDatabases.find((d) => d.DBInstanceIdentifier === identifier),
        copy: dbs.find((d) => tagOf(d, TAG.source) === identifier && tagOf(d, TAG.failover) !== undefined),
      })),
    )),
  );
  checks.push(
    estateTagCheck(
      'failover',
      `Every recovered instance in ${region} carries its source's own tags and Name`,
      recovered.map((copy) => ({
        label: `${copy.InstanceId} (copy of ${tagOf(copy, TAG.source)})`,
        original: primaryById.get(tagOf(copy, TAG.source)),
        copy,
      })),
    ),
    estateTagCheck(
      'failover',
      `Every recovered database in ${region} carries its source's own tags`,
      plannedDatabases(plan).map((identifier) => ({
        label: identifier,
        original: before.primaryDatabases.find((d) => d.DBInstanceIdentifier === identifier),
        copy: dbs.find((d) => tagOf(d, TAG.source) === identifier && tagOf(d, TAG.failover) !== undefined),
      })),
    ),
  );
  checks.push(
    ...(await clusterChecks(
      'failover',
      clients,
      plan,
      region,
      'recovered',
      plannedClusters(plan).map((identifier) => ({
        identifier,
        original: before.primaryClusters.find((c) => c.cluster.DBClusterIdentifier === identifier),
        copy: recoveredCluster(identifier),
      })),
    )),
  );
  const protectedSources = [
    ...primary.map((i) => i.InstanceId ?? ''),
    ...plannedDatabases(plan),
    ...plannedClusters(plan),
  ];
  const rpo = (run?.rpoSeconds ?? {}) as Record<string, unknown>;
  const rpoMissing = protectedSources.filter((s) => typeof rpo[s] !== 'number');
  checks.push(
    check(
      'failover',
      'The failover recorded its RTO, and an RPO for every protected resource',
      run?.status === 'SUCCEEDED' && typeof run.rtoSeconds === 'number' && rpoMissing.length === 0,
      run
        ? `RTO ${String(run.rtoSeconds)} s, RPO for ${protectedSources.length - rpoMissing.length} of ${protectedSources.length}`
        : 'no failover run in the state table',
    ),
  );
  return checks;
}

// ---- after failback -----------------------------------------------------------------------

export interface FailbackCheckInput {
  readonly clients: AwsClients;
  readonly plan: Plan;
  readonly state: StateTable;
  readonly beforeFailover: BeforeFailover;
  readonly beforeFailback: BeforeFailback;
  /** What the 45 days changed; the ids are absent if that phase did not run. */
  readonly spec: InterimChangeSpec;
  readonly interim?: AppliedInterimChanges;
  /** The weights seen at each staged step, in order. */
  readonly observedSteps: readonly ObservedStep[];
  readonly failoverRunId?: string;
  readonly failbackRunId?: string;
}

function finalImageOf(images: readonly Image[], instanceId: string | undefined): Image | undefined {
  return images.find(
    (img) => tagOf(img, FAILBACK_TAG.final) === 'true' && tagOf(img, TAG.source) === instanceId,
  );
}

/** A final snapshot kept of this database when it was deleted. */
function finalSnapshotOf(snapshots: readonly DBSnapshot[], db: DBInstance): DBSnapshot | undefined {
  return snapshots.find(
    (s) => tagOf(s, FAILBACK_TAG.final) === 'true' && s.DBInstanceIdentifier === db.DBInstanceIdentifier,
  );
}

/**
 * The same DB instance, even renamed (the stale primary becomes `…-stale-…`): created at the same
 * moment. (DbiResourceId would say it in AWS, but moto gives every database the same one.)
 */
function sameDatabase(a: DBInstance, b: DBInstance): boolean {
  const at = (d: DBInstance) => (d.InstanceCreateTime ? new Date(d.InstanceCreateTime).getTime() : undefined);
  const ta = at(a);
  return ta !== undefined ? ta === at(b) : a.DBInstanceIdentifier === b.DBInstanceIdentifier;
}

/**
 * The same Aurora cluster, even renamed (the stale primary becomes `…-stale-…`): created at the
 * same moment, or failing that the same resource id.
 */
function sameCluster(a: DBCluster, b: DBCluster): boolean {
  const at = (c: DBCluster) => (c.ClusterCreateTime ? new Date(c.ClusterCreateTime).getTime() : undefined);
  const ta = at(a);
  if (ta !== undefined) return ta === at(b);
  return a.DbClusterResourceId !== undefined
    ? a.DbClusterResourceId === b.DbClusterResourceId
    : a.DBClusterIdentifier === b.DBClusterIdentifier;
}

/** A final snapshot kept of the cluster that stood in for `source` when it was deleted. */
function finalClusterSnapshotOf(
  snapshots: readonly DBClusterSnapshot[],
  source: string,
  cluster: DBCluster | undefined,
): DBClusterSnapshot | undefined {
  return snapshots.find(
    (s) =>
      tagOf(s, FAILBACK_TAG.final) === 'true' &&
      (tagOf(s, TAG.source) === source ||
        (cluster !== undefined && s.DBClusterIdentifier === cluster.DBClusterIdentifier)),
  );
}

export async function failbackChecks(input: FailbackCheckInput): Promise<Check[]> {
  const { clients, plan, state, beforeFailover, beforeFailback, spec, interim } = input;
  const home = plan.primaryRegion;
  const away = plan.recoveryRegion;
  const [
    zones,
    homeLive,
    awayLive,
    homeDbs,
    awayDbs,
    homeImages,
    awayImages,
    homeSnaps,
    awaySnaps,
    app,
    homeClusters,
    awayClusters,
    homeClusterSnaps,
    awayClusterSnaps,
  ] = await Promise.all([
    readZones(clients, plan),
    liveInstances(clients.ec2(home)),
    liveInstances(clients.ec2(away)),
    databases(clients.rds(home)),
    databases(clients.rds(away)),
    ownImages(clients.ec2(home)),
    ownImages(clients.ec2(away)),
    dbSnapshots(clients.rds(home)),
    dbSnapshots(clients.rds(away)),
    state.getApp(plan.app, plan.primaryRegion),
    readClusters(clients, home),
    readClusters(clients, away),
    clusterSnapshots(clients.rds(home)),
    clusterSnapshots(clients.rds(away)),
  ]);
  const [failoverRun, failbackRun] = await Promise.all([
    input.failoverRunId ? state.getRun(plan.app, input.failoverRunId) : undefined,
    input.failbackRunId ? state.getRun(plan.app, input.failbackRunId) : undefined,
  ]);
  const broughtHome = homeLive.filter((i) => tagOf(i, TAG.failback) !== undefined);
  const checks: Check[] = [
    check(
      'failback',
      `${plan.app} is PRIMARY_ACTIVE and active in ${home} (state table)`,
      app.status === 'PRIMARY_ACTIVE' && app.activeRegion === home && app.lastFailbackRunId !== undefined,
      `${app.status}, active in ${app.activeRegion}`,
    ),
  ];

  // Every instance production ran on in the recovery region has a counterpart at home.
  const awayBefore = Object.values(beforeFailback.recoveryByRole).flat();
  const homeSources = new Set(broughtHome.map((i) => tagOf(i, TAG.source)));
  const noCounterpart = awayBefore.filter((i) => !homeSources.has(i.InstanceId));
  checks.push(
    check(
      'failback',
      `Every instance that ran in ${away} has a new counterpart running in ${home}`,
      awayBefore.length > 0 && noCounterpart.length === 0 && broughtHome.length === awayBefore.length,
      noCounterpart.length > 0
        ? `no counterpart for ${list(noCounterpart.map((i) => i.InstanceId))}`
        : `${broughtHome.length} brought home for ${awayBefore.length}`,
    ),
  );
  const added = interim
    ? broughtHome.find((i) => tagOf(i, TAG.source) === interim.addedInstanceId)
    : undefined;
  checks.push(
    check(
      'failback',
      `The ${spec.addedInstance.role} instance added in ${away} during failover has a counterpart in ${home}`,
      added !== undefined && tagOf(added, TAG.role) === spec.addedInstance.role,
      interim
        ? added
          ? `${interim.addedInstanceId} → ${added.InstanceId}`
          : `nothing in ${home} came from ${interim.addedInstanceId}`
        : 'no instance was added during failover',
    ),
  );

  // Data: each planned database at home is new, and came from its recovery copy.
  const homeDb = (identifier: string) => homeDbs.find((d) => d.DBInstanceIdentifier === identifier);
  for (const identifier of plannedDatabases(plan)) {
    const db = homeDb(identifier);
    const original = beforeFailover.primaryDatabases.find((d) => d.DBInstanceIdentifier === identifier);
    const recoveryId =
      interim?.recoveryDatabases[identifier] ??
      beforeFailback.recoveryDatabases.find((d) => tagOf(d, TAG.source) === identifier)?.DBInstanceIdentifier;
    const from = tagOf(db, FAILBACK_TAG.from);
    // How the data travelled: a snapshot of the recovery copy copied home, or a replica of it.
    const viaSnapshot = homeSnaps.find(
      (s) => recoveryId !== undefined && s.DBInstanceIdentifier === recoveryId,
    );
    const viaReplica =
      recoveryId !== undefined &&
      (db?.ReadReplicaSourceDBInstanceIdentifier?.includes(recoveryId) === true ||
        tagOf(db, FAILBACK_TAG.promoted) !== undefined);
    const carried = viaSnapshot
      ? `snapshot ${viaSnapshot.DBSnapshotIdentifier} of ${recoveryId} in ${home}`
      : viaReplica
        ? `replica of ${recoveryId}`
        : undefined;
    const isNew =
      db !== undefined &&
      original !== undefined &&
      !sameDatabase(db, original) &&
      tagOf(db, TAG.failback) !== undefined;
    checks.push(
      check(
        'failback',
        `${identifier} in ${home} is a new database made from the recovery copy ${recoveryId ?? '(none)'}`,
        isNew && recoveryId !== undefined && from === recoveryId && carried !== undefined,
        db
          ? `${db.DBInstanceIdentifier} tagged from ${from ?? 'nowhere'}; ${carried ?? `no snapshot or replica of ${recoveryId ?? 'it'} in ${home}`}${isNew ? '' : '; it is the old database'}`
          : `no ${identifier} in ${home}`,
      ),
    );
  }

  // Aurora: each planned cluster at home is a new one under the plan's identifier, from the recovery cluster.
  const homeCluster = (identifier: string) =>
    homeClusters.find((c) => c.cluster.DBClusterIdentifier === identifier);
  const originalCluster = (identifier: string) =>
    beforeFailover.primaryClusters.find((c) => c.cluster.DBClusterIdentifier === identifier);
  const recoveryCluster = (identifier: string) =>
    beforeFailback.recoveryClusters.find((c) => tagOf(c.cluster, TAG.source) === identifier);
  for (const identifier of plannedClusters(plan)) {
    const found = homeCluster(identifier)?.cluster;
    const original = originalCluster(identifier)?.cluster;
    const recoveryId =
      interim?.recoveryClusters[identifier] ?? recoveryCluster(identifier)?.cluster.DBClusterIdentifier;
    const from = tagOf(found, FAILBACK_TAG.from);
    const isNew =
      found !== undefined &&
      original !== undefined &&
      !sameCluster(found, original) &&
      tagOf(found, TAG.failback) !== undefined;
    checks.push(
      check(
        'failback',
        `The Aurora cluster ${identifier} in ${home} is a new cluster made from the recovery cluster ${recoveryId ?? '(none)'}`,
        isNew && recoveryId !== undefined && from === recoveryId,
        found
          ? `${found.DBClusterIdentifier} tagged from ${from ?? 'nowhere'}${isNew ? '' : '; it is the old cluster'}`
          : `no cluster ${identifier} in ${home}`,
      ),
    );
  }
  checks.push(
    ...(await clusterChecks(
      'failback',
      clients,
      plan,
      home,
      'brought home',
      plannedClusters(plan).map((identifier) => {
        const copy = homeCluster(identifier);
        return {
          identifier,
          // The cluster that ran in the recovery region is what came home; the original is what it
          // must match in shape and in the estate's tags.
          original: originalCluster(identifier),
          copy: copy && tagOf(copy.cluster, TAG.failback) !== undefined ? copy : undefined,
        };
      }),
    )),
  );

  const awayById = new Map(awayBefore.map((i) => [i.InstanceId, i]));
  checks.push(
    ...(await instanceVolumeChecks(
      'failback',
      clients,
      plan,
      home,
      broughtHome.map((copy) => ({
        copy,
        original: awayById.get(tagOf(copy, TAG.source)),
        role: tagOf(copy, TAG.role),
      })),
      beforeFailback.recoveryVolumes,
    )),
  );
  checks.push(
    ...(await databaseKeyChecks(
      'failback',
      clients,
      plan,
      home,
      plannedDatabases(plan).map((identifier) => ({
        identifier,
        original: beforeFailover.primaryDatabases.find((d) => d.DBInstanceIdentifier === identifier),
        copy: homeDb(identifier),
      })),
    )),
  );

  checks.push(
    estateTagCheck(
      'failback',
      `Every instance brought home to ${home} carries the recovery copy's own tags and Name`,
      broughtHome.map((copy) => ({
        label: `${copy.InstanceId} (home copy of ${tagOf(copy, TAG.source)})`,
        original: awayById.get(tagOf(copy, TAG.source)),
        copy,
      })),
    ),
    estateTagCheck(
      'failback',
      `Every database brought home to ${home} carries the original's own tags`,
      plannedDatabases(plan).map((identifier) => ({
        label: identifier,
        original: beforeFailover.primaryDatabases.find((d) => d.DBInstanceIdentifier === identifier),
        copy: homeDb(identifier),
      })),
    ),
  );
  checks.push(
    ...managedRecordChecks('failback', plan, zones, home, {
      role: (role) => ({
        instances: broughtHome.filter((i) => tagOf(i, TAG.role) === role),
        expected: beforeFailback.recoveryByRole[role]?.length ?? 0,
        what: 'brought home',
      }),
      database: (identifier) => {
        const db = homeDb(identifier);
        return {
          ...(db && tagOf(db, TAG.failback) !== undefined ? { db } : {}),
          what: `the new ${identifier}`,
        };
      },
      cluster: (identifier) => {
        const cluster = homeCluster(identifier)?.cluster;
        return {
          ...(cluster && tagOf(cluster, TAG.failback) !== undefined ? { cluster } : {}),
          what: `the new cluster ${identifier}`,
        };
      },
    }),
  );

  // The staged shift, as Route 53 showed it at each health gate.
  const seen = input.observedSteps.map((s) => s.homeWeight);
  checks.push(
    check(
      'failback',
      `DNS moved home in stages: ${plan.failback.steps.join(' → ')} % (seen in Route 53 at each health gate)`,
      JSON.stringify(seen) === JSON.stringify(plan.failback.steps) &&
        input.observedSteps.every((s) => s.consistent),
      seen.length > 0
        ? `seen: ${seen.map((w) => (w === null ? '?' : String(w))).join(' → ')} %`
        : 'no stage seen',
    ),
  );
  const leftovers = zones.flatMap((z) => z.records.filter((r) => r.SetIdentifier?.startsWith('pendulum-')));
  checks.push(
    check(
      'failback',
      'No weighted records are left over from the staged shift',
      leftovers.length === 0,
      leftovers.length > 0 ? list(leftovers.map((r) => `${r.Name} ${r.SetIdentifier}`)) : undefined,
    ),
  );

  // Every interim change is kept.
  const all = zones.flatMap((z) => z.records);
  const at = (name: string, type: string) =>
    all.filter((r) => normaliseDnsName(r.Name ?? '') === normaliseDnsName(name) && r.Type === type);
  const txt = at(spec.addedTxt.name, 'TXT');
  checks.push(
    check(
      'failback',
      `The TXT record added during failover (${spec.addedTxt.name}) is kept`,
      txt.length === 1 && sameSet(valuesOf(txt[0]), [spec.addedTxt.value]),
      list(txt.flatMap(valuesOf)),
    ),
  );
  const cname = at(spec.addedCname.name, 'CNAME');
  checks.push(
    check(
      'failback',
      `The CNAME added during failover (${spec.addedCname.name}) is kept`,
      cname.length === 1 && sameSet(valuesOf(cname[0]), [spec.addedCname.value]),
      list(cname.flatMap(valuesOf)),
    ),
  );
  const ttl = at(spec.ttlChanged.name, spec.ttlChanged.type);
  checks.push(
    check(
      'failback',
      `The TTL changed during failover on ${spec.ttlChanged.name} ${spec.ttlChanged.type} is kept (${spec.ttlChanged.ttl})`,
      ttl.length === 1 && ttl[0]?.TTL === spec.ttlChanged.ttl,
      `TTL ${list(ttl.map((r) => String(r.TTL)))}`,
    ),
  );
  const deleted = at(spec.deleted.name, spec.deleted.type).filter(
    (r) => r.SetIdentifier === spec.deleted.setIdentifier,
  );
  const siblings = at(spec.deleted.name, spec.deleted.type).filter(
    (r) => r.SetIdentifier !== spec.deleted.setIdentifier,
  );
  checks.push(
    check(
      'failback',
      `The record deleted during failover (${spec.deleted.name} ${spec.deleted.setIdentifier}) stays deleted`,
      deleted.length === 0 && siblings.length > 0 && interim !== undefined,
      interim
        ? deleted.length > 0
          ? 'it is back in the zone'
          : `${siblings.length} other record set(s) of that name kept`
        : 'it was never deleted: the 45 days did not happen',
    ),
  );
  checks.push(
    unmanagedCheck(
      'failback',
      plan,
      'Every record Pendulum does not manage is exactly as it was when failback started',
      beforeFailback.zones,
      zones,
    ),
  );

  // Retired with a final copy kept: the stale primary, then (after the soak) the recovery copies.
  const homeLiveIds = new Set(homeLive.map((i) => i.InstanceId));
  const stale = Object.values(beforeFailover.primaryByRole).flat();
  const staleLive = stale.filter((i) => homeLiveIds.has(i.InstanceId));
  const staleNoAmi = stale.filter((i) => !finalImageOf(homeImages, i.InstanceId));
  checks.push(
    check(
      'failback',
      `The stale primary instances in ${home} are terminated, each with a final AMI kept`,
      stale.length > 0 && staleLive.length === 0 && staleNoAmi.length === 0,
      staleLive.length > 0
        ? `still running: ${list(staleLive.map((i) => i.InstanceId))}`
        : staleNoAmi.length > 0
          ? `no final AMI of ${list(staleNoAmi.map((i) => i.InstanceId))}`
          : `${stale.length} retired`,
    ),
  );
  const staleDbs = beforeFailover.primaryDatabases;
  const staleDbLive = staleDbs.filter((d) => homeDbs.some((h) => sameDatabase(h, d)));
  const staleFinal = (d: DBInstance) =>
    homeSnaps.find(
      (s) => tagOf(s, FAILBACK_TAG.final) === 'true' && tagOf(s, TAG.source) === d.DBInstanceIdentifier,
    );
  const staleDbNoSnap = staleDbs.filter((d) => !staleFinal(d));
  checks.push(
    check(
      'failback',
      `The stale primary database in ${home} is deleted, with a final snapshot kept`,
      staleDbs.length > 0 && staleDbLive.length === 0 && staleDbNoSnap.length === 0,
      staleDbLive.length > 0
        ? `still there: ${list(staleDbLive.map((d) => d.DBInstanceIdentifier))}`
        : staleDbNoSnap.length > 0
          ? `no final snapshot of ${list(staleDbNoSnap.map((d) => d.DBInstanceIdentifier))}`
          : list(
              staleDbs.map(
                (d) => `${staleFinal(d)?.DBSnapshotIdentifier} of ${staleFinal(d)?.DBInstanceIdentifier}`,
              ),
            ),
    ),
  );
  const awayLiveIds = new Set(awayLive.map((i) => i.InstanceId));
  const copiesLive = awayBefore.filter((i) => awayLiveIds.has(i.InstanceId));
  const copiesNoAmi = awayBefore.filter((i) => !finalImageOf(awayImages, i.InstanceId));
  checks.push(
    check(
      'failback',
      `The instances in ${away} are terminated after the soak, each with a final AMI kept`,
      awayBefore.length > 0 && copiesLive.length === 0 && copiesNoAmi.length === 0,
      copiesLive.length > 0
        ? `still running: ${list(copiesLive.map((i) => i.InstanceId))}`
        : copiesNoAmi.length > 0
          ? `no final AMI of ${list(copiesNoAmi.map((i) => i.InstanceId))}`
          : `${awayBefore.length} retired`,
    ),
  );
  const awayDbIds = new Set(awayDbs.map((d) => d.DBInstanceIdentifier));
  const copyDbs = beforeFailback.recoveryDatabases;
  const copyDbLive = copyDbs.filter((d) => awayDbIds.has(d.DBInstanceIdentifier));
  const copyDbNoSnap = copyDbs.filter((d) => !finalSnapshotOf(awaySnaps, d));
  checks.push(
    check(
      'failback',
      `The recovery databases in ${away} are deleted after the soak, each with a final snapshot kept`,
      copyDbs.length > 0 && copyDbLive.length === 0 && copyDbNoSnap.length === 0,
      copyDbLive.length > 0
        ? `still there: ${list(copyDbLive.map((d) => d.DBInstanceIdentifier))}`
        : copyDbNoSnap.length > 0
          ? `no final snapshot of ${list(copyDbNoSnap.map((d) => d.DBInstanceIdentifier))}`
          : list(copyDbs.map((d) => finalSnapshotOf(awaySnaps, d)?.DBSnapshotIdentifier)),
    ),
  );

  checks.push(...retiredClusterChecks());

  /** The stale primary cluster and the recovery clusters: deleted, each with a final snapshot kept. */
  function retiredClusterChecks(): Check[] {
    const planned = plannedClusters(plan);
    if (planned.length === 0) return [];
    const staleClusters = beforeFailover.primaryClusters;
    const staleLive = staleClusters.filter((c) =>
      homeClusters.some((h) => sameCluster(h.cluster, c.cluster)),
    );
    const staleFinal = (c: ClusterView) =>
      finalClusterSnapshotOf(homeClusterSnaps, c.cluster.DBClusterIdentifier ?? '', undefined);
    const staleNoSnap = staleClusters.filter((c) => !staleFinal(c));
    const copies = beforeFailback.recoveryClusters;
    const copiesLive = copies.filter((c) => awayClusters.some((a) => sameCluster(a.cluster, c.cluster)));
    const copyFinal = (c: ClusterView) =>
      finalClusterSnapshotOf(awayClusterSnaps, tagOf(c.cluster, TAG.source) ?? '', c.cluster);
    const copiesNoSnap = copies.filter((c) => !copyFinal(c));
    const ids = (views: readonly ClusterView[]) => list(views.map((c) => c.cluster.DBClusterIdentifier));
    return [
      check(
        'failback',
        `The stale primary Aurora cluster in ${home} is deleted, with a final cluster snapshot kept`,
        staleClusters.length === planned.length && staleLive.length === 0 && staleNoSnap.length === 0,
        staleLive.length > 0
          ? `still there: ${ids(staleLive)}`
          : staleNoSnap.length > 0
            ? `no final snapshot of ${ids(staleNoSnap)}`
            : list(staleClusters.map((c) => staleFinal(c)?.DBClusterSnapshotIdentifier)),
      ),
      check(
        'failback',
        `The recovery Aurora clusters in ${away} are deleted after the soak, each with a final cluster snapshot kept`,
        copies.length === planned.length && copiesLive.length === 0 && copiesNoSnap.length === 0,
        copiesLive.length > 0
          ? `still there: ${ids(copiesLive)}`
          : copiesNoSnap.length > 0
            ? `no final snapshot of ${ids(copiesNoSnap)}`
            : list(copies.map((c) => copyFinal(c)?.DBClusterSnapshotIdentifier)),
      ),
    ];
  }

  checks.push(
    check(
      'failback',
      'RTO and RPO of the failover and the failback duration are recorded in the state table',
      typeof failoverRun?.rtoSeconds === 'number' &&
        typeof failoverRun.rpoSeconds === 'object' &&
        failbackRun?.status === 'SUCCEEDED' &&
        typeof failbackRun.durationSeconds === 'number',
      `failover RTO ${String(failoverRun?.rtoSeconds ?? '—')} s, failback ${failbackRun ? `${String(failbackRun.status)} in ${String(failbackRun.durationSeconds ?? '—')} s` : 'not recorded'}`,
    ),
  );
  return checks;
}
