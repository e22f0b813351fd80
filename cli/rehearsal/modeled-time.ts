/**
 * Modeled time of a run, read from its event log: in realistic mode the local runner stamps events
 * with the virtual clock, so the span between two events is how long that stretch would take on
 * AWS (its waits, polls, API latencies and AWS's own durations), not how long it took here.
 */
import type { WorkflowEvent } from '../../local/local-workflow-runner';

type Event = { type?: string; timestamp?: number; index?: number; state?: { name?: string } };

type Stamped = Event & { timestamp: number };
const stamps = (events: readonly WorkflowEvent[]): Stamped[] =>
  (events as readonly Event[]).filter((e): e is Stamped => typeof e.timestamp === 'number');

/** Start to end of the execution. */
export function modeledMs(events: readonly WorkflowEvent[]): number {
  const stamped = stamps(events);
  if (stamped.length === 0) return 0;
  return (stamped.at(-1)?.timestamp ?? 0) - (stamped[0]?.timestamp ?? 0);
}

export interface ModeledRto {
  /** Execution start to DNS in sync (ConfirmDnsSync done), if it got there. */
  readonly overallMs?: number;
  /** Each tier from its first RecoverTier to TierRecovered. */
  readonly tiers: readonly { readonly tier: string; readonly ms?: number }[];
}

/** A failover's modeled RTO: overall, and per tier of the RecoverTiers Map. */
export function modeledRto(events: readonly WorkflowEvent[], tierNames: readonly string[]): ModeledRto {
  const stamped = stamps(events);
  const start = stamped[0]?.timestamp;
  const synced = stamped.find((e) => e.type === 'StateExited' && e.state?.name === 'ConfirmDnsSync');
  const tiers = tierNames.map((tier, index) => {
    const first = stamped.find(
      (e) => e.index === index && e.type === 'StateEntered' && e.state?.name === 'RecoverTier',
    );
    const done = stamped.find(
      (e) => e.index === index && e.type === 'StateEntered' && e.state?.name === 'TierRecovered',
    );
    return { tier, ...(first && done ? { ms: done.timestamp - first.timestamp } : {}) };
  });
  return { ...(start !== undefined && synced ? { overallMs: synced.timestamp - start } : {}), tiers };
}

/** `1h 04m`, `27m 13s`, `45s`. */
export function formatModeled(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}
