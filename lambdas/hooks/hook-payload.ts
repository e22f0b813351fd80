/**
 * The JSON body every hook receives, webhook or Lambda alike. Built once per phase so retries and
 * every hook of the phase see the same bytes (and a webhook signature covers exactly them).
 */
import type { Hook } from '../plan/plan-schema';

export const HOOK_PHASES = ['preFailover', 'postFailover', 'preFailback', 'postFailback'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

/** Pre phases can stop a run: a veto or an unreachable hook there ends it before anything moves. */
export function isPrePhase(phase: HookPhase): boolean {
  return phase === 'preFailover' || phase === 'preFailback';
}

export interface HookPayload {
  readonly app: string;
  readonly phase: HookPhase;
  readonly runId: string;
  readonly workflow: string;
  /** The region the run moves the app to. */
  readonly region: string;
  readonly reason?: string;
  readonly dryRun: boolean;
  /** ISO 8601 time the phase's hooks were started. */
  readonly sentAt: string;
  /** A small summary of what the run did, for post phases. */
  readonly summary?: Readonly<Record<string, unknown>>;
}

export interface HookPayloadInput {
  readonly app: string;
  readonly phase: HookPhase;
  readonly runId: string;
  readonly workflow: string;
  readonly region: string;
  readonly reason?: string | undefined;
  readonly dryRun?: boolean | undefined;
  readonly summary?: Readonly<Record<string, unknown>> | undefined;
}

/** The payload, with fields in a fixed order and absent optional fields left out. */
export function buildHookPayload(input: HookPayloadInput, sentAt: Date): HookPayload {
  return {
    app: input.app,
    phase: input.phase,
    runId: input.runId,
    workflow: input.workflow,
    region: input.region,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
    dryRun: input.dryRun ?? false,
    sentAt: sentAt.toISOString(),
    ...(input.summary === undefined ? {} : { summary: input.summary }),
  };
}

/** The exact bytes sent (and signed). */
export function serializeHookPayload(payload: HookPayload): string {
  return JSON.stringify(payload);
}

/**
 * How a hook is named in results, logs and errors: `webhook <url>` or `lambda <arn>`.
 * Credentials and query strings are left out of the URL: they often carry tokens.
 */
export function describeHook(hook: Hook): string {
  if ('lambda' in hook) return `lambda ${hook.lambda.functionArn}`;
  return `webhook ${redactUrl(hook.webhook.url)}`;
}

function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    url.username = '';
    url.password = '';
    const redacted = url.search !== '' || url.hash !== '';
    url.search = '';
    url.hash = '';
    return `${url.toString()}${redacted ? '?…' : ''}`;
  } catch {
    return text;
  }
}
