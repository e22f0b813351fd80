/**
 * The gates an alarm-started failover passes before it may act, as pure decisions the state
 * machine branches on. Each decision says why, for the run record and the notification.
 */
export type GateVerdict = 'pass' | 'stop' | 'wait';

export interface GateDecision {
  readonly gate: 'alarm' | 'cooldown' | 'approval';
  readonly verdict: GateVerdict;
  readonly detail: string;
}

/** Anti-flapping: the alarm that started the run must still be firing after the delay. */
export function alarmGate(alarmName: string, state: string | undefined, delaySeconds: number): GateDecision {
  if (state === 'ALARM')
    return { gate: 'alarm', verdict: 'pass', detail: `${alarmName} still in ALARM after ${delaySeconds}s` };
  return {
    gate: 'alarm',
    verdict: 'stop',
    detail: `${alarmName} is ${state ?? 'missing'} after the ${delaySeconds}s confirmation delay: not failing over (flapping alarm)`,
  };
}

/** No automatic failover again too soon after the last one. */
export function cooldownGate(
  lastFailoverAt: string | undefined,
  cooldownSeconds: number,
  now: Date,
): GateDecision {
  if (!lastFailoverAt) return { gate: 'cooldown', verdict: 'pass', detail: 'no earlier failover' };
  const since = Math.floor((now.getTime() - Date.parse(lastFailoverAt)) / 1000);
  if (since >= cooldownSeconds)
    return { gate: 'cooldown', verdict: 'pass', detail: `last failover ${since}s ago` };
  return {
    gate: 'cooldown',
    verdict: 'stop',
    detail: `last failover was ${since}s ago, within the ${cooldownSeconds}s cooldown: not failing over automatically`,
  };
}

export interface ApprovalRecord {
  readonly approvedBy: string;
  readonly reason: string;
  readonly approvedAt: string;
  readonly expiresAt?: string;
}

/**
 * Approval mode: wait for `pendulum approve`. An approval counts if it was given after the alarm
 * (a stale approval from an earlier incident does not) and has not expired.
 */
export function approvalGate(
  approval: ApprovalRecord | undefined,
  runStartedAt: string,
  timeoutSeconds: number,
  onTimeout: 'stop' | 'proceed',
  now: Date,
): GateDecision {
  const started = Date.parse(runStartedAt);
  if (
    approval &&
    Date.parse(approval.approvedAt) >= started &&
    (!approval.expiresAt || Date.parse(approval.expiresAt) > now.getTime())
  ) {
    return {
      gate: 'approval',
      verdict: 'pass',
      detail: `approved by ${approval.approvedBy}: ${approval.reason}`,
    };
  }
  const waited = Math.floor((now.getTime() - started) / 1000);
  if (waited < timeoutSeconds)
    return {
      gate: 'approval',
      verdict: 'wait',
      detail: `waiting for approval (${waited}s of ${timeoutSeconds}s)`,
    };
  return onTimeout === 'proceed'
    ? {
        gate: 'approval',
        verdict: 'pass',
        detail: `no approval within ${timeoutSeconds}s; proceeding as the plan says`,
      }
    : {
        gate: 'approval',
        verdict: 'stop',
        detail: `no approval within ${timeoutSeconds}s; not failing over`,
      };
}
