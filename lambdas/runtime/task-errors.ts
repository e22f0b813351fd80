/**
 * Named errors that the state machines match by name in Retry and Catch.
 * Lambda reports a thrown error's `name` as its error type, and Step Functions matches on that,
 * so each class pins its name explicitly (minifiers would otherwise rename the class).
 */
export abstract class PendulumError extends Error {
  abstract override readonly name: string;
  /** Extra structured detail for reports; kept small because it travels in the state payload. */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}

/** The workflow input is malformed. Raised before any write. */
export class InvalidInputError extends PendulumError {
  readonly name = 'InvalidInputError';
}

/** The app is not in a state that allows this workflow (e.g. failover while FAILING_OVER). */
export class WrongStateError extends PendulumError {
  readonly name = 'WrongStateError';
}

/** A hook refused the run. */
export class HookVetoError extends PendulumError {
  readonly name = 'HookVetoError';
}

/** A hook could not be reached or answered badly; retried by the state machine. */
export class HookFailedError extends PendulumError {
  readonly name = 'HookFailedError';
}

/** No recovery point exists for a resource at or before the requested time. */
export class RecoveryPointMissingError extends PendulumError {
  readonly name = 'RecoveryPointMissingError';
}

/** The best recovery point is older than the tier's RPO and the run was not forced. */
export class RecoveryPointTooOldError extends PendulumError {
  readonly name = 'RecoveryPointTooOldError';
}

/** Resources are still starting; the state machine waits and asks again. */
export class NotReadyError extends PendulumError {
  readonly name = 'NotReadyError';
}

/**
 * Resources did not become ready within the tier's recovery cap. Missing the RTO alone is not an
 * error: it is recorded and reported while recovery goes on.
 */
export class ReadyTimeoutError extends PendulumError {
  readonly name = 'ReadyTimeoutError';
}

/**
 * A protection run's captures were not all done within the plan's `protection.copyCap`; the
 * message names the ones still pending.
 */
export class CopyCapExceededError extends PendulumError {
  readonly name = 'CopyCapExceededError';
}

/** Health checks or status checks failed on the recovered resources. */
export class ValidationFailedError extends PendulumError {
  readonly name = 'ValidationFailedError';
}

/** Reconciliation found changes it must not guess about. */
export class ReconcileConflictError extends PendulumError {
  readonly name = 'ReconcileConflictError';
}

/** A gate (alarm state, cooldown, approval, window) decided the run must not go on. */
export class GateClosedError extends PendulumError {
  readonly name = 'GateClosedError';
}

/** The plan embedded at deploy time is missing or invalid: a deployment problem, not an input one. */
export class PlanUnavailableError extends PendulumError {
  readonly name = 'PlanUnavailableError';
}

/**
 * The plan does not fit the account (a source of a kind Pendulum cannot protect, a key, subnet,
 * key pair or zone that is not there): found by the preflight checks before any write; the
 * message and `details.problems` list each with its plan path and what to do.
 */
export class PreflightFailedError extends PendulumError {
  readonly name = 'PreflightFailedError';
}

/** Names the state machines refer to; kept in one list so lib/ and lambdas/ agree. */
export const TASK_ERROR_NAMES = {
  invalidInput: 'InvalidInputError',
  wrongState: 'WrongStateError',
  hookVeto: 'HookVetoError',
  hookFailed: 'HookFailedError',
  recoveryPointMissing: 'RecoveryPointMissingError',
  recoveryPointTooOld: 'RecoveryPointTooOldError',
  notReady: 'NotReadyError',
  readyTimeout: 'ReadyTimeoutError',
  copyCapExceeded: 'CopyCapExceededError',
  validationFailed: 'ValidationFailedError',
  reconcileConflict: 'ReconcileConflictError',
  gateClosed: 'GateClosedError',
  planUnavailable: 'PlanUnavailableError',
  preflightFailed: 'PreflightFailedError',
} as const;
