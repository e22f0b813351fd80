/**
 * Where managed records point after failback: the new primary's instance addresses and database
 * endpoints, read from the run's home inventory.
 */
import type { RecordTargets } from '../failover/record-targets';

export interface HomeResourceEntry {
  readonly kind: 'ec2' | 'rds';
  readonly role: string;
  /** For databases: the plan's identifier, which the records target. */
  readonly source?: string;
  readonly homeId: string;
  readonly privateIp?: string;
  readonly publicIp?: string;
  readonly endpoint?: string;
}

export function homeTargets(resources: readonly HomeResourceEntry[], privateZone: boolean): RecordTargets {
  const roleAddresses: Record<string, string[]> = {};
  const databaseEndpoints: Record<string, string> = {};
  for (const r of resources) {
    if (r.kind === 'ec2') {
      const address = privateZone ? r.privateIp : (r.publicIp ?? r.privateIp);
      if (address) roleAddresses[r.role] = [...(roleAddresses[r.role] ?? []), address];
    } else if (r.endpoint && r.source) {
      databaseEndpoints[r.source] = r.endpoint;
    }
  }
  for (const list of Object.values(roleAddresses)) list.sort();
  return { roleAddresses, databaseEndpoints };
}
