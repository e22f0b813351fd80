/**
 * (b) KMS keys. Every key the plan names for a region (plan-wide, per resource, or a multi-Region
 * key's replica) must exist there and be enabled: the key resolver says so (KeyNotUsableError).
 * Every encrypted source (an EBS volume of a protected instance, an RDS instance copied by
 * snapshot) must be copyable under the plan's keys, exactly as protect's copy decides it
 * (copy-key.ts): a customer managed key the plan does not name for the primary region is refused.
 */
import type { KeyResolver } from '../encryption/key-resolver';
import { KeyNotUsableError } from '../encryption/key-resolver';
import { keyIn, multiRegionPartner } from '../encryption/plan-keys';
import type { PlanPath } from '../plan/plan-references';
import type { KmsKeys, Plan, PlanResource } from '../plan/plan-schema';
import type { FoundDatabase, FoundInstance } from './check-sources';
import { type PreflightProblem, type PreflightSeverity, problem } from './preflight-problem';

export interface NamedKeyRef {
  /** Where the plan names it: `encryption.kmsKeys.us-west-2`, or the MRK's own region for a partner. */
  readonly path: PlanPath;
  readonly region: string;
  readonly ref: string;
  /** The resource whose own kmsKeys name it; undefined for the plan-wide keys. */
  readonly resource?: PlanResource;
}

function kindOf(resource: PlanResource): 'ec2' | 'rds' | 'aurora' {
  return 'ec2' in resource ? 'ec2' : 'rds' in resource ? 'rds' : 'aurora';
}

function keysOf(resource: PlanResource): KmsKeys | undefined {
  if ('ec2' in resource) return resource.ec2.kmsKeys;
  if ('rds' in resource) return resource.rds.kmsKeys;
  return resource.aurora.kmsKeys;
}

/** The keys the plan names for `regions`, each with its path. Pure. */
export function namedKeyRefs(plan: Plan, regions: readonly string[]): NamedKeyRef[] {
  const refs: NamedKeyRef[] = [];
  const collect = (keys: KmsKeys | undefined, base: PlanPath, resource?: PlanResource) => {
    if (!keys) return;
    for (const region of regions) {
      const ref = keyIn(keys, region);
      if (!ref) continue;
      const origin = keys[region]
        ? region
        : Object.keys(keys).find((other) => multiRegionPartner(keys[other] ?? '', region) === ref);
      refs.push({ path: [...base, origin ?? region], region, ref, ...(resource ? { resource } : {}) });
    }
  };
  collect(plan.encryption.kmsKeys, ['encryption', 'kmsKeys']);
  for (const [t, tier] of plan.tiers.entries())
    for (const [r, resource] of tier.resources.entries())
      collect(keysOf(resource), ['tiers', t, 'resources', r, kindOf(resource), 'kmsKeys'], resource);
  return refs;
}

/** Each named key of `regions` that KMS does not know there, or that is not enabled. */
export async function checkNamedKeys(
  keys: KeyResolver,
  plan: Plan,
  regions: readonly string[],
  severity: PreflightSeverity = 'error',
): Promise<PreflightProblem[]> {
  const refs = namedKeyRefs(plan, regions);
  const found = await Promise.all(
    refs.map(async (ref) => {
      try {
        await keys.named(ref.resource, ref.region);
        return undefined;
      } catch (error) {
        if (!(error instanceof KeyNotUsableError)) throw error;
        const partner = ref.path[ref.path.length - 1] !== ref.region;
        return problem(
          'keys',
          ref.path,
          `${error.message}${partner ? ` (the multi-Region key's replica in ${ref.region})` : ''}; expected an enabled customer managed key in ${ref.region}`,
          `create the key (or its alias) in ${ref.region} and enable it, or name one that is there (aws kms describe-key --region ${ref.region} --key-id ${ref.ref})`,
          severity,
        );
      }
    }),
  );
  return found.filter((p): p is PreflightProblem => p !== undefined);
}

/** Each encrypted source whose copy protect would refuse, once per (place in the plan, reason). */
export async function checkSourceKeys(
  keys: KeyResolver,
  sources: { instances: readonly FoundInstance[]; databases: readonly FoundDatabase[] },
  regions: { primary: string; recovery: string },
): Promise<PreflightProblem[]> {
  const asks = [
    ...sources.instances.flatMap((instance) =>
      instance.volumes.map((volume) => ({
        path: instance.path,
        what: `${instance.id} (volume ${volume.id})`,
        resource: instance.resource,
        service: 'ebs' as const,
        source: { encrypted: volume.encrypted, ...(volume.kmsKeyId ? { kmsKeyId: volume.kmsKeyId } : {}) },
      })),
    ),
    ...sources.databases
      .filter((db) => !db.replicated)
      .map((db) => ({
        path: db.path,
        what: db.identifier,
        resource: db.resource,
        service: 'rds' as const,
        source: { encrypted: db.encrypted, ...(db.kmsKeyId ? { kmsKeyId: db.kmsKeyId } : {}) },
      })),
  ];
  const decided = await Promise.all(
    asks.map((ask) =>
      keys.copyKey({
        resource: ask.resource,
        service: ask.service,
        source: ask.source,
        sourceRegion: regions.primary,
        destinationRegion: regions.recovery,
      }),
    ),
  );
  const byReason = new Map<string, { path: PlanPath; reason: string; what: string[] }>();
  decided.forEach((key, i) => {
    const ask = asks[i];
    if (!ask || key.encrypt !== 'refused') return;
    const id = `${JSON.stringify(ask.path)}|${key.problem}`;
    const entry = byReason.get(id) ?? { path: ask.path, reason: key.problem, what: [] };
    entry.what.push(ask.what);
    byReason.set(id, entry);
  });
  return [...byReason.values()].map((entry) => {
    // copy-key.ts says what to do after the colon ("…: name it in encryption.kmsKeys…").
    const at = entry.reason.search(/: name /);
    const hint = at >= 0 ? entry.reason.slice(0, at) : entry.reason;
    const fix =
      at >= 0
        ? entry.reason.slice(at + 2)
        : `make the keys of encryption.kmsKeys usable in ${regions.primary} and ${regions.recovery}`;
    return problem(
      'keys',
      entry.path,
      `${entry.what.slice(0, 5).join(', ')}${entry.what.length > 5 ? ` and ${entry.what.length - 5} more` : ''}: ${hint}; expected a source the plan's keys can copy to ${regions.recovery}`,
      fix,
    );
  });
}
