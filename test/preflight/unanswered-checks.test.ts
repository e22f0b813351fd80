/**
 * A real failover runs the preflight to refuse what it finds wrong, never to wait on what it could
 * not ask: a check AWS does not answer becomes a warning there, and fails the preflight elsewhere.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { type PreflightClients, runPreflight } from '../../lambdas/preflight/run-preflight';
import { samplePlanWith } from '../support/sample-plan';

const throttled = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
/** A real client whose every call AWS answers with a throttle. */
function unanswering<T extends { middlewareStack: { add: (m: never, o: never) => void } }>(client: T): T {
  client.middlewareStack.add(
    (() => async () => Promise.reject(throttled)) as never,
    { step: 'initialize' } as never,
  );
  return client;
}
const clients = {
  ec2: (region: string) => unanswering(new EC2Client({ region })),
  rds: (region: string) => unanswering(new RDSClient({ region })),
} as unknown as PreflightClients;

const plan = samplePlanWith((p) => {
  p.placement = { ...p.placement, web: { ...p.placement?.web, subnets: ['subnet-0123456789abcdef0'] } };
});
const scope = { placementRegion: plan.recoveryRegion };

describe('a preflight check AWS does not answer', () => {
  it('fails the preflight by default (validate, protect, dry runs)', async () => {
    await expect(runPreflight(clients, plan, scope)).rejects.toBe(throttled);
  });

  it('is a warning, naming the error, when the run must go on (a real failover)', async () => {
    const report = await runPreflight(clients, plan, scope, { unanswered: 'warning' });
    expect(report.problems).toEqual([
      expect.objectContaining({
        check: 'unanswered',
        severity: 'warning',
        message: expect.stringContaining('RequestLimitExceeded: Request limit exceeded.'),
      }),
    ]);
  });
});
