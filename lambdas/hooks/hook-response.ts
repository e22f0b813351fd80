/**
 * What a hook's answer means. Pure: adapters hand in the status and body they got.
 *
 * - 2xx with JSON `{ "veto": true, "reason": "..." }`, or HTTP 409: a veto, with its reason.
 * - Any other 2xx: OK.
 * - 429, 5xx (and timeouts or network errors, decided by the adapter): worth retrying.
 * - Any other status (3xx, 4xx): a permanent failure; retrying will not change it.
 */

/** Reasons travel in the state payload and reports, so they are kept short. */
export const MAX_REASON_LENGTH = 500;

export type HookVerdict =
  | { readonly kind: 'ok'; readonly writesFrozen?: true }
  | { readonly kind: 'veto'; readonly reason: string }
  | { readonly kind: 'failed'; readonly retryable: boolean; readonly reason: string };

/** `skipped`: not called on purpose (dry run); `not-started`: no time left before the function's deadline. */
export type HookOutcome = 'ok' | 'veto' | 'failed' | 'skipped' | 'not-started';

/** What calling one hook came to. */
export interface HookCallResult {
  readonly outcome: HookOutcome;
  readonly reason?: string;
  /** Requests made: 0 when the hook was skipped, not started or never reached (e.g. its secret was unreadable). */
  readonly attempts: number;
  readonly ms: number;
  /** The hook answered `{ "writesFrozen": true }` (asked to freeze writes before failback's final sync). */
  readonly writesFrozen?: true;
}

export function truncateReason(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= MAX_REASON_LENGTH ? clean : `${clean.slice(0, MAX_REASON_LENGTH - 1)}…`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reasonIn(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const reason = value.reason;
  return typeof reason === 'string' && reason.trim() !== '' ? truncateReason(reason) : undefined;
}

/** An OK answer, carrying whether the hook said that writes are frozen. */
function ok(value: unknown): HookVerdict {
  return isRecord(value) && value.writesFrozen === true ? { kind: 'ok', writesFrozen: true } : { kind: 'ok' };
}

/** The veto in a hook's JSON answer, if it is one: `{ veto: true, reason? }`. */
export function vetoIn(value: unknown): { readonly reason: string } | undefined {
  if (!isRecord(value) || value.veto !== true) return undefined;
  return { reason: reasonIn(value) ?? 'no reason given' };
}

/** A webhook's HTTP answer. */
export function interpretWebhookResponse(status: number, body: string): HookVerdict {
  const json = parseJson(body);
  if (status >= 200 && status < 300) {
    const veto = vetoIn(json);
    return veto ? { kind: 'veto', reason: veto.reason } : ok(json);
  }
  if (status === 409) {
    const text = body.trim();
    return {
      kind: 'veto',
      reason: reasonIn(json) ?? (text !== '' && json === undefined ? truncateReason(text) : 'HTTP 409'),
    };
  }
  const detail = reasonIn(json) ?? truncateReason(body);
  const reason = truncateReason(`HTTP ${status}${detail ? `: ${detail}` : ''}`);
  if (status === 429 || (status >= 500 && status < 600)) return { kind: 'failed', retryable: true, reason };
  if (status >= 300 && status < 400) {
    return {
      kind: 'failed',
      retryable: false,
      reason: `${reason} (redirects are not followed; use the final URL)`,
    };
  }
  return { kind: 'failed', retryable: false, reason };
}

/**
 * A Lambda hook's answer: the function's JSON result, or its error when `functionError` is set
 * (Lambda then returns `{ errorType, errorMessage }`).
 */
export function interpretLambdaResponse(payload: string, functionError: string | undefined): HookVerdict {
  const json = parseJson(payload);
  if (functionError !== undefined && functionError !== '') {
    const error = isRecord(json) ? json : {};
    const type = typeof error.errorType === 'string' ? error.errorType : undefined;
    const message = typeof error.errorMessage === 'string' ? error.errorMessage : undefined;
    const detail = [type, message].filter(Boolean).join(': ') || truncateReason(payload);
    return {
      kind: 'failed',
      retryable: false,
      reason: truncateReason(`function error (${functionError})${detail ? `: ${detail}` : ''}`),
    };
  }
  const veto = vetoIn(json);
  return veto ? { kind: 'veto', reason: veto.reason } : ok(json);
}
