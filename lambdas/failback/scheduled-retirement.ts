/**
 * A soak too long for the failback execution to wait out is handed to a scheduled retirement: an
 * EventBridge Scheduler one-time schedule (`at(T)`) starts the small retirement state machine at T.
 * Pure: names, times and the decision whether the retirement may still run.
 *
 * Why a separate state machine and not the failback workflow in a "retire only" mode: the failback
 * workflow's first states refuse anything but a failed-over app, take the lock, and may touch DNS;
 * a mode switch through all of that is easy to get wrong, and the scheduler role would have to be
 * allowed to start a failback. The retirement machine can only check, retire the recovery copies
 * and record; its scheduler role may start nothing else; its timeout is that of one retirement.
 * It runs the code (and plan) deployed at T, not at the failback, and re-checks the app first.
 */
import { createHash } from 'node:crypto';
import type { AppRecord } from '../state/state-table';
import type { FailbackRun } from './failback-run';

/**
 * Soaks longer than this are scheduled; shorter ones wait in the failback execution (a Wait state).
 * Seven days, because (1) with every cap at its maximum (syncCap 7d, two retirements of retireCap
 * 3d) plus a 7d soak and 1d of slack the execution still fits its 30 days with 6d to spare for
 * staged holds, and (2) a wait of more than a week outlives deploys and on-call rotations: better
 * a retirement that re-checks the app and runs the code deployed by then than an execution showing
 * RUNNING for weeks after production is home, that a new failover would not stop.
 */
export const SCHEDULED_RETIREMENT_AFTER_SECONDS = 7 * 86_400;

/** Whether this soak is handed to a scheduled retirement. */
export function retirementIsScheduled(soakSeconds: number): boolean {
  return soakSeconds > SCHEDULED_RETIREMENT_AFTER_SECONDS;
}

/**
 * Every retirement schedule of an app starts with this, in the stack's schedule group
 * (`pendulum-<app>-schedules`); the scheduling task may create only these.
 */
export function retirementSchedulePrefix(app: string): string {
  return `${app}-retire-`;
}

/**
 * `shop-retire-1a2b3c4d`: one name per failback episode (the 8 hex of the episode suffix used in
 * the final snapshots' names), so a retried task finds the schedule an earlier attempt made.
 * At most 40 + 8 + 8 = 56 characters: Scheduler allows 64 ([0-9a-zA-Z-_.]).
 */
export function retirementScheduleName(app: string, failbackId: string): string {
  const suffix = createHash('sha256').update(failbackId).digest('hex').slice(0, 8);
  return `${retirementSchedulePrefix(app)}${suffix}`;
}

/** Scheduler rejects an `at()` in the past: a late task schedules a little ahead instead. */
const MIN_LEAD_SECONDS = 300;

/**
 * When the recovery copies are retired: the soak, counted from when production was home again,
 * to the whole second (`at()` has no finer unit; rounded up so the soak is never cut short), and
 * never less than five minutes from now.
 */
export function retirementTime(homeAt: string, soakSeconds: number, now: Date): Date {
  const due = Date.parse(homeAt) + soakSeconds * 1000;
  const earliest = now.getTime() + MIN_LEAD_SECONDS * 1000;
  return new Date(Math.ceil(Math.max(due, earliest) / 1000) * 1000);
}

/** Scheduler's one-time expression, UTC, to the second: `at(2025-03-01T00:00:00)`. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/** The time of an `at(...)` expression (UTC), or undefined for any other expression. */
export function timeOfAtExpression(expression: string | undefined): Date | undefined {
  const match = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(expression ?? '');
  return match ? new Date(`${match[1]}Z`) : undefined;
}

/** What the schedule hands the retirement state machine. */
export interface RetirementInput {
  readonly run: FailbackRun;
  /** T, ISO-8601. */
  readonly retireAt: string;
}

/** Scheduler's limit on a target's input. */
export const MAX_TARGET_INPUT_CHARS = 8192;

export type RetirementCheck =
  | { readonly due: true; readonly reason: string }
  | { readonly due: false; readonly reason: string };

/**
 * The retirement may run only while the app is still home from the same failback: PRIMARY_ACTIVE
 * in the failback's target region with the same failback id. After a new failover (or during one)
 * the recovery copies may be what production runs on, so it changes nothing.
 */
export function checkRetirementDue(app: AppRecord, run: FailbackRun): RetirementCheck {
  const from = `failback ${run.failbackId} to ${run.targetRegion}`;
  if (app.status !== 'PRIMARY_ACTIVE')
    return {
      due: false,
      reason: `${run.app} is ${app.status}${app.runId ? ` (run ${app.runId})` : ''}, not home from ${from}`,
    };
  if (app.failbackId !== run.failbackId || app.activeRegion !== run.targetRegion)
    return {
      due: false,
      reason: `${run.app} is home from ${app.failbackId ? `failback ${String(app.failbackId)}` : 'no failback'} in ${app.activeRegion}, not from ${from}`,
    };
  return { due: true, reason: `${run.app} is still home from ${from}` };
}
