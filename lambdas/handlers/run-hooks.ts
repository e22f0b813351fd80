/**
 * Runs the plan's hooks for one phase, in order, each with the same signed payload.
 *
 * Pre phases gate the run: a veto throws HookVetoError and a hook that still fails after its retries
 * throws HookFailedError (the run must not go on blind); later hooks are then not called. Post phases
 * only report: vetoes and failures are recorded and every hook is called. A dry run calls nothing and
 * returns the hooks it would have called.
 */
import { z } from 'zod';
import { callWebhook, makeSecretReader } from '../hooks/call-webhook';
import {
  buildHookPayload,
  describeHook,
  HOOK_PHASES,
  type HookPhase,
  isPrePhase,
  serializeHookPayload,
} from '../hooks/hook-payload';
import type { HookCallResult, HookOutcome } from '../hooks/hook-response';
import { invokeHookLambda } from '../hooks/invoke-hook-lambda';
import { webhookDeliveryId } from '../hooks/sign-webhook';
import { region } from '../plan/plan-schema';
import { type AwsClients, defaultAwsClients } from '../runtime/aws-clients';
import { logger } from '../runtime/observability';
import { taskConfig } from '../runtime/task-config';
import { HookFailedError, HookVetoError } from '../runtime/task-errors';
import { parseTaskInput } from '../runtime/task-input';

const inputSchema = z.strictObject({
  phase: z.enum(HOOK_PHASES),
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
}

export interface RunHooksResult {
  readonly phase: HookPhase;
  readonly results: HookRunResult[];
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
  return async (event: unknown): Promise<RunHooksResult> => {
    const input = parseTaskInput(inputSchema, event, 'run-hooks');
    const { plan } = taskConfig();
    const clients = deps.clients ?? defaultAwsClients();
    const now = deps.now ?? (() => new Date());
    const hooks = plan.hooks[input.phase];
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
    const results: HookRunResult[] = [];

    for (const [index, hook] of hooks.entries()) {
      const label = describeHook(hook);
      const called: HookCallResult =
        'webhook' in hook
          ? await callWebhook(hook.webhook, body, webhookDeliveryId(input.runId, input.phase, index), {
              readSecret,
              ...(deps.fetch ? { fetch: deps.fetch } : {}),
              ...(deps.sleep ? { sleep: deps.sleep } : {}),
              now,
            })
          : await invokeHookLambda(hook.lambda.functionArn, body, {
              clients,
              ...(deps.lambdaTimeoutMs === undefined ? {} : { timeoutMs: deps.lambdaTimeoutMs }),
            });
      const result: HookRunResult = { hook: label, ...called };
      results.push(result);
      logger.info('hook called', { phase: input.phase, runId: input.runId, ...result });

      if (!gate) continue;
      const details = { phase: input.phase, hook: label, reason: result.reason, results };
      if (result.outcome === 'veto') {
        throw new HookVetoError(
          `${label} vetoed ${input.phase}: ${result.reason ?? 'no reason given'}`,
          details,
        );
      }
      if (result.outcome === 'failed') {
        throw new HookFailedError(
          `${label} failed in ${input.phase} after ${result.attempts} attempt(s): ${result.reason ?? 'unknown error'}`,
          details,
        );
      }
    }
    return { phase: input.phase, results };
  };
}

export const handler = makeRunHooksHandler();
