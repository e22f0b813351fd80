/**
 * Where managed records point after failback: the new primary's instance addresses and database
 * endpoints (an Aurora cluster's writer and reader endpoints), read from the run's home inventory.
 */
import type { RecordTargets } from '../failover/record-targets';

export interface HomeResourceEntry {
  readonly kind: 'ec2' | 'rds' | 'aurora';
  readonly role: string;
  /** For databases: the plan's identifier, which the records target. */
  readonly source?: string;
  readonly homeId: string;
  readonly privateIp?: string;
  readonly publicIp?: string;
  readonly endpoint?: string;
  /** Aurora clusters: the reader endpoint. */
  readonly readerEndpoint?: string;
}

export function homeTargets(resources: readonly HomeResourceEntry[], privateZone: boolean): RecordTargets {
  const roleAddresses: Record<string, string[]> = {};
  const databaseEndpoints: Record<string, string> = {};
  const readerEndpoints: Record<string, string> = {};
  for (const r of resources) {
    if (r.kind === 'ec2') {
      const address = privateZone ? r.privateIp : (r.publicIp ?? r.privateIp);
      if (address) roleAddresses[r.role] = [...(roleAddresses[r.role] ?? []), address];
    } else if (r.source) {
      // A cluster's database endpoint is its writer (cluster) endpoint, as on failover.
      if (r.endpoint) databaseEndpoints[r.source] = r.endpoint;
      if (r.kind === 'aurora' && r.readerEndpoint) readerEndpoints[r.source] = r.readerEndpoint;
    }
  }
  for (const list of Object.values(roleAddresses)) list.sort();
  return { roleAddresses, databaseEndpoints, readerEndpoints };
}
