/**
 * Chooses the recovery point of every resource from the catalogue in the recovery region and
 * stores the choice; refuses points older than their tier's RPO unless the run is forced.
 *
 * The check before the lock also runs the failover's preflight (placement, instance profiles,
 * zones, vCPUs of what it would launch), the same as `plan failover`: a subnet that is not in the
 * recovery region refuses the run here, with every problem listed, before tier 1 is recovered,
 * not as InvalidSubnetID.NotFound in a later tier.
 */
import { z } from 'zod';
import { runArtifactKey } from '../artifacts/artifact-store';
import { failoverLaunches } from '../failover/failover-launches';
import { FAILOVER_ARTIFACTS, failoverRunSchema } from '../failover/failover-run';
import { selectRecoveryPoints } from '../failover/recovery-selection';
import { preflightClients } from '../preflight/preflight-clients';
import { refuseOnProblems } from '../preflight/refuse-on-problems';
import { PREFLIGHT_SCOPES, runPreflight } from '../preflight/run-preflight';
import { listAmiRecoveryPoints } from '../recovery-points/ami-recovery-points';
import { listDbRecoveryPoints } from '../recovery-points/db-recovery-points';
import { type TaskDeps, taskContext } from '../runtime/task-context';
import { parseTaskInput } from '../runtime/task-input';

const eventSchema = z.object({
  run: failoverRunSchema,
  /** False for the check before the lock: choose, report, write nothing. */
  store: z.boolean().default(true),
});

export interface ChooseRecoveryPointsResult {
  readonly key: string;
  readonly resources: number;
  /** The largest RPO any choice implies, in seconds. */
  readonly worstAgeSeconds: number;
}

export function makeChooseRecoveryPointsHandler(deps: TaskDeps = {}) {
  return async (event: unknown): Promise<ChooseRecoveryPointsResult> => {
    const { run, store } = parseTaskInput(eventSchema, event, 'choose-recovery-points');
    const ctx = taskContext(deps);
    const [amis, dbs] = await Promise.all([
      listAmiRecoveryPoints(ctx.clients.ec2(run.targetRegion), run.app),
      listDbRecoveryPoints(ctx.clients.rds(run.targetRegion), run.app, ctx.plan),
    ]);
    const selection = selectRecoveryPoints(ctx.plan, [...amis, ...dbs], {
      at: run.recoveryPoint === 'latest' ? 'latest' : new Date(run.recoveryPoint),
      now: new Date(run.startedAt),
      force: run.force,
    });
    const key = runArtifactKey(run.app, run.runId, FAILOVER_ARTIFACTS.recoverySelection);
    if (!store)
      refuseOnProblems(
        await runPreflight(
          preflightClients(ctx.clients),
          ctx.plan,
          PREFLIGHT_SCOPES.planFailover(ctx.plan, failoverLaunches(ctx.plan, selection)),
          // A recovery must not stop on a check it could not make: only on what it found wrong.
          { unanswered: 'warning' },
        ),
        'the failover',
      );
    if (store) await ctx.artifacts.putJson(key, selection);
    const all = selection.tiers.flatMap((t) => t.resources);
    return { key, resources: all.length, worstAgeSeconds: Math.max(0, ...all.map((r) => r.ageSeconds)) };
  };
}

export const handler = makeChooseRecoveryPointsHandler();
