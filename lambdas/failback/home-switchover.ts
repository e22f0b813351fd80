/**
 * Aurora global database members coming home: nothing is copied. After the write freeze held, a
 * switchover makes the home region's member the global database's writer again (RDS API
 * Reference, SwitchoverGlobalCluster: every secondary is synchronized first, no data is lost); the
 * recovery member stays a secondary. Never a failover: failback is planned, and a recovery region
 * that cannot take part in a switchover is a reason to stop, not to lose writes. Idempotent: a
 * home member that writes, or is on its way to, is not asked again.
 */
import { findCluster } from '../failover/aurora-recovery';
import { describeGlobalDatabase, memberIn, promoteGlobalMember } from '../failover/global-database';
import { memberInstanceIds } from '../failover/global-recovery';
import { mapWithConcurrency } from '../runtime/bounded-all';
import { clusterEntry } from './home-clusters';
import type { AdvanceResult, HomeContext, Problem } from './home-instances';

const CONCURRENCY = 5;

export async function advanceSwitchBacks(hc: HomeContext): Promise<AdvanceResult> {
  const { run } = hc;
  const wanted = hc.resources.databases.filter((d) => d.strategy === 'switchover');
  if (wanted.length === 0) return { entries: [], created: 0, reused: 0, problems: [] };
  const rds = hc.clients.rds(run.targetRegion);
  const steps = await mapWithConcurrency(wanted, CONCURRENCY, async (want) => {
    const globalId = want.globalClusterIdentifier ?? '';
    const extra = { globalClusterIdentifier: globalId };
    const failed = (reason: string) => ({
      entry: clusterEntry(want, undefined, run, { ...extra, state: 'failed' }),
      asked: false,
      problem: reason,
    });
    const db = await describeGlobalDatabase(rds, globalId);
    if (!db) return failed(`global database ${globalId} not found from ${run.targetRegion}`);
    const home = memberIn(db, run.targetRegion);
    if (!home)
      return failed(
        `global database ${globalId} has no member in ${run.targetRegion} to switch back to; its members are in ${db.members.map((m) => m.region).join(', ')}`,
      );
    const asked =
      !home.writer && db.promoting?.to !== home.clusterArn
        ? (await promoteGlobalMember(rds, db, run.targetRegion, 'switchover')).asked === 'switchover'
        : false;
    const cluster = await findCluster(rds, home.clusterIdentifier);
    return {
      entry: clusterEntry(want, cluster, run, {
        ...extra,
        members: cluster ? memberInstanceIds(cluster) : [],
        // Asked after the freeze held, and a switchover loses nothing: the home member holds
        // every write from here.
        ...(asked ? { syncPointAt: (hc.now?.() ?? new Date()).toISOString() } : {}),
      }),
      asked,
    };
  });
  return {
    entries: steps.map((s) => s.entry),
    created: 0,
    reused: steps.filter((s) => !s.asked && !('problem' in s)).length,
    problems: steps.flatMap((s, i): Problem[] =>
      'problem' in s && s.problem
        ? [{ id: wanted[i]?.recoveryId ?? '', state: 'failed', reason: s.problem }]
        : [],
    ),
  };
}
