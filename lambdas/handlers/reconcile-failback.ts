/**
 * Works out what failback will do, writes it as the reconciliation report (JSON and Markdown), and
 * stops the run with that report if a managed record was changed by hand, or something the
 * inventory does not know runs in the recovery region, and nobody said which version wins.
 * Changes nothing in DNS, EC2 or RDS.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { positionOf, readDnsShift } from '../failback/dns-shift-state';
import { placeholderTargets, planZoneFailback } from '../failback/failback-dns';
import { FAILBACK_ARTIFACTS, failbackRunSchema } from '../failback/failback-run';
import { existing, existingClusters, readRecoveryRegion, readZones } from '../failback/gather-failback-state';
import { planFailbackResources, type RecoveredEntry } from '../failback/plan-failback-resources';
import { type Reconciliation, reconciliationMarkdown } from '../failback/reconciliation';
import { withoutShiftInProgress } from '../failback/staged-dns';
import { logger } from '../runtime/observability';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { ReconcileConflictError, WrongStateError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({ run: failbackRunSchema });

export interface ReconcileResult {
  readonly key: string;
  readonly markdownKey: string;
  readonly conflicts: number;
  readonly preserved: number;
  readonly dnsChanges: number;
  readonly instancesHome: number;
  readonly databasesHome: number;
  readonly setAside: number;
  /** Resources in the recovery region the inventory does not list, and how many of them conflict. */
  readonly unknown: number;
  readonly unknownConflicts: number;
}

export function makeReconcileFailbackHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<ReconcileResult> => {
    const { run } = parseTaskInput(eventSchema, event, 'reconcile-failback');
    const ctx = taskContext(deps);
    const { plan } = ctx;
    const app = await ctx.state.getApp(plan.app, plan.primaryRegion);
    const record = {
      outcomeKey: String(app.outcomeKey ?? ''),
      dnsSnapshotKey: String(app.dnsSnapshotKey ?? ''),
      dnsCutoverKey: String(app.dnsCutoverKey ?? ''),
    };
    if (!record.outcomeKey || !record.dnsSnapshotKey || !record.dnsCutoverKey) {
      throw new WrongStateError(
        `the state table has no complete failover record for ${plan.app}; failback needs its snapshot and outcome`,
      );
    }
    const outcome = await ctx.artifacts.getJson<{ inventory: RecoveredEntry[] }>(record.outcomeKey);
    const recovered = outcome.inventory;
    const clusters = recovered.filter((r) => r.kind === 'aurora');
    const [zones, recoveryRegion, staleSide, recoveryClusters, staleClusters] = await Promise.all([
      readZones(ctx.clients, ctx.artifacts, plan, record),
      readRecoveryRegion(ctx.clients.ec2(run.sourceRegion), ctx.clients.rds(run.sourceRegion), plan),
      existing(
        ctx.clients,
        run.targetRegion,
        recovered.filter((r) => r.kind === 'ec2').map((r) => r.source),
        recovered.filter((r) => r.kind === 'rds').map((r) => r.source),
      ),
      existingClusters(
        ctx.clients.rds(run.sourceRegion),
        clusters.map((r) => r.recovered),
      ),
      existingClusters(
        ctx.clients.rds(run.targetRegion),
        clusters.map((r) => r.source),
      ),
    ]);
    const resources = planFailbackResources({
      plan,
      targetRegion: run.targetRegion,
      recovered,
      recoveryInstances: recoveryRegion.roleInstances,
      recoveryDatabases: recoveryRegion.estate.databases.map((d) => d.id),
      staleInstances: staleSide.instances,
      staleDatabases: staleSide.databases,
      recoveryClusters,
      staleClusters,
      ...(run.prefer ? { prefer: run.prefer } : {}),
      estate: recoveryRegion.estate,
    });
    // The new primary does not exist yet: conflicts are judged against placeholders, which differ
    // from anything in the zone, so every hand edit of a managed record shows.
    const roles = [...new Set(resources.instances.map((i) => i.role))];
    const targets = placeholderTargets(
      roles,
      resources.databases.map((d) => d.source),
      run.targetRegion,
      resources.databases.filter((d) => d.kind === 'aurora').map((d) => d.source),
    );
    // A re-run of a failback whose DNS shift stopped part-way sees what the shift wrote (weighted
    // pairs, data records moved home, the maintenance target) as the records they replaced, so
    // they are not mistaken for hand edits.
    const shiftInProgress = await readDnsShift(ctx.artifacts, run.app, run.failbackId);
    const dns = zones.map((zone) => {
      const inProgress = shiftInProgress?.zones.find((z) => z.id === zone.id);
      const now =
        inProgress && shiftInProgress
          ? withoutShiftInProgress(zone.now, inProgress.records, positionOf(shiftInProgress))
          : zone.now;
      const { merge, shift } = planZoneFailback({
        zonePlan: zone.plan,
        zoneName: zone.name,
        targetRegion: run.targetRegion,
        targets,
        base: zone.base,
        cutover: zone.cutover,
        now,
        prefer: run.prefer,
      });
      return {
        id: zone.id,
        name: zone.name,
        decisions: merge.decisions,
        conflicts: merge.conflicts,
        preserved: merge.preserved,
        changes: shift.length,
      };
    });
    const dnsConflicts = dns.reduce(
      (n, z) => n + z.conflicts.filter((c) => c.resolution === 'unresolved').length,
      0,
    );
    const unknownConflicts = resources.unknown.filter((u) => u.outcome === 'conflict');
    const unresolvedConflicts = dnsConflicts + unknownConflicts.length;
    const reconciliation: Reconciliation = {
      app: run.app,
      runId: run.runId,
      failbackId: run.failbackId,
      createdAt: ctx.now().toISOString(),
      from: run.sourceRegion,
      to: run.targetRegion,
      strategy: run.strategy,
      steps: run.steps,
      ...(run.prefer ? { prefer: run.prefer } : {}),
      dns,
      resources,
      unresolvedConflicts,
    };
    const key = runArtifactKey(run.app, run.runId, FAILBACK_ARTIFACTS.reconciliation);
    const markdownKey = key.replace(/\.json$/, '.md');
    await ctx.artifacts.putJson(key, reconciliation);
    await ctx.artifacts.putText(markdownKey, reconciliationMarkdown(reconciliation), 'text/markdown');
    const result: ReconcileResult = {
      key,
      markdownKey,
      conflicts: unresolvedConflicts,
      preserved: dns.reduce((n, z) => n + z.preserved.length, 0),
      dnsChanges: dns.reduce((n, z) => n + z.changes, 0),
      instancesHome: resources.instances.length,
      databasesHome: resources.databases.length,
      setAside: resources.stale.length,
      unknown: resources.unknown.length,
      unknownConflicts: unknownConflicts.length,
    };
    logger.info('failback reconciled', { ...result });
    if (unresolvedConflicts > 0) {
      const records = dns.flatMap((z) =>
        z.conflicts.filter((c) => c.resolution === 'unresolved').map((c) => `${c.key} (${c.kind})`),
      );
      const unknown = unknownConflicts.map((u) => `${u.kind} ${u.id}${u.role ? ` (like ${u.role})` : ''}`);
      const what = [
        ...(records.length > 0
          ? [
              `${records.length} managed record(s) were changed by hand during failover: ${records.slice(0, 10).join(', ')}`,
            ]
          : []),
        ...(unknown.length > 0
          ? [
              `${unknown.length} resource(s) in ${run.sourceRegion} are not in the failover's inventory and cannot be brought home: ${unknown.slice(0, 10).join(', ')}`,
            ]
          : []),
      ];
      const choose =
        records.length > 0
          ? 'start the failback with prefer "failback" (overwrite the records) or "current" (keep them); either leaves the unknown resources in place, neither brought home nor retired'
          : 'settle each as the report says, or start the failback with prefer "failback" or "current" to leave them in place, neither brought home nor retired';
      throw new ReconcileConflictError(
        `${what.join('; ')}. Nothing was changed. Read the report at s3://${ctx.config.bucketName}/${markdownKey}, then ${choose}.`,
        { reportKey: markdownKey, conflicts: [...records, ...unknown].slice(0, 50) },
      );
    }
    return result;
  };
}

export const handler = makeReconcileFailbackHandler();
