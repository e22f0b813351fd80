/**
 * Nothing in the recovery region that looks like the app's is passed over in silence: every
 * instance and database that carries the app's tag or sits in the placement's subnets (or DB subnet
 * groups) and is not in the failover's inventory is listed, with what failback does with it.
 *
 * The rules, chosen so nothing is lost and nothing is guessed into production:
 * - "The app's tags" are `pendulum:app=<app>`: failover puts it on all it recovers, and copies made
 *   from those ("launch more like this", a restore of a recovered database's snapshot) carry it on.
 *   The plan's role selectors need no search of their own: what they match is a role's already.
 * - An instance comes home when its role can be inferred and Pendulum may image it: a `pendulum:role`
 *   tag naming a planned role, or launched from the recovery-point AMI failover launched one role's
 *   instances from (a clone of a recovered instance); and it carries the app's tag, because the
 *   failback roles image only the app's instances or those a role's selector matches. A subnet is
 *   no evidence of a role (a bastion or a debugging box sits there too), so it only gets a resource
 *   listed.
 * - A database never comes home on a guess: Pendulum brings home the databases the failover
 *   recovered, freezing and cutting their writes over together; another one's writes would not be.
 *   Its inferred role is reported to help the person who decides. A read replica of a recovered
 *   database has no data of its own and is left in place without a conflict.
 * - Anything else is a conflict that stops the run before any change, like a hand-edited record,
 *   until `prefer` (on the run or in the plan's `failback`) says to go on; then it is left in place.
 *   Either preference leaves it: failback's version of home has no place for it, and keeping the
 *   current state keeps it where it is.
 * - An unknown resource is never retired, even one brought home: it was not Pendulum's to delete.
 * - Resources of a failback or a drill are Pendulum's own; another Pendulum app's are listed and
 *   left to that app.
 */
import type { Plan } from '../plan/plan-schema';
import { TAG } from '../recovery-points/recovery-point';
import type { FailbackResourcePlan, HomeInstance, UnknownResource } from './failback-run';

/** An instance in the recovery region, as a describe reports it. */
export interface EstateInstance {
  readonly id: string;
  readonly imageId?: string;
  readonly subnetId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly launchedAt?: string;
}

/** A database in the recovery region, as a describe reports it: a DB instance, or an Aurora cluster. */
export interface EstateDatabase {
  /** @default rds */
  readonly kind?: 'rds' | 'aurora';
  readonly id: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly subnetGroup?: string;
  readonly subnetIds: readonly string[];
  /** The database it replicates, for a read replica (identifier or ARN). */
  readonly replicaOf?: string;
  readonly createdAt?: string;
}

/** Subnets and DB subnet groups the plan's placement names in the recovery region, with their roles. */
export interface RecoveryPlacement {
  readonly subnets: Readonly<Record<string, readonly string[]>>;
  readonly dbSubnetGroups: Readonly<Record<string, readonly string[]>>;
}

export interface UnknownInput {
  readonly plan: Plan;
  readonly prefer?: 'failback' | 'current';
  readonly placement: RecoveryPlacement;
  readonly instances: readonly EstateInstance[];
  readonly databases: readonly EstateDatabase[];
  /** Instances and databases the failover recovered or a planned role selects. */
  readonly knownInstances: ReadonlySet<string>;
  readonly knownDatabases: ReadonlySet<string>;
  /** The recovery-point AMIs failover launched instances from, and the roles it launched them for. */
  readonly roleImages: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface UnknownResult {
  readonly unknown: UnknownResource[];
  /** Unknown instances that come home like instances added to their role. */
  readonly instances: HomeInstance[];
  readonly decisions: FailbackResourcePlan['decisions'];
}

interface Inferred {
  readonly role: string;
  readonly tier: string;
  readonly from: string;
}

export function resolveUnknown(input: UnknownInput): UnknownResult {
  const { plan } = input;
  const ec2Roles = new Map<string, { tier: string; tag?: { key: string; value: string } }>();
  const dbRoles = new Map<string, { tier: string; identifier: string }>();
  const dbsOfTier = new Map<string, string[]>();
  for (const tier of plan.tiers) {
    for (const resource of tier.resources) {
      if ('ec2' in resource)
        ec2Roles.set(resource.ec2.role, {
          tier: tier.name,
          ...(resource.ec2.tag ? { tag: resource.ec2.tag } : {}),
        });
      if ('rds' in resource) {
        const role = resource.rds.role ?? resource.rds.identifier;
        dbRoles.set(role, { tier: tier.name, identifier: resource.rds.identifier });
        dbsOfTier.set(tier.name, [...(dbsOfTier.get(tier.name) ?? []), role]);
      }
    }
  }
  const planReplicas = new Set(
    plan.tiers.flatMap((t) =>
      t.resources.flatMap((r) => ('rds' in r && r.rds.replicaIdentifier ? [r.rds.replicaIdentifier] : [])),
    ),
  );
  const region = plan.recoveryRegion;
  const unknown: UnknownResource[] = [];
  const instances: HomeInstance[] = [];

  const unresolved = (why: string): Pick<UnknownResource, 'outcome' | 'reason'> =>
    input.prefer
      ? {
          outcome: 'leave in place',
          reason: `${why}; prefer ${input.prefer}: left in place in ${region}, neither brought home nor retired`,
        }
      : {
          outcome: 'conflict',
          reason: `${why}; stops the failback until prefer "failback" or "current" leaves it in place`,
        };
  /** Another Pendulum app's resource: listed, and left to that app. */
  const ofAnotherApp = <B extends object>(base: B, tags: Readonly<Record<string, string>>) => {
    const app = tags[TAG.app];
    if (app === undefined || app === plan.app) return undefined;
    return {
      ...base,
      outcome: 'leave in place' as const,
      reason: `belongs to the Pendulum app ${app}, which brings it home or not`,
    };
  };
  const pendulumOwn = (tags: Readonly<Record<string, string>>) =>
    tags[TAG.failback] !== undefined || tags[TAG.drill] !== undefined;

  for (const instance of input.instances) {
    if (input.knownInstances.has(instance.id) || pendulumOwn(instance.tags)) continue;
    const found = foundInstance(instance, plan.app, input.placement);
    if (!found) continue;
    const base = {
      kind: 'ec2' as const,
      id: instance.id,
      found,
      ...(instance.launchedAt ? { createdAt: instance.launchedAt } : {}),
    };
    const elsewhere = ofAnotherApp(base, instance.tags);
    if (elsewhere) {
      unknown.push(elsewhere);
      continue;
    }
    const inferred = inferInstanceRole(instance, ec2Roles, input.roleImages);
    const withRole = inferred
      ? { role: inferred.role, tier: inferred.tier, inferredFrom: inferred.from }
      : {};
    if (inferred && instance.tags[TAG.app] === plan.app) {
      instances.push({
        recoveryId: instance.id,
        role: inferred.role,
        tier: inferred.tier,
        reason: `not in the failover's inventory; taken for ${inferred.role} (${inferred.from})`,
      });
      unknown.push({
        ...base,
        ...withRole,
        outcome: 'bring home',
        reason: `taken for ${inferred.role} (${inferred.from}): gets a primary counterpart like an instance added to the role; the original is left in place, not retired`,
      });
      continue;
    }
    const selector = inferred ? ec2Roles.get(inferred.role)?.tag : undefined;
    const why = inferred
      ? `looks like ${inferred.role} (${inferred.from}) but carries neither ${TAG.app}=${plan.app} nor the role's tag, so failback may not image it: tag it ${selector ? `${selector.key}=${selector.value}` : `${TAG.app}=${plan.app}`} to bring it home`
      : `no planned role can be inferred (no ${TAG.role} tag of one, not launched from a recovery point of one)`;
    unknown.push({ ...base, ...withRole, ...unresolved(why) });
  }

  for (const db of input.databases) {
    if (input.knownDatabases.has(db.id) || planReplicas.has(db.id) || pendulumOwn(db.tags)) continue;
    const found = foundDatabase(db, plan.app, input.placement);
    if (!found) continue;
    const base = {
      kind: db.kind ?? ('rds' as const),
      id: db.id,
      found,
      ...(db.createdAt ? { createdAt: db.createdAt } : {}),
    };
    const elsewhere = ofAnotherApp(base, db.tags);
    if (elsewhere) {
      unknown.push(elsewhere);
      continue;
    }
    const replicaOf = db.replicaOf?.split(':').pop();
    if (replicaOf && input.knownDatabases.has(replicaOf)) {
      unknown.push({
        ...base,
        outcome: 'leave in place',
        reason: `a read replica of ${replicaOf}, whose data comes home with it; left in place, not retired`,
      });
      continue;
    }
    const inferred = inferDatabaseRole(db, dbRoles, dbsOfTier);
    const why = `${inferred ? `taken for ${inferred.role} (${inferred.from}), but` : 'no planned role can be inferred, and'} failback brings home only the databases the failover recovered, whose writes it freezes and cuts over together: bring this one's data home yourself`;
    unknown.push({
      ...base,
      ...(inferred ? { role: inferred.role, tier: inferred.tier, inferredFrom: inferred.from } : {}),
      ...unresolved(why),
    });
  }

  return {
    unknown,
    instances,
    decisions: unknown.map((u) => ({ subject: u.id, decision: u.outcome, reason: u.reason })),
  };
}

function foundInstance(i: EstateInstance, app: string, placement: RecoveryPlacement): string | undefined {
  if (i.tags[TAG.app] === app) return `carries ${TAG.app}=${app}`;
  const roles = i.subnetId ? placement.subnets[i.subnetId] : undefined;
  if (i.subnetId && roles) return `in subnet ${i.subnetId} (placement of ${roles.join(', ')})`;
  return undefined;
}

function foundDatabase(db: EstateDatabase, app: string, placement: RecoveryPlacement): string | undefined {
  if (db.tags[TAG.app] === app) return `carries ${TAG.app}=${app}`;
  const groupRoles = db.subnetGroup ? placement.dbSubnetGroups[db.subnetGroup] : undefined;
  if (db.subnetGroup && groupRoles)
    return `in DB subnet group ${db.subnetGroup} (placement of ${groupRoles.join(', ')})`;
  const subnet = db.subnetIds.find((s) => placement.subnets[s]);
  if (subnet) return `in subnet ${subnet} (placement of ${placement.subnets[subnet]?.join(', ')})`;
  return undefined;
}

function inferInstanceRole(
  i: EstateInstance,
  roles: ReadonlyMap<string, { tier: string }>,
  roleImages: ReadonlyMap<string, ReadonlySet<string>>,
): Inferred | undefined {
  const tagged = i.tags[TAG.role];
  const taggedTier = tagged ? roles.get(tagged)?.tier : undefined;
  if (tagged && taggedTier) return { role: tagged, tier: taggedTier, from: `its ${TAG.role} tag` };
  const imageRoles = i.imageId ? [...(roleImages.get(i.imageId) ?? [])] : [];
  const [role] = imageRoles;
  const tier = role ? roles.get(role)?.tier : undefined;
  // One AMI recovered for two roles says nothing about which this is.
  if (imageRoles.length === 1 && role && tier)
    return { role, tier, from: `launched from ${i.imageId}, the recovery point of ${role}` };
  return undefined;
}

function inferDatabaseRole(
  db: EstateDatabase,
  roles: ReadonlyMap<string, { tier: string; identifier: string }>,
  rolesOfTier: ReadonlyMap<string, readonly string[]>,
): Inferred | undefined {
  const role = db.tags[TAG.role];
  const roleTier = role ? roles.get(role)?.tier : undefined;
  if (role && roleTier) return { role, tier: roleTier, from: `its ${TAG.role} tag` };
  const source = db.tags[TAG.source];
  const bySource = [...roles].find(([, r]) => r.identifier === source);
  if (bySource) return { role: bySource[0], tier: bySource[1].tier, from: `its ${TAG.source} tag` };
  const tier = db.tags[TAG.tier];
  const tierRoles = tier ? (rolesOfTier.get(tier) ?? []) : [];
  const [only] = tierRoles;
  if (tier && tierRoles.length === 1 && only)
    return { role: only, tier, from: `its ${TAG.tier} tag names a tier with one database` };
  return undefined;
}
