/**
 * The resources a tier protects while the app runs in the recovery region (reverse protection):
 * what the failover recovered for the tier (its inventory: source → recovered id) that still runs
 * there, and instances people added to a tag-selected role since. Never the stale primary. One
 * bulk describe of the recovered instances, one per tag selector, one of the recovered databases,
 * and for recovered Aurora clusters one describe each and one of their members.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import { describeDbInstances } from '../failover/rds-recovery';
import type { Tier } from '../plan/plan-schema';
import { describeLiveClusters } from './cluster-sources';
import { TAG, tagMap } from './recovery-point';
import {
  describeInstances,
  FILTER_VALUES_MAX,
  type LiveInstance,
  type ResolvedSources,
  sourceCollector,
} from './resolve-protected-sources';
import type { ResourceKind } from './resource-kind';
import { isSelectableSource } from './selectable-sources';

/** One line of the failover outcome's inventory (see record-failover). */
export interface RecoveredResource {
  readonly kind: ResourceKind;
  readonly tier: string;
  readonly role: string;
  /** The primary-region resource it was recovered from. */
  readonly source: string;
  /** Its id (instance) or identifier (database, Aurora cluster) in the recovery region. */
  readonly recovered: string;
}

/** Resources Pendulum made for something else than production: a failback's or a drill's. */
function notProduction(resource: { readonly tags: Record<string, string> }): boolean {
  return resource.tags[TAG.failback] !== undefined || resource.tags[TAG.drill] !== undefined;
}

/**
 * `failover`: the app and the failover episode whose recovered estate is production; instances
 * its selectors match that are another app's, a drill's or another episode's copies (they carry
 * their sources' tags) are not taken, clones of this episode's are.
 */
export async function resolveRecoveredSources(
  recovery: { ec2: EC2Client; rds: RDSClient },
  tier: Tier,
  inventory: readonly RecoveredResource[],
  failover: { readonly app: string; readonly failoverId?: string },
): Promise<ResolvedSources> {
  const mine = inventory.filter((r) => r.tier === tier.name);
  const { sources, missing, droppedTags, add } = sourceCollector(tier);

  const recoveredInstances = mine.filter((r) => r.kind === 'ec2');
  const live = new Map<string, LiveInstance>();
  const ids = recoveredInstances.map((r) => r.recovered);
  for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX)
    for (const instance of await describeInstances(recovery.ec2, [
      { Name: 'instance-id', Values: ids.slice(i, i + FILTER_VALUES_MAX) },
    ]))
      live.set(instance.id, instance);
  const originOf = new Map(recoveredInstances.map((r) => [r.recovered, r.source]));
  for (const r of recoveredInstances) {
    const instance = live.get(r.recovered);
    if (!instance || notProduction(instance)) {
      missing.push(`${r.recovered} (recovered from ${r.source})`);
      continue;
    }
    add(
      {
        kind: 'ec2',
        id: r.recovered,
        role: r.role,
        tier: tier.name,
        sourceType: instance.type,
        origin: r.source,
      },
      instance.tags,
    );
  }

  for (const resource of tier.resources) {
    if (!('ec2' in resource) || !resource.ec2.tag) continue;
    const { role, tag } = resource.ec2;
    const tagged = await describeInstances(recovery.ec2, [{ Name: `tag:${tag.key}`, Values: [tag.value] }]);
    for (const instance of tagged.sort((a, b) => a.id.localeCompare(b.id))) {
      const origin = originOf.get(instance.id);
      if (!origin && !isSelectableSource(instance.tags, { ...failover, where: 'recovery' })) continue;
      if (notProduction(instance)) continue;
      add(
        {
          kind: 'ec2',
          id: instance.id,
          role,
          tier: tier.name,
          sourceType: instance.type,
          ...(origin ? { origin } : {}),
        },
        instance.tags,
      );
    }
  }

  const recoveredDbs = mine.filter((r) => r.kind === 'rds');
  const dbs =
    recoveredDbs.length > 0
      ? await describeDbInstances(
          recovery.rds,
          recoveredDbs.map((r) => r.recovered),
        )
      : new Map();
  for (const r of recoveredDbs) {
    const db = dbs.get(r.recovered);
    if (!db) {
      missing.push(`${r.recovered} (recovered from ${r.source})`);
      continue;
    }
    add(
      {
        kind: 'rds',
        id: r.recovered,
        role: r.role,
        tier: tier.name,
        sourceType: db.DBInstanceClass,
        origin: r.source,
      },
      tagMap(db.TagList),
    );
  }

  const recoveredClusters = mine.filter((r) => r.kind === 'aurora');
  const clusters = await describeLiveClusters(
    recovery.rds,
    recoveredClusters.map((r) => r.recovered),
  );
  for (const r of recoveredClusters) {
    const cluster = clusters.get(r.recovered);
    if (!cluster || notProduction(cluster)) {
      missing.push(`${r.recovered} (recovered from ${r.source})`);
      continue;
    }
    add(
      {
        kind: 'aurora',
        id: r.recovered,
        role: r.role,
        tier: tier.name,
        ...(cluster.writerClass ? { sourceType: cluster.writerClass } : {}),
        readers: cluster.readers,
        origin: r.source,
      },
      cluster.tags,
    );
  }
  return { sources, missing, droppedTags };
}
