/**
 * Finding the stale primary databases to retire: under their stale identifier once finalise-home
 * set them aside, else still under the plan's identifier, but never the home database that has
 * taken that identifier (tagged with this failback episode).
 */
import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { describeDbInstances } from '../failover/rds-recovery';
import { isHomeDb } from './home-databases';
import { staleDbIdentifier } from './home-names';
import type { ResolvedDatabase, RetireTarget } from './retire-resources';

/** The plan identifier a stale entry stands for (`shop-db-stale-1a2b3c4d` → `shop-db`). */
export function staleSource(id: string, suffix: string): string {
  const tail = `-stale-${suffix}`;
  return id.endsWith(tail) ? id.slice(0, -tail.length) : id;
}

export function staleDatabaseResolver(suffix: string, failbackId: string) {
  return async (rds: RDSClient, targets: readonly RetireTarget[]): Promise<Map<string, ResolvedDatabase>> => {
    const names = targets.map((t) => staleSource(t.id, suffix));
    const ids = names.flatMap((name) => [staleDbIdentifier(name, suffix), name]);
    const found = ids.length > 0 ? await describeDbInstances(rds, ids) : new Map<string, DBInstance>();
    const resolved = new Map<string, ResolvedDatabase>();
    targets.forEach((target, i) => {
      const name = names[i] ?? target.id;
      const setAside = found.get(staleDbIdentifier(name, suffix));
      const underName = found.get(name);
      const db = setAside ?? (isHomeDb(underName, failbackId) ? undefined : underName);
      resolved.set(target.id, { name, ...(db ? { db } : {}) });
    });
    return resolved;
  };
}
