/**
 * What comes home, what is set aside, what is retired: pure, from what failover recovered and what
 * runs in the recovery region now, including what the inventory does not know (unknown-resources.ts).
 * Every decision carries its reason for the report.
 */
import type { ClusterMember } from '../failover/recovered-resource';
import type { Plan } from '../plan/plan-schema';
import type { ResourceKind } from '../recovery-points/resource-kind';
import type {
  FailbackResourcePlan,
  HomeDatabase,
  HomeInstance,
  RetireResource,
  StaleResource,
} from './failback-run';
import {
  type EstateDatabase,
  type EstateInstance,
  type RecoveryPlacement,
  resolveUnknown,
} from './unknown-resources';

/** One line of the failover outcome's inventory. */
export interface RecoveredEntry {
  readonly kind: ResourceKind;
  readonly tier: string;
  readonly role: string;
  readonly source: string;
  readonly recovered: string;
  /** The recovery point it was made from: for an instance, the AMI it was launched from. */
  readonly from?: string;
  /** A cluster's endpoints and instances, as the failover outcome keeps them. */
  readonly endpoint?: string;
  readonly readerEndpoint?: string;
  readonly members?: readonly ClusterMember[];
  /** A global database member failover promoted (`switchover` or `failover`), not restored. */
  readonly promotedBy?: string;
}

/** A live instance in the recovery region that belongs to a planned role. */
export interface RecoveryInstance {
  readonly id: string;
  readonly role: string;
  /** The primary instance it was recovered from, when failover made it. */
  readonly source?: string;
}

export interface FailbackResourceInput {
  readonly plan: Plan;
  readonly targetRegion: string;
  readonly recovered: readonly RecoveredEntry[];
  /** Live instances of planned roles in the recovery region now. */
  readonly recoveryInstances: readonly RecoveryInstance[];
  /** Recovered databases that still exist in the recovery region. */
  readonly recoveryDatabases: readonly string[];
  /** Stale primary instances and databases that still exist in the target region. */
  readonly staleInstances: readonly string[];
  readonly staleDatabases: readonly string[];
  /**
   * Recovered Aurora clusters that still exist in the recovery region, and stale primary clusters
   * that still exist in the target region; absent when the failover recovered no cluster.
   */
  readonly recoveryClusters?: readonly string[];
  readonly staleClusters?: readonly string[];
  /** Which side wins where failback and the recovery region disagree (run, else plan). */
  readonly prefer?: 'failback' | 'current';
  /** What runs in the recovery region with the app's tag or in its placement, known or not. */
  readonly estate: {
    readonly placement: RecoveryPlacement;
    readonly instances: readonly EstateInstance[];
    readonly databases: readonly EstateDatabase[];
  };
}

export function planFailbackResources(input: FailbackResourceInput): FailbackResourcePlan {
  const { plan } = input;
  const tierOfRole = new Map<string, string>();
  const strategyOf = new Map<string, 'replica' | 'snapshot'>();
  for (const tier of plan.tiers) {
    for (const resource of tier.resources) {
      if ('ec2' in resource) tierOfRole.set(resource.ec2.role, tier.name);
      if ('rds' in resource) {
        tierOfRole.set(resource.rds.role ?? resource.rds.identifier, tier.name);
        strategyOf.set(resource.rds.identifier, resource.rds.failbackSync);
      }
      if ('aurora' in resource)
        tierOfRole.set(resource.aurora.role ?? resource.aurora.clusterIdentifier, tier.name);
    }
  }
  const decisions: FailbackResourcePlan['decisions'] = [];
  const instances: HomeInstance[] = [];
  const stale: StaleResource[] = [];
  const retire: RetireResource[] = [];
  const live = new Map(input.recoveryInstances.map((i) => [i.id, i]));
  const recoveredIds = new Set(input.recovered.filter((r) => r.kind === 'ec2').map((r) => r.recovered));
  const staleInstances = new Set(input.staleInstances);

  for (const entry of input.recovered.filter((r) => r.kind === 'ec2')) {
    const instance = live.get(entry.recovered);
    if (instance) {
      instances.push({
        source: entry.source,
        recoveryId: entry.recovered,
        role: entry.role,
        tier: entry.tier,
        reason: `recovered from ${entry.source} at failover`,
      });
      decisions.push({
        subject: entry.recovered,
        decision: 'bring home',
        reason: `runs ${entry.role} in the recovery region; replaces ${entry.source}`,
      });
    } else {
      decisions.push({
        subject: entry.recovered,
        decision: 'do not bring home',
        reason: `terminated in the recovery region during failover (on purpose); ${entry.source} is not replaced`,
      });
    }
    if (staleInstances.has(entry.source)) {
      stale.push({ kind: 'ec2', id: entry.source, role: entry.role, tier: entry.tier });
      decisions.push({
        subject: entry.source,
        decision: 'set aside',
        reason: 'stale primary instance: final AMI kept, then terminated after the new primary is validated',
      });
    }
  }
  // An instance tagged with a role the plan does not have is not the role's: it is left to the
  // unknown, below.
  const knownInstances = new Set(recoveredIds);
  for (const instance of input.recoveryInstances) {
    if (recoveredIds.has(instance.id)) continue;
    const tier = tierOfRole.get(instance.role);
    if (!tier) continue;
    knownInstances.add(instance.id);
    instances.push({
      recoveryId: instance.id,
      role: instance.role,
      tier,
      reason: 'added in the recovery region during failover',
    });
    decisions.push({
      subject: instance.id,
      decision: 'bring home',
      reason: `added to role ${instance.role} during failover; gets a primary counterpart`,
    });
  }
  for (const instance of instances)
    retire.push({ kind: 'ec2', id: instance.recoveryId, role: instance.role, tier: instance.tier });

  const databases: HomeDatabase[] = [];
  const recoveryDatabases = new Set(input.recoveryDatabases);
  const staleDatabases = new Set(input.staleDatabases);
  for (const entry of input.recovered.filter((r) => r.kind === 'rds')) {
    if (!recoveryDatabases.has(entry.recovered)) {
      decisions.push({
        subject: entry.recovered,
        decision: 'missing',
        reason: 'the recovered database no longer exists; its data cannot be synced home',
      });
      continue;
    }
    const strategy = strategyOf.get(entry.source) ?? 'replica';
    databases.push({
      source: entry.source,
      recoveryId: entry.recovered,
      role: entry.role,
      tier: entry.tier,
      strategy,
    });
    decisions.push({
      subject: entry.recovered,
      decision: strategy === 'replica' ? 'replicate home' : 'snapshot home',
      reason:
        strategy === 'replica'
          ? `the recovery copy is the truth: a read replica in ${input.targetRegion} streams its changes, promoted at cutover`
          : `the recovery copy is the truth: a final snapshot is copied to ${input.targetRegion} and restored`,
    });
    retire.push({ kind: 'rds', id: entry.recovered, role: entry.role, tier: entry.tier });
    if (staleDatabases.has(entry.source)) {
      stale.push({ kind: 'rds', id: entry.source, role: entry.role, tier: entry.tier });
      decisions.push({
        subject: entry.source,
        decision: 'set aside',
        reason:
          'stale primary database: renamed, final snapshot kept, deleted after the new primary is validated',
      });
    }
  }
  databases.push(...planClusters(input, decisions, stale, retire));
  const roleImages = new Map<string, Set<string>>();
  for (const entry of input.recovered)
    if (entry.kind === 'ec2' && entry.from)
      roleImages.set(entry.from, (roleImages.get(entry.from) ?? new Set()).add(entry.role));
  const unknown = resolveUnknown({
    plan,
    ...(input.prefer ? { prefer: input.prefer } : {}),
    placement: input.estate.placement,
    instances: input.estate.instances,
    databases: input.estate.databases,
    knownInstances,
    // Recovered clusters (restored or promoted global members) are known as databases are.
    knownDatabases: new Set(input.recovered.filter((r) => r.kind !== 'ec2').map((r) => r.recovered)),
    roleImages,
  });
  // Brought home, not retired: an unknown instance was never Pendulum's to delete.
  instances.push(...unknown.instances);
  decisions.push(...unknown.decisions);
  return {
    targetRegion: input.targetRegion,
    recoveryRegion: plan.recoveryRegion,
    instances,
    databases,
    stale,
    retire,
    unknown: unknown.unknown,
    decisions,
  };
}

/**
 * Recovered Aurora clusters come home by snapshot: a final snapshot of the recovery cluster, taken
 * after the write freeze, is copied home and restored (the plan offers clusters no replica sync).
 */
function planClusters(
  input: FailbackResourceInput,
  decisions: FailbackResourcePlan['decisions'][number][],
  stale: StaleResource[],
  retire: RetireResource[],
): HomeDatabase[] {
  const databases: HomeDatabase[] = [];
  const recoveryClusters = new Set(input.recoveryClusters ?? []);
  const staleClusters = new Set(input.staleClusters ?? []);
  for (const entry of input.recovered.filter((r) => r.kind === 'aurora')) {
    // A promoted global database member: both members stay, the writer moves back. Nothing is
    // copied, set aside or retired.
    if (entry.promotedBy !== undefined && entry.from) {
      databases.push({
        source: entry.source,
        recoveryId: entry.recovered,
        role: entry.role,
        tier: entry.tier,
        strategy: 'switchover',
        kind: 'aurora',
        globalClusterIdentifier: entry.from,
      });
      decisions.push({
        subject: entry.recovered,
        decision: 'switch back',
        reason: `a member of global database ${entry.from}: after the freeze, a switchover makes ${entry.source} in ${input.targetRegion} its writer again (no data loss); both members stay`,
      });
      continue;
    }
    if (!recoveryClusters.has(entry.recovered)) {
      decisions.push({
        subject: entry.recovered,
        decision: 'missing',
        reason: 'the recovered cluster no longer exists; its data cannot be synced home',
      });
      continue;
    }
    databases.push({
      source: entry.source,
      recoveryId: entry.recovered,
      role: entry.role,
      tier: entry.tier,
      strategy: 'snapshot',
      kind: 'aurora',
    });
    decisions.push({
      subject: entry.recovered,
      decision: 'snapshot home',
      reason: `the recovery cluster is the truth: a final cluster snapshot is copied to ${input.targetRegion} and restored with its writer and readers`,
    });
    retire.push({ kind: 'aurora', id: entry.recovered, role: entry.role, tier: entry.tier });
    if (staleClusters.has(entry.source)) {
      stale.push({ kind: 'aurora', id: entry.source, role: entry.role, tier: entry.tier });
      decisions.push({
        subject: entry.source,
        decision: 'set aside',
        reason:
          'stale primary cluster: renamed, final snapshot kept, deleted with its instances after the new primary is validated',
      });
    }
  }
  return databases;
}
