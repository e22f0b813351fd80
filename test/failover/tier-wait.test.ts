import { describe, expect, it } from 'vitest';
import { recoveryCapSeconds } from '../../lambdas/failover/recovery-cap';
import { decideTierWait } from '../../lambdas/failover/tier-wait';

const HOUR = 3600;
const wait = (elapsedSeconds: number, rtoMissRecorded = false) =>
  decideTierWait({
    ready: false,
    elapsedSeconds,
    rtoSeconds: 30 * 60,
    recoveryCapSeconds: 4 * HOUR,
    rtoMissRecorded,
  });

describe('waiting for a tier', () => {
  it('keeps waiting before the RTO', () => {
    expect(wait(10 * 60)).toEqual({ kind: 'wait', rtoMissedNow: false });
  });

  it('keeps waiting past the RTO, recording the miss once', () => {
    expect(wait(31 * 60)).toEqual({ kind: 'wait', rtoMissedNow: true });
    expect(wait(45 * 60, true)).toEqual({ kind: 'wait', rtoMissedNow: false });
  });

  it('gives up only past the recovery cap', () => {
    expect(wait(4 * HOUR)).toEqual({ kind: 'wait', rtoMissedNow: true });
    expect(wait(4 * HOUR + 1, true)).toEqual({ kind: 'cap-reached' });
  });

  it('a ready tier is ready, however late', () => {
    expect(
      decideTierWait({
        ready: true,
        elapsedSeconds: 5 * HOUR,
        rtoSeconds: 60,
        recoveryCapSeconds: HOUR,
        rtoMissRecorded: false,
      }),
    ).toEqual({ kind: 'ready' });
  });
});

describe('the recovery cap', () => {
  it("is the plan's when given, else 4h, or twice the RTO when that is longer", () => {
    expect(recoveryCapSeconds({ rto: '30m', recoveryCap: '90m' })).toBe(90 * 60);
    expect(recoveryCapSeconds({ rto: '30m' })).toBe(4 * HOUR);
    expect(recoveryCapSeconds({ rto: '3h' })).toBe(6 * HOUR);
  });
});
