/**
 * How long hooks may take. A phase's hooks run one after another inside one invocation of the hook
 * function, so the worst case of all of them (every attempt timing out, every backoff waited) must
 * fit in that function's timeout, less a margin for what the sum does not count: cold start, reading
 * signing secrets, SDK retries, returning the result. A phase that could outlive the function would
 * be killed mid-way, and after DNS moved that turned a completed failover into a failed one.
 *
 * The plan is checked against this budget when it is parsed (and again at synth); at run time the
 * handler also watches its real deadline, because AWS and webhooks can be slower than planned.
 */
import { durationSeconds, formatDuration } from '../plan/duration';

/** The hook function's Lambda timeout; the budget is derived from it. */
export const HOOK_FUNCTION_TIMEOUT_SECONDS = 300;
/** Kept out of the budget for cold start, secret reads, SDK retries and returning. */
export const HOOK_BUDGET_MARGIN_SECONDS = 30;
/** The most a phase's hooks may take at worst. */
export const PHASE_HOOK_BUDGET_SECONDS = HOOK_FUNCTION_TIMEOUT_SECONDS - HOOK_BUDGET_MARGIN_SECONDS;

/** Per-hook caps the schema enforces. */
export const MIN_WEBHOOK_TIMEOUT_SECONDS = 1;
export const MAX_WEBHOOK_TIMEOUT_SECONDS = 60;
export const MAX_WEBHOOK_RETRIES = 5;

/** A Lambda hook is one synchronous invoke, abandoned after this long. */
export const LAMBDA_HOOK_TIMEOUT_SECONDS = 30;

/**
 * At run time an attempt starts only if its whole timeout (and the backoff before it) still fits
 * before the function's deadline less this, so the handler always returns its own answer.
 */
export const DEADLINE_RESERVE_MS = 5_000;

const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 2_000;

/** Wait before retry `retry` (1, 2, …): 250 ms, 500 ms, 1 s, 2 s, 2 s. */
export function retryDelayMs(retry: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, retry - 1));
}

/** The parts of a hook the budget reads (parsed plan hooks, defaults filled in). */
export type BudgetedHook =
  | { readonly webhook: { readonly timeout: string; readonly retries: number } }
  | { readonly lambda: unknown };

/** How long one attempt of the hook may take before it is abandoned. */
export function attemptTimeoutMs(hook: BudgetedHook): number {
  return 'webhook' in hook
    ? durationSeconds(hook.webhook.timeout) * 1000
    : LAMBDA_HOOK_TIMEOUT_SECONDS * 1000;
}

/** Every attempt timing out, with the backoff between them. */
export function hookWorstCaseMs(hook: BudgetedHook): number {
  if (!('webhook' in hook)) return attemptTimeoutMs(hook);
  let total = attemptTimeoutMs(hook);
  for (let retry = 1; retry <= hook.webhook.retries; retry++)
    total += retryDelayMs(retry) + attemptTimeoutMs(hook);
  return total;
}

export function phaseWorstCaseMs(hooks: readonly BudgetedHook[]): number {
  return hooks.reduce((sum, hook) => sum + hookWorstCaseMs(hook), 0);
}

/**
 * Why a phase's hooks do not fit the budget, or undefined when they do. Says the worst case, the
 * limit and where the time goes, so the plan's author knows what to lower.
 */
export function phaseBudgetProblem(hooks: readonly BudgetedHook[]): string | undefined {
  const worstMs = phaseWorstCaseMs(hooks);
  if (worstMs <= PHASE_HOOK_BUDGET_SECONDS * 1000) return undefined;
  const parts = hooks.map((hook, i) => `[${i}] ${formatMs(hookWorstCaseMs(hook))}`).join(', ');
  return (
    `expected the phase's hooks to finish within ${formatDuration(PHASE_HOOK_BUDGET_SECONDS)} at worst ` +
    `(the hook function's ${formatDuration(HOOK_FUNCTION_TIMEOUT_SECONDS)} timeout less a ` +
    `${formatDuration(HOOK_BUDGET_MARGIN_SECONDS)} margin); they may take ${formatMs(worstMs)}: ${parts}. ` +
    `A webhook may take timeout × (1 + retries) plus backoff, a lambda hook ${formatDuration(LAMBDA_HOOK_TIMEOUT_SECONDS)}: ` +
    'lower timeouts or retries, or use fewer hooks'
  );
}

/** Time an attempt may still use: what is left before the deadline less the reserve; no deadline, no limit. */
export function timeLeftMs(remainingMs: (() => number) | undefined): number {
  return remainingMs ? remainingMs() - DEADLINE_RESERVE_MS : Number.POSITIVE_INFINITY;
}

/** Why an attempt that may take `timeoutMs` was not started with `leftMs` to use. */
export function notStartedReason(leftMs: number, timeoutMs: number): string {
  return `${formatLeft(leftMs)} left before the hook function's deadline, an attempt may take ${formatLeft(timeoutMs)}`;
}

/** Whole seconds, never negative: `12s`, `1m`. */
export function formatLeft(ms: number): string {
  return formatDuration(Math.max(0, Math.floor(ms / 1000)));
}

/** `1m30s`, or `33.75s` when there are fractions of a second. */
function formatMs(ms: number): string {
  return ms % 1000 === 0 ? formatDuration(ms / 1000) : `${ms / 1000}s`;
}
