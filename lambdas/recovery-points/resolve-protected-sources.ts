/**
 * The resources a tier protects, as they are now in the primary region: instances by id or by tag
 * (one bulk describe per selector, terminated ones left out), DB instances by identifier and
 * Aurora clusters by identifier (see cluster-sources).
 */

import { type EC2Client, type Filter, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import { findDbInstance } from '../failover/rds-recovery';
import type { Tier } from '../plan/plan-schema';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { describeLiveClusters } from './cluster-sources';
import { travellingTags } from './estate-tags';
import { tagMap } from './recovery-point';
import type { ResourceKind } from './resource-kind';
import { isSelectableSource } from './selectable-sources';

export interface ProtectedSource {
  readonly kind: ResourceKind;
  /** Instance id, DB instance identifier or Aurora cluster identifier in the primary region. */
  readonly id: string;
  readonly role: string;
  readonly tier: string;
  /** Instance type or DB instance class (of an Aurora cluster: its writer's). */
  readonly sourceType?: string;
  /** An Aurora cluster's members other than the writer: failover restores as many. */
  readonly readers?: number;
  /** The DB's cross-region replica in the recovery region: it is the recovery point, no snapshot needed. */
  readonly replicaIdentifier?: string;
  /**
   * Reverse protection: the primary-region resource this recovery-region one stands in for (the
   * failover inventory's source); absent for an instance added to a role during the failover.
   */
  readonly origin?: string;
  /** The source's own tags that travel with its recovery points (see estate-tags). */
  readonly tags?: Record<string, string>;
}

/** A source with more own tags than travel: those left behind. */
export interface DroppedTags {
  readonly source: string;
  readonly keys: string[];
}

export interface ResolvedSources {
  readonly sources: ProtectedSource[];
  /** Instances, DBs or clusters the plan names by id that do not exist (or are terminated). */
  readonly missing: string[];
  /** Sources whose own tags do not all fit on their copies beside Pendulum's. */
  readonly droppedTags: DroppedTags[];
}

/** The keys of the tier's tag selectors: kept first when a source's tags do not all travel. */
export function selectorKeys(tier: Tier): string[] {
  return tier.resources.flatMap((r) => ('ec2' in r && r.ec2.tag ? [r.ec2.tag.key] : []));
}

/**
 * What a tier's resolution collects: each source once (an instance picked by two selectors is
 * captured once, for the first role that names it) with the own tags that travel with it, and
 * what is missing.
 */
export function sourceCollector(tier?: Tier) {
  const sources: ProtectedSource[] = [];
  const droppedTags: DroppedTags[] = [];
  const keep = tier ? selectorKeys(tier) : [];
  const seen = new Set<string>();
  return {
    sources,
    missing: [] as string[],
    droppedTags,
    add(source: ProtectedSource, tags?: Record<string, string>): void {
      if (seen.has(`${source.kind}:${source.id}`)) return;
      seen.add(`${source.kind}:${source.id}`);
      const travelling = travellingTags(tags, { keep });
      if (travelling.dropped.length > 0) droppedTags.push({ source: source.id, keys: travelling.dropped });
      sources.push(Object.keys(travelling.tags).length > 0 ? { ...source, tags: travelling.tags } : source);
    },
  };
}

/** Instances that can still be imaged; `shutting-down` and `terminated` ones cannot. */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];
/** EC2 accepts at most 200 values per filter. */
export const FILTER_VALUES_MAX = 200;

export interface LiveInstance {
  readonly id: string;
  readonly type: string | undefined;
  readonly tags: Record<string, string>;
}

/** Live (imageable) instances matching the filters, every page: one paginated describe. */
export async function describeInstances(ec2: EC2Client, filters: Filter[]): Promise<LiveInstance[]> {
  const found: LiveInstance[] = [];
  const pages = paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    { Filters: [...filters, { Name: 'instance-state-name', Values: LIVE_STATES }] },
  );
  for await (const page of pages) {
    for (const reservation of page.Reservations ?? []) {
      for (const instance of reservation.Instances ?? []) {
        if (instance.InstanceId)
          found.push({ id: instance.InstanceId, type: instance.InstanceType, tags: tagMap(instance.Tags) });
      }
    }
  }
  return found;
}

/** `app`: the plan's, whose copies of its sources are never taken for sources. */
export async function resolveProtectedSources(
  primary: { ec2: EC2Client; rds: RDSClient },
  tier: Tier,
  app: string,
): Promise<ResolvedSources> {
  const { sources, missing, droppedTags, add } = sourceCollector(tier);

  for (const resource of tier.resources) {
    if ('ec2' in resource) {
      const { role, ids, tag } = resource.ec2;
      if (ids) {
        const found = new Map<string, LiveInstance>();
        for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX) {
          const chunk = ids.slice(i, i + FILTER_VALUES_MAX);
          for (const instance of await describeInstances(primary.ec2, [
            { Name: 'instance-id', Values: chunk },
          ]))
            found.set(instance.id, instance);
        }
        for (const id of ids) {
          const instance = found.get(id);
          if (instance)
            add({ kind: 'ec2', id, role, tier: tier.name, sourceType: instance.type }, instance.tags);
          else missing.push(id);
        }
      } else if (tag) {
        const instances = await describeInstances(primary.ec2, [
          { Name: `tag:${tag.key}`, Values: [tag.value] },
        ]);
        // Pendulum's copies carry the selector's tag too: only the app's sources here are taken.
        for (const instance of instances.sort((a, b) => a.id.localeCompare(b.id)))
          if (isSelectableSource(instance.tags, { app, where: 'primary' }))
            add(
              { kind: 'ec2', id: instance.id, role, tier: tier.name, sourceType: instance.type },
              instance.tags,
            );
      }
    }
    // Databases and clusters are resolved below, concurrently.
  }

  const databases = tier.resources.flatMap((r) => ('rds' in r ? [r.rds] : []));
  const described = await mapWithConcurrency(databases, 10, (db) =>
    findDbInstance(primary.rds, db.identifier),
  );
  databases.forEach((db, index) => {
    const instance = described[index];
    if (!instance) {
      missing.push(db.identifier);
      return;
    }
    add(
      {
        kind: 'rds',
        id: db.identifier,
        role: db.role ?? db.identifier,
        tier: tier.name,
        sourceType: instance.DBInstanceClass,
        replicaIdentifier: db.replicaIdentifier,
      },
      tagMap(instance.TagList),
    );
  });

  // A global database member is protected by replication (its member in the recovery region is
  // its recovery point): no snapshot of it is taken or copied.
  const clusters = tier.resources.flatMap((r) =>
    'aurora' in r && !r.aurora.globalClusterIdentifier ? [r.aurora] : [],
  );
  const live = await describeLiveClusters(
    primary.rds,
    clusters.map((c) => c.clusterIdentifier),
  );
  for (const aurora of clusters) {
    const cluster = live.get(aurora.clusterIdentifier);
    if (!cluster) {
      missing.push(aurora.clusterIdentifier);
      continue;
    }
    add(
      {
        kind: 'aurora',
        id: aurora.clusterIdentifier,
        role: aurora.role ?? aurora.clusterIdentifier,
        tier: tier.name,
        ...(cluster.writerClass ? { sourceType: cluster.writerClass } : {}),
        readers: cluster.readers,
      },
      cluster.tags,
    );
  }
  return { sources, missing, droppedTags };
}
