/**
 * Measures one run the same way for Pendulum and for the floor: wall time, AWS API calls by
 * `Service.Operation` (local/api-call-counter.ts, a middleware on every client made after it
 * starts), the time those calls spent waiting on the emulator, and peak resident memory of this
 * process sampled every 50 ms.
 */
import { addClientPlugin, resetDefaultAwsClients } from '../lambdas/runtime/aws-clients';
import { startApiCallCounter } from '../local/api-call-counter';

export const ROUTE53_CHANGE = 'Route53.ChangeResourceRecordSets';
export const MEMORY_SAMPLE_MS = 50;

export interface OperationLatency {
  readonly calls: number;
  /** Sum of round-trip times; with 10 in flight the wall time they cost is about a tenth. */
  readonly totalMs: number;
}

export interface Measurement {
  readonly wallMs: number;
  /** `EC2.RunInstances` → count, sorted by name. */
  readonly calls: Record<string, number>;
  readonly totalCalls: number;
  readonly byService: Record<string, number>;
  readonly route53ChangeBatches: number;
  readonly peakRssBytes: number;
  /** Per operation: how long its calls took end to end (SDK and emulator). */
  readonly latency: Record<string, OperationLatency>;
  /**
   * Wall time during which at least one AWS call was in flight. Close to `wallMs` means the run
   * waited on the (local) AWS almost all the time; the rest is our own code and the harness.
   */
  readonly awsBusyMs: number;
  /** HTTP attempts beyond the first, by operation (the SDK's own retries): normally empty. */
  readonly retries: Record<string, number>;
}

/** When each call started (epoch ms), to attribute calls to the task that made them. */
export interface CallTime {
  readonly operation: string;
  readonly at: number;
}

const operationKey = (context: { clientName?: string; commandName?: string }) =>
  `${(context.clientName ?? 'Unknown').replace(/Client$/, '')}.${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;

type Stack = { add(fn: unknown, options: { step: string; name: string; override?: boolean }): void };

/** Sums each operation's round-trip time, on clients made after it starts. */
function startLatencyRecorder() {
  const latency = new Map<string, { calls: number; totalMs: number }>();
  const attempts = new Map<string, number>();
  const log: CallTime[] = [];
  let inFlight = 0;
  let busySince = 0;
  let busyMs = 0;
  const remove = addClientPlugin((client) => {
    (client.middlewareStack as unknown as Stack).add(
      (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
        async (args: unknown) => {
          const key = operationKey(context);
          const started = performance.now();
          log.push({ operation: key, at: Date.now() });
          if (inFlight++ === 0) busySince = started;
          try {
            return await next(args);
          } finally {
            const ended = performance.now();
            if (--inFlight === 0) busyMs += ended - busySince;
            const entry = latency.get(key) ?? { calls: 0, totalMs: 0 };
            entry.calls++;
            entry.totalMs += ended - started;
            latency.set(key, entry);
          }
        },
      { step: 'initialize', name: 'benchApiLatency', override: true },
    );
    // Inside the SDK's retry loop: runs once per HTTP attempt.
    (client.middlewareStack as unknown as Stack).add(
      (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) =>
        async (args: unknown) => {
          const key = operationKey(context);
          attempts.set(key, (attempts.get(key) ?? 0) + 1);
          return next(args);
        },
      { step: 'deserialize', name: 'benchHttpAttempts', override: true },
    );
  });
  return {
    latency,
    log,
    retries: () => {
      const extra: [string, number][] = [];
      for (const [key, n] of attempts) {
        const calls = latency.get(key)?.calls ?? 0;
        if (n > calls) extra.push([key, n - calls]);
      }
      return extra;
    },
    busyMs: () => busyMs + (inFlight > 0 ? performance.now() - busySince : 0),
    stop: remove,
  };
}

/** Peak RSS of this process, sampled every `intervalMs` (and at start and stop). */
export function startMemorySampler(intervalMs = MEMORY_SAMPLE_MS) {
  let peak = process.memoryUsage.rss();
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): number {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

const sorted = <V>(entries: Iterable<[string, V]>): Record<string, V> =>
  Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Runs `fn` with counting on. Clients `fn` (or the code it runs) creates after this starts are
 * counted; make the floor's clients inside `fn` with `createAwsClients()`.
 */
export async function measure<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; measurement: Measurement; callTimes: readonly CallTime[] }> {
  const recorder = startLatencyRecorder();
  const counter = startApiCallCounter();
  const memory = startMemorySampler();
  const started = performance.now();
  let value: T;
  let wallMs: number;
  let peakRssBytes: number;
  try {
    value = await fn();
  } finally {
    wallMs = performance.now() - started;
    peakRssBytes = memory.stop();
    counter.stop();
    recorder.stop();
    resetDefaultAwsClients();
  }
  return {
    value,
    callTimes: recorder.log,
    measurement: {
      wallMs,
      calls: sorted(counter.counts),
      totalCalls: counter.total(),
      byService: sorted(Object.entries(counter.byService())),
      route53ChangeBatches: counter.count(ROUTE53_CHANGE),
      peakRssBytes,
      awsBusyMs: Math.round(recorder.busyMs()),
      retries: sorted(recorder.retries()),
      latency: sorted(
        [...recorder.latency].map(
          ([k, v]) => [k, { calls: v.calls, totalMs: Math.round(v.totalMs) }] as [string, OperationLatency],
        ),
      ),
    },
  };
}
