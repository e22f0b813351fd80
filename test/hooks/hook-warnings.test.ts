import { describe, expect, it } from 'vitest';
import { summarizeHooks } from '../../lambdas/hooks/hook-warnings';

const result = (hook: string, outcome: string, reason?: string) => ({
  hook,
  outcome,
  ...(reason === undefined ? {} : { reason }),
  attempts: outcome === 'not-started' ? 0 : 1,
  ms: 12,
});

describe('summarizeHooks', () => {
  it('warns of each post-phase hook that did not pass, and lists every hook for the report', () => {
    // Prepare
    const hookResults = {
      preFailover: { phase: 'preFailover', results: [result('webhook https://gate/', 'ok')] },
      postFailover: {
        phase: 'postFailover',
        results: [
          result('webhook https://a/', 'failed', 'HTTP 502'),
          result('webhook https://b/', 'veto', 'too late'),
          result('lambda arn:aws:lambda:us-west-2:123456789012:function:c', 'not-started', '3s left'),
          result('webhook https://d/', 'ok'),
        ],
      },
    };

    // Act
    const summary = summarizeHooks(hookResults);

    // Assess
    expect(summary.warnings).toEqual([
      'postFailover hook webhook https://a/ failed: HTTP 502',
      'postFailover hook webhook https://b/ objected: too late',
      'postFailover hook lambda arn:aws:lambda:us-west-2:123456789012:function:c was not started: 3s left',
    ]);
    expect(summary.hooks.map((h) => `${h.phase} ${h.outcome}`)).toEqual([
      'preFailover ok',
      'postFailover failed',
      'postFailover veto',
      'postFailover not-started',
      'postFailover ok',
    ]);
  });

  it('warns that the post hooks did not finish when their state failed and was caught', () => {
    // Prepare
    const cause = JSON.stringify({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 300.00 seconds',
    });

    // Act
    const summary = summarizeHooks({ postFailback: { Error: 'Sandbox.Timedout', Cause: cause } });

    // Assess
    expect(summary).toEqual({
      hooks: [],
      warnings: ['postFailback hooks did not finish (Sandbox.Timedout): Task timed out after 300.00 seconds'],
    });
  });

  it('has nothing to say of a dry run, skipped hooks or no hook results at all', () => {
    // Act, Assess
    expect(
      summarizeHooks({
        postFailover: {
          phase: 'postFailover',
          results: [result('webhook https://a/', 'skipped', 'dry run')],
        },
      }).warnings,
    ).toEqual([]);
    expect(summarizeHooks(undefined)).toEqual({ hooks: [], warnings: [] });
  });
});
