/**
 * Protect on the realistic local AWS: a first snapshot of a large database and its cross-region
 * copy take hours, and the run waits for them as long as `protection.copyCap` allows, not as long
 * as a retry budget happens to last.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modeledMs } from '../../cli/rehearsal/modeled-time';
import { createSampleEstate } from '../../examples/sample-estate';
import type { PlanInput } from '../../lambdas/plan/plan-schema';
import { listDbRecoveryPoints } from '../../lambdas/recovery-points/db-recovery-points';
import { createAwsClients } from '../../lambdas/runtime/aws-clients';
import { deployLocalStack } from '../../local/local-stack';
import { AWS_TIMINGS } from '../../local/realistic-aws/aws-timings';
import { useInstantAws, useRealisticAws } from '../../local/realistic-aws/realistic-aws';
import { localAwsForTests } from '../support/local-aws';
import { samplePlanWith } from '../support/sample-plan';

const aws = localAwsForTests('us-west-2');
const clients = () => createAwsClients();
const HOUR = 3_600_000;

/**
 * What protect waited before it became a poll loop (commit c7182d4): ProtectTier retried on
 * NotReadyError with interval 1 min, backoff 1.5, max delay 10 min, 40 attempts and full jitter.
 * Its delays add up to at most ~6.0 h (1 + 1.5 + 2.25 + 3.4 + 5.1 + 7.6 min, then 34 × 10 min),
 * ~3.0 h in expectation (full jitter halves each delay on average); then the run failed.
 * Checked: with that commit's protect-workflow.ts and protect-tier.ts put back, the first test
 * below fails with NotReadyError ("1 of 1 recovery point(s) of tier data are still being made").
 */
const OLD_RETRY_BUDGET_MS = Array.from({ length: 40 }, (_, k) => Math.min(60_000 * 1.5 ** k, 600_000)).reduce(
  (sum, delay) => sum + delay,
  0,
);

/**
 * 4000 GiB: a snapshot (3 min + 2 s/GiB) then a cross-region copy (10 min + 6 s/GiB) of ~9.1 h,
 * never under ~7.3 h with the timings' ±20 % spread: longer than the old budget could ever wait,
 * whatever its jitter drew.
 */
const DATABASE_GiB = 4000;
const { createDbSnapshot, copyDbSnapshotCrossRegion } = AWS_TIMINGS.rds;
const shortestCaptureMs =
  (createDbSnapshot.baseMs + createDbSnapshot.perGiBMs * DATABASE_GiB) * (1 - createDbSnapshot.spread) +
  (copyDbSnapshotCrossRegion.baseMs + copyDbSnapshotCrossRegion.perGiBMs * DATABASE_GiB) *
    (1 - copyDbSnapshotCrossRegion.spread);

describe('protect on the realistic local AWS', { timeout: 300_000 }, () => {
  /** The estate seeded on instant AWS, then AWS turned realistic for the run. */
  async function prepare(edit: (plan: PlanInput) => void = () => {}) {
    const plan = samplePlanWith(edit);
    await createSampleEstate(clients(), { databaseGiB: DATABASE_GiB });
    const stack = await deployLocalStack(plan);
    useRealisticAws({ seed: 11 });
    return stack;
  }

  beforeEach(async () => {
    await aws.reset();
  });
  afterEach(() => useInstantAws());

  it('waits out a snapshot and cross-region copy of hours, longer than the old retry budget, and makes the point', async () => {
    // Prepare
    expect(shortestCaptureMs).toBeGreaterThan(OLD_RETRY_BUDGET_MS);
    const stack = await prepare();

    // Act
    const result = await stack.run('protect', {});

    // Assess: the run succeeded, after longer than the old budget could have waited
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const modeled = modeledMs(result.events);
    expect(modeled).toBeGreaterThan(OLD_RETRY_BUDGET_MS);
    expect(modeled).toBeLessThan(24 * HOUR);
    // Assess: the database's recovery point is in the recovery region, available
    const points = await listDbRecoveryPoints(clients().rds('us-west-2'), 'shop');
    expect(points).toEqual([
      expect.objectContaining({ source: 'shop-db', state: 'available', tier: 'data' }),
    ]);
  });

  it('fails with CopyCapExceededError naming the database when the copy outlasts protection.copyCap', async () => {
    // Prepare
    const stack = await prepare((p) => {
      p.protection = { ...p.protection, copyCap: '1h' };
    });

    // Act
    const result = await stack.run('protect', {});

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CopyCapExceededError');
    expect(result.cause).toMatch(/tier data still pending .*protection\.copyCap 1h.*shop-db/);
    const modeled = modeledMs(result.events);
    expect(modeled).toBeGreaterThan(1 * HOUR);
    expect(modeled).toBeLessThan(1.5 * HOUR);
  });
});
