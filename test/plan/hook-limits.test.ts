/**
 * The plan's limits on hooks: each webhook's timeout and retries are capped, a phase's worst case
 * must fit the hook function's timeout, and `mustPass` only means something after DNS moved.
 */
import { describe, expect, it } from 'vitest';
import { parsePlanObject } from '../../lambdas/plan/parse-plan';
import { formatPlanPath } from '../../lambdas/plan/plan-references';
import type { PlanInput } from '../../lambdas/plan/plan-schema';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-AbCdEf';
const GATE = 'arn:aws:lambda:us-east-1:123456789012:function:gate';

function planWithHooks(hooks: PlanInput['hooks']): PlanInput {
  return {
    app: 'shop',
    primaryRegion: 'us-east-1',
    recoveryRegion: 'us-west-2',
    tiers: [
      {
        name: 'app',
        rpo: '1h',
        rto: '1h',
        resources: [{ ec2: { role: 'web', ids: ['i-0abc12345def67890'] } }],
      },
    ],
    hooks,
  };
}

function problemsOf(hooks: PlanInput['hooks']): string[] {
  const result = parsePlanObject(planWithHooks(hooks));
  return result.ok ? [] : result.problems.map((p) => `${formatPlanPath(p.path)}: ${p.message}`);
}

const webhook = (extra: Record<string, unknown> = {}) => ({
  webhook: { url: 'https://hooks.example.com/x', secretArn: SECRET, ...extra },
});

describe('hook limits in the plan', () => {
  it.each([
    ['a timeout over a minute', { timeout: '2m' }, 'timeout', 'expected a timeout from 1s to 1m'],
    ['a zero timeout', { timeout: '0s' }, 'timeout', 'expected a timeout from 1s to 1m'],
    ['more than 5 retries', { retries: 6 }, 'retries', 'expected at most 5 retries'],
    ['negative retries', { retries: -1 }, 'retries', 'expected 0 or more retries'],
  ])('rejects a webhook with %s, naming the field and the limit', (_kind, extra, field, message) => {
    // Act
    const problems = problemsOf({ postFailover: [webhook(), webhook(extra)] });

    // Assess
    expect(problems).toEqual([`hooks.postFailover[1].webhook.${field}: ${message}`]);
  });

  it('accepts a phase whose worst case fits the budget exactly', () => {
    // Prepare: 3 webhooks of 1m × (1 + 0 retries) = 3m, plus 3 lambda hooks of 30s: 4m30s in all.
    const hooks = [
      webhook({ timeout: '1m', retries: 0 }),
      webhook({ timeout: '1m', retries: 0 }),
      webhook({ timeout: '1m', retries: 0 }),
    ];
    const lambdas = [1, 2, 3].map(() => ({ lambda: { functionArn: GATE } }));

    // Act
    const problems = problemsOf({ preFailover: [...hooks, ...lambdas] });

    // Assess
    expect(problems).toEqual([]);
  });

  it('rejects a phase whose worst case (timeouts, retries and backoff) could outlive the hook function', () => {
    // Prepare: 1m × 4 attempts + 250ms + 500ms + 1s of backoff = 4m1.75s, plus a 30s lambda hook.
    const hooks = [webhook({ timeout: '1m', retries: 3 }), { lambda: { functionArn: GATE } }];

    // Act
    const problems = problemsOf({ postFailover: hooks, preFailover: [webhook()] });

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^hooks\.postFailover: expected the phase's hooks to finish within 4m30s at worst \(the hook function's 5m timeout less a 30s margin\); they may take 271\.75s: \[0\] 241\.75s, \[1\] 30s\./,
    );
  });

  it('accepts mustPass on post-phase hooks and rejects mustPass: false on a pre-phase hook', () => {
    // Act
    const accepted = parsePlanObject(
      planWithHooks({
        postFailover: [webhook({ mustPass: true }), { lambda: { functionArn: GATE, mustPass: false } }],
      }),
    );
    const problems = problemsOf({
      preFailback: [webhook(), { lambda: { functionArn: GATE, mustPass: false } }],
    });

    // Assess
    expect(accepted.ok).toBe(true);
    expect(problems).toEqual([
      'hooks.preFailback[1].lambda.mustPass: expected no mustPass: false on a pre-phase hook; a veto or failure there always stops the run',
    ]);
  });
});
