/**
 * Webhook signing: HMAC-SHA256 over the exact body bytes with the hook's secret.
 *
 *   X-Pendulum-Signature: sha256=<hex HMAC of the body>
 *   X-Pendulum-Timestamp: <unix seconds the attempt was sent>
 *   X-Pendulum-Delivery:  <id fixed per run, phase and hook, the same on every retry>
 *
 * The body itself carries `sentAt`, so a signed body cannot be replayed as a fresh one; receivers
 * dedupe retries by the delivery id.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Pendulum-Signature';
export const TIMESTAMP_HEADER = 'X-Pendulum-Timestamp';
export const DELIVERY_HEADER = 'X-Pendulum-Delivery';

const SIGNATURE_PREFIX = 'sha256=';
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export type SigningKey = string | Uint8Array;

/** HMAC-SHA256 of the body, as lower-case hex. */
export function webhookSignature(body: string | Uint8Array, secret: SigningKey): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * The delivery id of the `index`th hook of a phase in a run: `<runId>.<phase>.<index>`. A run id that
 * is not safe in a header (or is very long) is replaced by the start of its SHA-256, so the id stays
 * deterministic either way.
 */
export function webhookDeliveryId(runId: string, phase: string, index: number): string {
  const run = SAFE_RUN_ID.test(runId) ? runId : createHash('sha256').update(runId).digest('hex').slice(0, 32);
  return `${run}.${phase}.${index}`;
}

/** The headers that go with one attempt. */
export function signWebhook(
  body: string | Uint8Array,
  secret: SigningKey,
  opts: { readonly deliveryId: string; readonly at: Date },
): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: `${SIGNATURE_PREFIX}${webhookSignature(body, secret)}`,
    [TIMESTAMP_HEADER]: String(Math.floor(opts.at.getTime() / 1000)),
    [DELIVERY_HEADER]: opts.deliveryId,
  };
}

/** Fetch `Headers`, or Node's `IncomingHttpHeaders` / a plain record (any key case). */
export type ReceivedHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: ReceivedHeaders, name: string): string | undefined {
  if (typeof headers.get === 'function')
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(
    headers as Record<string, string | readonly string[] | undefined>,
  )) {
    if (key.toLowerCase() !== wanted) continue;
    return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
}

export interface VerifyOptions {
  /** Also require X-Pendulum-Timestamp within this many seconds of `now`. */
  readonly toleranceSeconds?: number;
  readonly now?: Date;
}

/**
 * For receivers (and tests): true when the signature header is the HMAC of exactly these body bytes
 * under `secret`, compared in constant time, and, with `toleranceSeconds`, the timestamp is recent.
 */
export function verifyWebhookSignature(
  body: string | Uint8Array,
  headers: ReceivedHeaders,
  secret: SigningKey,
  opts: VerifyOptions = {},
): boolean {
  const signature = header(headers, SIGNATURE_HEADER)?.trim();
  if (signature === undefined || !signature.startsWith(SIGNATURE_PREFIX)) return false;
  const hex = signature.slice(SIGNATURE_PREFIX.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const expected = Buffer.from(webhookSignature(body, secret), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex'))) return false;
  if (opts.toleranceSeconds === undefined) return true;
  const timestamp = header(headers, TIMESTAMP_HEADER)?.trim();
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = (opts.now ?? new Date()).getTime() / 1000;
  return Math.abs(now - Number(timestamp)) <= opts.toleranceSeconds;
}
