/**
 * Calls one webhook hook: POSTs the signed payload, retrying what is worth retrying (429, 5xx,
 * timeouts, network errors) up to `retries` more times with a short, bounded backoff.
 * The signing key comes from Secrets Manager, read once per invocation whatever the number of hooks.
 * Given the time left before the function's deadline, it starts no attempt that could outlive it.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { durationSeconds, formatDuration } from '../plan/duration';
import type { Hook } from '../plan/plan-schema';
import type { AwsClients } from '../runtime/aws-clients';
import { arnRegion, ownRegion } from './arn-region';
import { formatLeft, notStartedReason, retryDelayMs, timeLeftMs } from './hook-budget';
import {
  type HookCallResult,
  type HookVerdict,
  interpretWebhookResponse,
  truncateReason,
} from './hook-response';
import { type SigningKey, signWebhook } from './sign-webhook';

export type WebhookHook = Extract<Hook, { webhook: unknown }>['webhook'];

/** Returns the signing key held by a secret. */
export type SecretReader = (secretArn: string) => Promise<SigningKey>;

/** The most of a response body that is read; the rest is discarded. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A reader that fetches each secret once (GetSecretValue in the secret's own region) and remembers it.
 * Make one per invocation: a rotated secret is then picked up by the next run.
 * A secret holds the key as its string value, or as binary.
 */
export function makeSecretReader(clients: AwsClients): SecretReader {
  const cache = new Map<string, Promise<SigningKey>>();
  return (secretArn) => {
    let pending = cache.get(secretArn);
    if (pending === undefined) {
      pending = (async () => {
        const client = clients.secretsManager(arnRegion(secretArn, ownRegion()));
        const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
        if (secret.SecretString !== undefined && secret.SecretString !== '') return secret.SecretString;
        if (secret.SecretBinary !== undefined && secret.SecretBinary.byteLength > 0)
          return secret.SecretBinary;
        throw new Error('the secret has no value');
      })();
      cache.set(secretArn, pending);
    }
    return pending;
  };
}

export interface CallWebhookDeps {
  readonly readSecret: SecretReader;
  readonly fetch?: typeof fetch;
  /** Waits between attempts; tests pass one that does not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
  /** Milliseconds left before the function's deadline (Lambda's `getRemainingTimeInMillis`); none: no deadline. */
  readonly remainingMs?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const code = cause instanceof Error ? ((cause as { code?: unknown }).code ?? cause.message) : undefined;
  return code === undefined ? `${error.name}: ${error.message}` : `${error.message} (${String(code)})`;
}

async function readCapped(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size >= MAX_BODY_BYTES) {
        await reader.cancel().catch(() => undefined);
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/**
 * POSTs `body` to the webhook. `deliveryId` is sent with every attempt so the receiver can tell a retry
 * from a new delivery. Never throws: every way it can go wrong is a `failed` result with a reason.
 */
export async function callWebhook(
  webhook: WebhookHook,
  body: string,
  deliveryId: string,
  deps: CallWebhookDeps,
): Promise<HookCallResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? realSleep;
  const now = deps.now ?? (() => new Date());
  const timeoutSeconds = durationSeconds(webhook.timeout);

  let secret: SigningKey;
  try {
    secret = await deps.readSecret(webhook.secretArn);
  } catch (error) {
    return {
      outcome: 'failed',
      reason: truncateReason(`could not read the signing secret ${webhook.secretArn}: ${errorText(error)}`),
      attempts: 0,
      ms: elapsed(),
    };
  }

  const attemptOnce = async (): Promise<HookVerdict> => {
    try {
      const response = await doFetch(webhook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'pendulum-hooks',
          ...signWebhook(body, secret, { deliveryId, at: now() }),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
      });
      return interpretWebhookResponse(response.status, await readCapped(response));
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return {
        kind: 'failed',
        retryable: true,
        reason: timedOut
          ? `no answer within ${formatDuration(timeoutSeconds)}`
          : truncateReason(`request failed: ${errorText(error)}`),
      };
    }
  };

  const timeoutMs = timeoutSeconds * 1000;
  const leftMs = () => timeLeftMs(deps.remainingMs);
  if (leftMs() < timeoutMs) {
    return {
      outcome: 'not-started',
      reason: notStartedReason(leftMs(), timeoutMs),
      attempts: 0,
      ms: elapsed(),
    };
  }

  const maxAttempts = 1 + webhook.retries;
  for (let attempt = 1; ; attempt++) {
    const verdict = await attemptOnce();
    if (verdict.kind === 'ok')
      return {
        outcome: 'ok',
        attempts: attempt,
        ms: elapsed(),
        ...(verdict.writesFrozen ? { writesFrozen: true } : {}),
      };
    if (verdict.kind === 'veto')
      return { outcome: 'veto', reason: verdict.reason, attempts: attempt, ms: elapsed() };
    if (!verdict.retryable || attempt >= maxAttempts) {
      return { outcome: 'failed', reason: verdict.reason, attempts: attempt, ms: elapsed() };
    }
    const delayMs = retryDelayMs(attempt);
    if (leftMs() < delayMs + timeoutMs) {
      const reason = `${verdict.reason}; not retried: ${formatLeft(leftMs())} left before the hook function's deadline`;
      return { outcome: 'failed', reason: truncateReason(reason), attempts: attempt, ms: elapsed() };
    }
    await sleep(delayMs);
  }
}
