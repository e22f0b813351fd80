/**
 * The resources a tier protects, as they are now in the primary region: instances by id or by tag
 * (one bulk describe per selector, terminated ones left out) and DB instances by identifier.
 */
import { type EC2Client, type Filter, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { Tier } from '../plan/plan-schema';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { tagMap } from './recovery-point';

export interface ProtectedSource {
  readonly kind: 'ec2' | 'rds';
  /** Instance id or DB instance identifier in the primary region. */
  readonly id: string;
  readonly role: string;
  readonly tier: string;
  /** Instance type or DB instance class. */
  readonly sourceType?: string;
  /** The DB's cross-region replica in the recovery region: it is the recovery point, no snapshot needed. */
  readonly replicaIdentifier?: string;
  /**
   * Reverse protection: the primary-region resource this recovery-region one stands in for (the
   * failover inventory's source); absent for an instance added to a role during the failover.
   */
  readonly origin?: string;
}

export interface ResolvedSources {
  readonly sources: ProtectedSource[];
  /** Instances or DBs the plan names by id that do not exist (or are terminated). */
  readonly missing: string[];
  /** Resources Pendulum cannot protect yet (Aurora clusters). */
  readonly unsupported: string[];
}

/**
 * What a tier's resolution collects: each source once (an instance picked by two selectors is
 * captured once, for the first role that names it), and what is missing or unsupported.
 */
export function sourceCollector() {
  const sources: ProtectedSource[] = [];
  const seen = new Set<string>();
  return {
    sources,
    missing: [] as string[],
    unsupported: [] as string[],
    add(source: ProtectedSource): void {
      if (seen.has(`${source.kind}:${source.id}`)) return;
      seen.add(`${source.kind}:${source.id}`);
      sources.push(source);
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

async function describeDb(rds: RDSClient, identifier: string) {
  try {
    const { DBInstances = [] } = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }),
    );
    return DBInstances[0];
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'DBInstanceNotFoundFault' || name === 'DBInstanceNotFound') return undefined;
    throw error;
  }
}

export async function resolveProtectedSources(
  primary: { ec2: EC2Client; rds: RDSClient },
  tier: Tier,
): Promise<ResolvedSources> {
  const { sources, missing, unsupported, add } = sourceCollector();

  for (const resource of tier.resources) {
    if ('ec2' in resource) {
      const { role, ids, tag } = resource.ec2;
      if (ids) {
        const found = new Map<string, string | undefined>();
        for (let i = 0; i < ids.length; i += FILTER_VALUES_MAX) {
          const chunk = ids.slice(i, i + FILTER_VALUES_MAX);
          for (const instance of await describeInstances(primary.ec2, [
            { Name: 'instance-id', Values: chunk },
          ]))
            found.set(instance.id, instance.type);
        }
        for (const id of ids) {
          if (found.has(id)) add({ kind: 'ec2', id, role, tier: tier.name, sourceType: found.get(id) });
          else missing.push(id);
        }
      } else if (tag) {
        const instances = await describeInstances(primary.ec2, [
          { Name: `tag:${tag.key}`, Values: [tag.value] },
        ]);
        for (const instance of instances.sort((a, b) => a.id.localeCompare(b.id)))
          add({ kind: 'ec2', id: instance.id, role, tier: tier.name, sourceType: instance.type });
      }
    } else if ('rds' in resource) {
      // Resolved below, concurrently.
    } else {
      unsupported.push(resource.aurora.clusterIdentifier);
    }
  }

  const databases = tier.resources.flatMap((r) => ('rds' in r ? [r.rds] : []));
  const described = await mapWithConcurrency(databases, 10, (db) => describeDb(primary.rds, db.identifier));
  databases.forEach((db, index) => {
    const instance = described[index];
    if (!instance) {
      missing.push(db.identifier);
      return;
    }
    add({
      kind: 'rds',
      id: db.identifier,
      role: db.role ?? db.identifier,
      tier: tier.name,
      sourceType: instance.DBInstanceClass,
      replicaIdentifier: db.replicaIdentifier,
    });
  });
  return { sources, missing, unsupported };
}
