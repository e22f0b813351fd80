/**
 * The one place the local harness stands between the AWS SDK and moto: the `send` of the shared
 * `Client` class every SDK v3 client extends, wrapped once per concern (IAM enforcement, adapters
 * for what moto lacks). Product code never sees it.
 */
import { createRequire } from 'node:module';

export type SdkClient = { config?: { region?: unknown }; constructor: { name: string } };
export type SdkCommand = { input?: Record<string, unknown>; constructor: { name: string } };
export type Send = (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => unknown;

const wrapped = new Set<string>();

/** Wraps `send` with `wrap` once for `concern`; later wraps run before earlier ones. */
export function wrapSdkSend(concern: string, wrap: (send: Send) => Send): void {
  if (wrapped.has(concern)) return;
  wrapped.add(concern);
  // Resolved as the SDK clients resolve it, so the wrapped class is the one they extend.
  const fromSdk = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/client-ec2'));
  const { Client } = fromSdk('@smithy/core/client') as { Client: { prototype: { send: Send } } };
  Client.prototype.send = wrap(Client.prototype.send);
}

/** The region a client calls. */
export async function clientRegion(client: SdkClient): Promise<string> {
  const region = client.config?.region;
  return typeof region === 'function' ? String(await region()) : String(region ?? '');
}
