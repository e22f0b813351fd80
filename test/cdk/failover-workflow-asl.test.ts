import { describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../lib/synthesize-template';
import { cfnLint, formatFindings } from '../../local/cfn-lint';
import { stateMachines } from '../../local/synthesized-app';
import { samplePlan } from '../support/sample-plan';

type State = Record<string, unknown> & { Type: string; Next?: string };

function failoverDefinition() {
  const machine = stateMachines(synthesizeTemplate(samplePlan()), { region: 'us-west-2' }).find(
    (m) => m.name === 'pendulum-shop-failover',
  );
  if (!machine) throw new Error('no failover state machine');
  return machine.definition as { StartAt: string; States: Record<string, State> };
}

describe('the failover state machine (ASL)', () => {
  const asl = failoverDefinition();

  it('checks everything that can refuse before it takes the lock', () => {
    expect(asl.StartAt).toBe('PrepareFailover');
    const dryRun = asl.States['DryRun?'] as unknown as { Choices: { Next: string }[]; Default: string };
    expect(dryRun.Choices[0]?.Next).toBe('PlanFailover');
    expect(dryRun.Default).toBe('PreFailoverHooks');
    expect(asl.States.PreFailoverHooks?.Next).toBe('CheckRecoveryPoints');
    expect(asl.States.CheckRecoveryPoints?.Next).toBe('TakeFailoverLock');
    expect(asl.States.TakeFailoverLock?.Next).toBe('Failover');
    for (const name of ['PrepareFailover', 'PreFailoverHooks', 'CheckRecoveryPoints', 'TakeFailoverLock']) {
      const catchers = asl.States[name]?.Catch as { ErrorEquals: string[]; Next: string }[];
      expect(
        catchers.every((c) => c.Next === 'FailoverRejected'),
        name,
      ).toBe(true);
      expect(catchers.flatMap((c) => c.ErrorEquals)).not.toContain('States.ALL');
    }
    expect(asl.States.FailoverRejected).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.rejection.Error',
      CausePath: '$.rejection.Cause',
    });
  });

  it('wraps the work after the lock in a Parallel whose Catch records the failure', () => {
    const failover = asl.States.Failover as {
      Type: string;
      Catch: { ErrorEquals: string[]; Next: string; ResultPath: string }[];
      Branches: { StartAt: string; States: Record<string, State> }[];
    };
    expect(failover.Type).toBe('Parallel');
    expect(failover.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], Next: 'RecordFailoverFailure', ResultPath: '$.failure' },
    ]);
    expect(asl.States.RecordFailoverFailure?.Next).toBe('FailedDrill?');
    expect(asl.States['FailedDrill?']).toMatchObject({
      Default: 'FailoverFailed',
      Choices: [{ Next: 'TearDownFailedDrill' }],
    });
    expect(asl.States.TearDownFailedDrill?.Next).toBe('FailoverFailed');
    const branch = failover.Branches[0];
    expect(branch?.StartAt).toBe('SnapshotDns');
    const order: string[] = [];
    let name: string | undefined = 'SnapshotDns';
    while (name && branch?.States[name]) {
      order.push(name);
      const state: State = branch.States[name] as State;
      name =
        state.Type === 'Choice'
          ? (state as unknown as { Choices: { Next: string }[] }).Choices[0]?.Next
          : state.Next;
    }
    expect(order).toEqual([
      'SnapshotDns',
      'ChooseRecoveryPoints',
      'RecoverTiers',
      'CheckRecoveryHealth',
      'RecoveryHealthy?',
      'CutOverDns',
      'ConfirmDnsSync',
      'PostFailoverHooks',
      'RecordFailover',
    ]);
  });

  it('gates alarm-started runs: confirmation delay, alarm still firing, approval; others go straight on', () => {
    expect(asl.States.PrepareFailover?.Next).toBe('AlarmStarted?');
    const started = asl.States['AlarmStarted?'] as unknown as {
      Choices: { Variable: string; IsPresent: boolean; Next: string }[];
      Default: string;
    };
    expect(started.Choices).toEqual([
      { Variable: '$.run.trigger', IsPresent: true, Next: 'ConfirmationDelay' },
    ]);
    expect(started.Default).toBe('DryRun?');
    expect(asl.States.ConfirmationDelay).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.run.gates.confirmationDelaySeconds',
      Next: 'CheckAlarmGate',
    });
    expect(asl.States.CheckApproval?.Next).toBe('Approved?');
    expect(asl.States.WaitForApproval?.Next).toBe('CheckApproval');
    expect(asl.States.GateStopped).toMatchObject({ Type: 'Succeed', OutputPath: '$.gate' });
  });

  it('recovers tiers one at a time, polling readiness in bulk, and waits for DNS with a bounded retry', () => {
    const branch = (asl.States.Failover as unknown as { Branches: { States: Record<string, State> }[] })
      .Branches[0];
    const map = branch?.States.RecoverTiers as unknown as {
      MaxConcurrency: number;
      ItemsPath: string;
      ItemProcessor: { StartAt: string; States: Record<string, State> };
    };
    expect(map.MaxConcurrency).toBe(1);
    expect(map.ItemsPath).toBe('$.run.tiers');
    expect(map.ItemProcessor.StartAt).toBe('RecoverTier');
    expect(Object.keys(map.ItemProcessor.States).sort()).toEqual([
      'CheckTierReady',
      'RecoverTier',
      'TierReady?',
      'TierRecovered',
      'TierStarted?',
      'WaitForTier',
    ]);
    // A tier starts in bounded batches: RecoverTier runs again until it says the tier is all started.
    expect(map.ItemProcessor.States.RecoverTier?.Next).toBe('TierStarted?');
    expect(map.ItemProcessor.States['TierStarted?']).toEqual({
      Type: 'Choice',
      Choices: [{ Variable: '$.recovery.done', BooleanEquals: true, Next: 'CheckTierReady' }],
      Default: 'RecoverTier',
    });
    expect(map.ItemProcessor.States.CheckTierReady?.Next).toBe('TierReady?');
    const confirm = branch?.States.ConfirmDnsSync as unknown as {
      Retry: { ErrorEquals: string[]; MaxAttempts: number }[];
    };
    expect(confirm.Retry).toContainEqual(
      expect.objectContaining({ ErrorEquals: ['NotReadyError'], MaxAttempts: 20 }),
    );
  });
});

describe('cfn-lint', () => {
  it('finds no error in the synthesized template', async () => {
    const result = await cfnLint(synthesizeTemplate(samplePlan()), { regions: ['us-west-2'] });
    expect(result.errors, formatFindings(result.errors)).toEqual([]);
  });
});
