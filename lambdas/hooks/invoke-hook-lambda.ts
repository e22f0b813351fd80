/**
 * Calls one Lambda hook: a synchronous (RequestResponse) Invoke in the function's own region with the
 * same payload a webhook gets. The function may answer `{ "veto": true, "reason": "..." }`; a
 * function error is a failure. No retries of our own: the SDK already retries throttling.
 * Given the time left before the function's deadline, it does not invoke when the answer may come too late.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { AwsClients } from '../runtime/aws-clients';
import { arnRegion, ownRegion } from './arn-region';
import { LAMBDA_HOOK_TIMEOUT_SECONDS, notStartedReason, timeLeftMs } from './hook-budget';
import { type HookCallResult, interpretLambdaResponse, truncateReason } from './hook-response';

export interface InvokeHookLambdaDeps {
  readonly clients: AwsClients;
  /** How long the hook may take before it counts as failed. @default LAMBDA_HOOK_TIMEOUT_SECONDS */
  readonly timeoutMs?: number;
  /** Milliseconds left before the function's deadline; none: no deadline. */
  readonly remainingMs?: () => number;
}

/** Never throws: every way it can go wrong is a `failed` result with a reason. */
export async function invokeHookLambda(
  functionArn: string,
  body: string,
  deps: InvokeHookLambdaDeps,
): Promise<HookCallResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeoutMs = deps.timeoutMs ?? LAMBDA_HOOK_TIMEOUT_SECONDS * 1000;
  const leftMs = timeLeftMs(deps.remainingMs);
  if (leftMs < timeoutMs) {
    return {
      outcome: 'not-started',
      reason: notStartedReason(leftMs, timeoutMs),
      attempts: 0,
      ms: elapsed(),
    };
  }
  try {
    const client = deps.clients.lambda(arnRegion(functionArn, ownRegion()));
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionArn,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(body),
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    const payload = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    const verdict = interpretLambdaResponse(payload, response.FunctionError);
    if (verdict.kind === 'ok')
      return {
        outcome: 'ok',
        attempts: 1,
        ms: elapsed(),
        ...(verdict.writesFrozen ? { writesFrozen: true } : {}),
      };
    return { outcome: verdict.kind, reason: verdict.reason, attempts: 1, ms: elapsed() };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const reason =
      name === 'AbortError' || name === 'TimeoutError'
        ? `no answer within ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000}s` : `${timeoutMs}ms`}`
        : `invoke failed: ${name}: ${error instanceof Error ? error.message : String(error)}`;
    return { outcome: 'failed', reason: truncateReason(reason), attempts: 1, ms: elapsed() };
  }
}
