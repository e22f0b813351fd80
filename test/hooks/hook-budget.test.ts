import { describe, expect, it } from 'vitest';
import {
  HOOK_FUNCTION_TIMEOUT_SECONDS,
  hookWorstCaseMs,
  PHASE_HOOK_BUDGET_SECONDS,
  phaseBudgetProblem,
  phaseWorstCaseMs,
  timeLeftMs,
} from '../../lambdas/hooks/hook-budget';

describe('hook budget', () => {
  it('counts every attempt timing out and every backoff waited for a webhook, one invoke for a lambda hook', () => {
    // Act
    const webhook = hookWorstCaseMs({ webhook: { timeout: '10s', retries: 2 } });
    const noRetries = hookWorstCaseMs({ webhook: { timeout: '1m', retries: 0 } });
    const lambda = hookWorstCaseMs({ lambda: { functionArn: 'arn:aws:lambda:us-east-1:1:function:f' } });

    // Assess: 3 × 10s + 250ms + 500ms
    expect(webhook).toBe(30_750);
    expect(noRetries).toBe(60_000);
    expect(lambda).toBe(30_000);
    expect(phaseWorstCaseMs([{ webhook: { timeout: '10s', retries: 2 } }, { lambda: {} }])).toBe(60_750);
  });

  it('keeps a margin below the hook function timeout', () => {
    // Assess
    expect(PHASE_HOOK_BUDGET_SECONDS).toBeLessThan(HOOK_FUNCTION_TIMEOUT_SECONDS);
    expect(phaseBudgetProblem([])).toBeUndefined();
    expect(phaseBudgetProblem(Array.from({ length: 9 }, () => ({ lambda: {} })))).toBeUndefined();
    expect(phaseBudgetProblem(Array.from({ length: 10 }, () => ({ lambda: {} })))).toMatch(/may take 5m/);
  });

  it('leaves a reserve before the deadline, and no limit without one', () => {
    // Assess
    expect(timeLeftMs(() => 20_000)).toBe(15_000);
    expect(timeLeftMs(undefined)).toBe(Number.POSITIVE_INFINITY);
  });
});
