/**
 * Which recovery point each resource comes back from. Pure: it works from the catalogue of points
 * in the recovery region alone, because the primary region may be the thing that is down.
 */

import { durationSeconds } from '../plan/duration';
import type { Plan } from '../plan/plan-schema';
import { chooseRecoveryPoint } from '../recovery-points/choose-recovery-point';
import type { RecoveryPoint } from '../recovery-points/recovery-point';
import type { ResourceKind } from '../recovery-points/resource-kind';
import { roleSources } from '../recovery-points/role-sources';
import {
  type PendulumError,
  RecoveryPointMissingError,
  RecoveryPointTooOldError,
} from '../runtime/task-errors';

export interface SelectedResource {
  readonly kind: ResourceKind;
  readonly source: string;
  readonly role: string;
  readonly tier: string;
  readonly point: RecoveryPoint;
  /** The RPO this choice implies: failover start minus the point's capture time. */
  readonly ageSeconds: number;
  readonly withinRpo: boolean;
  /** A global database member: its RPO is the replication lag, not known from the catalogue. */
  readonly replicationLag?: 'unknown';
}

export interface SelectedTier {
  readonly index: number;
  readonly name: string;
  readonly rpoSeconds: number;
  readonly rtoSeconds: number;
  readonly resources: readonly SelectedResource[];
}

export interface RecoverySelection {
  readonly at: string;
  readonly chosenAt: string;
  readonly tiers: readonly SelectedTier[];
}

export interface SelectionOptions {
  readonly at: 'latest' | Date;
  readonly now: Date;
  readonly force: boolean;
}

/**
 * A global database's member in the recovery region is the cluster's recovery point: replication
 * keeps it current, so there is nothing to choose and nothing too old. Its real age is the
 * replication lag, which the catalogue does not know: `ageSeconds` 0 with `replicationLag`
 * unknown, so reports say so rather than claim an RPO.
 */
function globalMemberChoice(
  source: string,
  role: string,
  tier: string,
  globalClusterIdentifier: string,
  now: Date,
): SelectedResource {
  return {
    kind: 'aurora',
    source,
    role,
    tier,
    point: {
      kind: 'global-member',
      id: globalClusterIdentifier,
      source,
      role,
      tier,
      takenAt: now.toISOString(),
      protectRun: '',
      state: 'available',
    },
    ageSeconds: 0,
    withinRpo: true,
    replicationLag: 'unknown',
  };
}

/** Chooses a point for every resource of every tier; reports all missing or stale points at once. */
export function selectRecoveryPoints(
  plan: Plan,
  points: readonly RecoveryPoint[],
  options: SelectionOptions,
): RecoverySelection {
  const bySource = new Map<string, RecoveryPoint[]>();
  for (const point of points) {
    const list = bySource.get(point.source) ?? [];
    list.push(point);
    bySource.set(point.source, list);
  }
  const missing: string[] = [];
  const tooOld: string[] = [];
  const tiers = plan.tiers.map((tier, index): SelectedTier => {
    const rpoSeconds = durationSeconds(tier.rpo);
    const resources: SelectedResource[] = [];
    const choose = (kind: ResourceKind, source: string, role: string) => {
      try {
        const choice = chooseRecoveryPoint(bySource.get(source) ?? [], {
          at: options.at,
          now: options.now,
          rpoSeconds,
          force: options.force,
          source,
        });
        resources.push({ kind, source, role, tier: tier.name, ...choice });
      } catch (error) {
        if (error instanceof RecoveryPointMissingError) missing.push(error.message);
        else if (error instanceof RecoveryPointTooOldError) tooOld.push(error.message);
        else throw error;
      }
    };
    for (const resource of tier.resources) {
      if ('ec2' in resource) {
        const { role } = resource.ec2;
        const sources = resource.ec2.ids ?? roleSources(points, tier.name, role, options.at);
        if (sources.length === 0)
          missing.push(`no recovery point for any instance of role ${role} in tier ${tier.name}`);
        for (const source of sources) choose('ec2', source, role);
      } else if ('rds' in resource) {
        choose('rds', resource.rds.identifier, resource.rds.role ?? resource.rds.identifier);
      } else {
        const { clusterIdentifier, role, globalClusterIdentifier } = resource.aurora;
        if (globalClusterIdentifier)
          resources.push(
            globalMemberChoice(
              clusterIdentifier,
              role ?? clusterIdentifier,
              tier.name,
              globalClusterIdentifier,
              options.now,
            ),
          );
        else choose('aurora', clusterIdentifier, role ?? clusterIdentifier);
      }
    }
    return { index, name: tier.name, rpoSeconds, rtoSeconds: durationSeconds(tier.rto), resources };
  });
  const fail = (
    Cls: new (m: string, d: Record<string, unknown>) => PendulumError,
    list: string[],
    what: string,
  ) => {
    const shown = list.slice(0, 20);
    throw new Cls(`${list.length} ${what}: ${shown.join('; ')}${list.length > shown.length ? '; …' : ''}`, {
      problems: shown,
      count: list.length,
    });
  };
  if (missing.length > 0)
    fail(RecoveryPointMissingError, missing, 'resource(s) have no usable recovery point');
  if (tooOld.length > 0)
    fail(
      RecoveryPointTooOldError,
      tooOld,
      'recovery point(s) are older than their RPO (start with force to accept)',
    );
  return {
    at: options.at === 'latest' ? 'latest' : options.at.toISOString(),
    chosenAt: options.now.toISOString(),
    tiers,
  };
}
