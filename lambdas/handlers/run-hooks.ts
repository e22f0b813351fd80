/**
 * Runs the plan's hooks for one phase, in order, each with the same signed payload.
 *
 * Pre phases gate the run: a veto throws HookVetoError and a hook that still fails after its retries
 * (or that there was no time left to start) throws HookFailedError (the run must not go on blind);
 * later hooks are then not called. Post phases run after DNS moved, so they only report: every hook
 * is called and vetoes and failures are returned for the run record to show as warnings, except for
 * hooks the plan marks `mustPass`, whose failure then fails the phase. A dry run calls nothing and
 * returns the hooks it would have called.
 *
 * The plan keeps a phase's worst case inside the function's timeout; the handler still watches its
 * real deadline and starts no attempt that could outlive it, so it always returns its own answer.
 */
import { z } from 'zod';
import { callWebhook, makeSecretReader } from '../hooks/call-webhook';
import {
  buildHookPayload,
  CALL_PHASES,
  type CallPhase,
  describeHook,
  type HookPhase,
  hookListOf,
  isPrePhase,
  serializeHookPayload,
} from '../hooks/hook-payload';
import type { HookCallResult, HookOutcome } from '../hooks/hook-response';
import { invokeHookLambda } from '../hooks/invoke-hook-lambda';
import { webhookDeliveryId } from '../hooks/sign-webhook';
import { type Hook, region } from '../plan/plan-schema';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { taskConfig } from '../runtime/task-config';
import { HookFailedError, HookVetoError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const inputSchema = z.strictObject({
  phase: z.enum(CALL_PHASES),
  runId: z.string().min(1).max(256),
  workflow: z.string().min(1).max(64),
  /** The region the run moves the app to. */
  region,
  reason: z.string().max(1024).optional(),
  dryRun: z.boolean().default(false),
  /** A small summary of the run passed on to post-phase hooks. */
  summary: z.record(z.string(), z.unknown()).optional(),
});

export type RunHooksInput = z.input<typeof inputSchema>;

export interface HookRunResult {
  /** `webhook <url>` (without query string or credentials) or `lambda <arn>`. */
  readonly hook: string;
  readonly outcome: HookOutcome;
  readonly reason?: string;
  readonly attempts: number;
  readonly ms: number;
  readonly writesFrozen?: true;
}

export interface RunHooksResult {
  readonly phase: CallPhase;
  readonly results: HookRunResult[];
}

/** The part of the Lambda context the handler reads. */
export interface HookInvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface RunHooksDeps {
  readonly clients?: AwsClients;
  readonly fetch?: typeof fetch;
  /** Waits between webhook retries. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  readonly lambdaTimeoutMs?: number;
}

export function makeRunHooksHandler(deps: RunHooksDeps = {}) {
  return async (event: unknown, context?: HookInvocationContext): Promise<RunHooksResult> => {
    const input = parseTaskInput(inputSchema, event, 'run-hooks');
    const { plan } = taskConfig();
    const clients = deps.clients ?? defaultAwsClients();
    const now = deps.now ?? (() => new Date());
    const hooks = plan.hooks[hookListOf(input.phase)];
    const gate = isPrePhase(input.phase);

    if (input.dryRun) {
      logger.info('dry run: hooks not called', { phase: input.phase, hooks: hooks.length });
      return {
        phase: input.phase,
        results: hooks.map((hook) => ({
          hook: describeHook(hook),
          outcome: 'skipped',
          reason: 'dry run',
          attempts: 0,
          ms: 0,
        })),
      };
    }

    const body = serializeHookPayload(buildHookPayload({ app: plan.app, ...input }, now()));
    const readSecret = makeSecretReader(clients);
    const remainingMs = context ? () => context.getRemainingTimeInMillis() : undefined;
    const results: HookRunResult[] = [];

    for (const [index, hook] of hooks.entries()) {
      const label = describeHook(hook);
      const called: HookCallResult =
        'webhook' in hook
          ? await callWebhook(hook.webhook, body, webhookDeliveryId(input.runId, input.phase, index), {
              readSecret,
              ...(deps.fetch ? { fetch: deps.fetch } : {}),
              ...(deps.sleep ? { sleep: deps.sleep } : {}),
              ...(remainingMs ? { remainingMs } : {}),
              now,
            })
          : await invokeHookLambda(hook.lambda.functionArn, body, {
              clients,
              ...(deps.lambdaTimeoutMs === undefined ? {} : { timeoutMs: deps.lambdaTimeoutMs }),
              ...(remainingMs ? { remainingMs } : {}),
            });
      const result: HookRunResult = { hook: label, ...called };
      results.push(result);
      logger.info('hook called', { phase: input.phase, runId: input.runId, ...result });

      if (!gate) {
        if (result.outcome !== 'ok')
          logger.warn('post-phase hook did not pass', { phase: input.phase, ...result });
        continue;
      }
      const details = { phase: input.phase, hook: label, reason: result.reason, results };
      if (result.outcome === 'veto') {
        throw new HookVetoError(
          `${label} vetoed ${input.phase}: ${result.reason ?? 'no reason given'}`,
          details,
        );
      }
      if (result.outcome === 'not-started') {
        const notRun = hooks.slice(index).map(describeHook);
        throw new HookFailedError(
          `${label} not started in ${input.phase}: ${result.reason}; not run: ${notRun.join(', ')}`,
          {
            ...details,
            notRun,
          },
        );
      }
      if (result.outcome === 'failed') {
        throw new HookFailedError(
          `${label} failed in ${input.phase} after ${result.attempts} attempt(s): ${result.reason ?? 'unknown error'}`,
          details,
        );
      }
      // No answer, no failback: the final sync must not start while the application may still write.
      if (input.phase === 'freezeWrites' && result.writesFrozen !== true) {
        throw new HookVetoError(
          `${label} did not answer that writes are frozen in ${input.region} (expected {"writesFrozen": true}); the final sync did not start`,
          details,
        );
      }
    }
    if (!gate) throwIfRequiredHooksDidNotPass(input.phase as HookPhase, hooks, results);
    return { phase: input.phase, results };
  };
}

const OUTCOME_WORDS: Record<HookOutcome, string> = {
  ok: 'passed',
  veto: 'vetoed',
  failed: 'failed',
  skipped: 'was skipped',
  'not-started': 'was not started',
};

/**
 * A post phase fails only over hooks the plan says must pass, after every hook was called: a failure
 * or a hook not started is worth the state machine's retry, a veto is an answer and is not retried.
 */
function throwIfRequiredHooksDidNotPass(phase: HookPhase, hooks: readonly Hook[], results: HookRunResult[]) {
  const required = results.filter((result, i) => {
    const hook = hooks[i];
    const mustPass = hook && ('webhook' in hook ? hook.webhook.mustPass : hook.lambda.mustPass);
    return mustPass === true && result.outcome !== 'ok';
  });
  if (required.length === 0) return;
  const message = required
    .map((r) => `${r.hook} must pass but ${OUTCOME_WORDS[r.outcome]}: ${r.reason ?? 'no reason given'}`)
    .join('; ');
  const details = { phase, hooks: required.map((r) => r.hook), results };
  if (required.every((r) => r.outcome === 'veto')) throw new HookVetoError(`${phase}: ${message}`, details);
  throw new HookFailedError(`${phase}: ${message}`, details);
}

export const handler = makeRunHooksHandler();
