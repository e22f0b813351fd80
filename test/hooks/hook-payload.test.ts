import { describe, expect, it } from 'vitest';
import {
  buildHookPayload,
  describeHook,
  isPrePhase,
  serializeHookPayload,
} from '../../lambdas/hooks/hook-payload';

describe('buildHookPayload', () => {
  const sentAt = new Date('2025-03-01T12:00:00.000Z');

  it('carries the run, target region and time in a fixed field order', () => {
    // Prepare, Act
    const payload = buildHookPayload(
      {
        app: 'shop',
        phase: 'postFailover',
        runId: 'run-1',
        workflow: 'failover',
        region: 'us-west-2',
        reason: 'us-east-1 outage',
        dryRun: false,
        summary: { recordsChanged: 3 },
      },
      sentAt,
    );

    // Assess
    expect(serializeHookPayload(payload)).toBe(
      '{"app":"shop","phase":"postFailover","runId":"run-1","workflow":"failover","region":"us-west-2","reason":"us-east-1 outage","dryRun":false,"sentAt":"2025-03-01T12:00:00.000Z","summary":{"recordsChanged":3}}',
    );
  });

  it('leaves out absent optional fields and defaults dryRun to false', () => {
    // Prepare, Act
    const payload = buildHookPayload(
      { app: 'shop', phase: 'preFailback', runId: 'r', workflow: 'failback', region: 'us-east-1' },
      sentAt,
    );

    // Assess
    expect(Object.keys(payload)).toEqual(['app', 'phase', 'runId', 'workflow', 'region', 'dryRun', 'sentAt']);
    expect(payload.dryRun).toBe(false);
  });
});

describe('isPrePhase', () => {
  it('gates only the pre phases', () => {
    // Prepare, Act, Assess
    expect(isPrePhase('preFailover')).toBe(true);
    expect(isPrePhase('preFailback')).toBe(true);
    expect(isPrePhase('postFailover')).toBe(false);
    expect(isPrePhase('postFailback')).toBe(false);
  });
});

describe('describeHook', () => {
  it('names webhooks by URL without credentials or query, and Lambda hooks by ARN', () => {
    // Prepare
    const webhook = (url: string) => ({
      webhook: {
        url,
        secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s',
        timeout: '10s',
        retries: 2,
      },
    });

    // Act, Assess
    expect(describeHook(webhook('https://hooks.example.com/pendulum'))).toBe(
      'webhook https://hooks.example.com/pendulum',
    );
    expect(describeHook(webhook('https://user:pw@hooks.example.com/p?token=abc#x'))).toBe(
      'webhook https://hooks.example.com/p?…',
    );
    expect(
      describeHook({ lambda: { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gate' } }),
    ).toBe('lambda arn:aws:lambda:us-east-1:123456789012:function:gate');
  });
});
