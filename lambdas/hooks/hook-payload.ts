/**
 * The JSON body every hook receives, webhook or Lambda alike. Built once per phase so retries and
 * every hook of the phase see the same bytes (and a webhook signature covers exactly them).
 */
import type { Hook } from '../plan/plan-schema';

export const HOOK_PHASES = ['preFailover', 'postFailover', 'preFailback', 'postFailback'] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

/**
 * Phases of a failback's write freeze (`failback.freeze: hook`), sent to the preFailback hooks:
 * `freezeWrites` before the final sync (the answer must be `{ "writesFrozen": true }`), and
 * `unfreezeWrites` when writes may resume in `region` (home after the data cutover, or the recovery
 * region when the failback stopped before it).
 */
export const FREEZE_PHASES = ['freezeWrites', 'unfreezeWrites'] as const;
export type FreezePhase = (typeof FREEZE_PHASES)[number];
export const CALL_PHASES = [...HOOK_PHASES, ...FREEZE_PHASES] as const;
export type CallPhase = (typeof CALL_PHASES)[number];

/** The plan's hook list a phase calls: the freeze phases go to the preFailback hooks. */
export function hookListOf(phase: CallPhase): HookPhase {
  return phase === 'freezeWrites' || phase === 'unfreezeWrites' ? 'preFailback' : phase;
}

/** Pre phases (and the freeze phases) can stop a run: a veto or an unreachable hook there ends it. */
export function isPrePhase(phase: CallPhase): boolean {
  return phase !== 'postFailover' && phase !== 'postFailback';
}

export interface HookPayload {
  readonly app: string;
  readonly phase: CallPhase;
  readonly runId: string;
  readonly workflow: string;
  /** The region the run moves the app to; for the freeze phases, the region whose writes stop or resume. */
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
  readonly phase: CallPhase;
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
