/**
 * Virtual time for the local harness: while a workflow runs in realistic mode, `Date` and the
 * timers (`setTimeout`, `setInterval`) are fake, and time jumps to the next due timer whenever
 * nothing real is in flight. Wait states, retry intervals, task timeouts, the SDK's own backoff and
 * every modeled AWS duration then take virtual time, not wall time: a 25-minute database restore
 * passes in milliseconds, and handlers that read the clock (`ctx.now()`, `new Date()`) see it pass.
 *
 * "Nothing real in flight" is what keeps it honest: every HTTP request (the SDK's to moto, seen on
 * Node's `http.client.request.start` diagnostics channel, until its response is read) and every
 * `fetch` (undici's channels), and any work registered with `realWork`, holds virtual time still
 * until it completes, so a task timeout never fires while the request behind it is still running,
 * and a modeled latency starts only once the real one is over. Concurrent
 * activities (Map iterations, parallel calls in a handler) each wait on their own timers, so
 * overlapping durations overlap in virtual time as they would on AWS.
 *
 * A task's handler runs as an `activity`: it holds virtual time still too, except while it waits
 * on a timer of its own (a modeled latency, the SDK's backoff). Without that, real work nothing
 * reports (a module loaded on first use) would let a Lambda timeout fire in the middle of it.
 *
 * Harness only: product code never imports this; it just reads the time it is given.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import FakeTimers from '@sinonjs/fake-timers';

type InstalledClock = ReturnType<ReturnType<typeof FakeTimers.withGlobal>['install']>;

// Captured before any fake is installed: the driver itself runs on real time.
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;

const turn = () => new Promise<void>((resolve) => realSetImmediate(resolve));
const pause = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

/** The longest delay a Node timer holds. */
const MAX_TIMER_MS = 2_147_483_647;

/** Real event-loop turns with nothing in flight before virtual time may move. */
const SETTLE_TURNS = 3;

/**
 * Real I/O Node has under way that no channel reports (a module's data read with fs.promises,
 * a DNS lookup, a connect): while any is pending, virtual time waits for it too.
 */
const PENDING_IO = /^(FSReq|FileHandle|GetAddrInfo|GetNameInfo|ConnectWrap|CloseReq)/;
const realIoPending = () => process.getActiveResourcesInfo().some((name) => PENDING_IO.test(name));

/** A handler's run: busy unless it waits on one of its own timers. */
interface Activity {
  readonly timers: Set<unknown>;
}

export class VirtualClock {
  private virtualNow: number;
  private clock: InstalledClock | undefined;
  private depth = 0;
  private inFlight = 0;
  private wakeDriver: (() => void) | undefined;
  private driver: Promise<void> | undefined;
  private readonly activityScope = new AsyncLocalStorage<Activity>();
  private readonly activities = new Set<Activity>();

  /** @param start epoch ms at which virtual time starts (default: the real time now). */
  constructor(start: number = Date.now()) {
    this.virtualNow = start;
  }

  /** Virtual epoch ms: moves only while `run` drives it, or by `advance`. */
  now(): number {
    return this.clock ? this.clock.now : this.virtualNow;
  }

  /** True while a `run` has the fakes installed. */
  get running(): boolean {
    return this.clock !== undefined;
  }

  /** Moves virtual time forward between runs (a soak of 45 days, say). */
  advance(ms: number): void {
    if (ms < 0) throw new Error(`virtual time cannot go back (advance ${ms} ms)`);
    if (this.clock) this.clock.tick(ms);
    else this.virtualNow += ms;
  }

  /**
   * Real work virtual time must wait for (an HTTP request to the emulator): while any is in
   * flight, no timer fires.
   */
  async realWork<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.finished();
    }
  }

  /**
   * Runs a handler (or other real code) that virtual time must wait for, except while it sleeps on
   * a timer it set itself.
   */
  async activity<T>(body: () => Promise<T>): Promise<T> {
    if (!this.clock) return body();
    const activity: Activity = { timers: new Set() };
    this.activities.add(activity);
    try {
      return await this.activityScope.run(activity, body);
    } finally {
      this.activities.delete(activity);
    }
  }

  /** Sets up timers that belong to no activity (a Lambda timeout watching a handler). */
  detached<T>(body: () => T): T {
    return this.activityScope.exit(body);
  }

  private busyActivity(): boolean {
    for (const activity of this.activities) if (activity.timers.size === 0) return true;
    return false;
  }

  /** Runs `body` in virtual time; nested and concurrent runs share one installation. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    if (this.depth === 0) this.install();
    this.depth += 1;
    try {
      return await body();
    } finally {
      this.depth -= 1;
      if (this.depth === 0) await this.uninstall();
    }
  }

  private readonly onHttpRequest = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    this.inFlight += 1;
    request.once('close', () => this.finished());
  };
  private readonly onFetchStart = () => {
    this.inFlight += 1;
  };
  private readonly onFetchEnd = () => this.finished();

  private finished(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight === 0) this.wakeDriver?.();
  }

  private subscribe(on: boolean): void {
    const change = on ? diagnostics.subscribe : diagnostics.unsubscribe;
    change('http.client.request.start', this.onHttpRequest);
    change('undici:request:create', this.onFetchStart);
    change('undici:request:trailers', this.onFetchEnd);
    change('undici:request:error', this.onFetchEnd);
  }

  private install(): void {
    // Never start behind real time: resources made between runs carry real timestamps.
    this.virtualNow = Math.max(this.virtualNow, Date.now());
    this.clock = FakeTimers.withGlobal(globalThis).install({
      now: this.virtualNow,
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
      shouldClearNativeTimers: true,
      loopLimit: 10_000_000,
    });
    this.attributeTimers();
    this.subscribe(true);
    this.driver = this.drive(this.clock);
  }

  /**
   * Each timer set inside an activity counts as that activity waiting on virtual time. And a delay
   * longer than a Node timer holds (~24.8 days, where Node fires at once) is waited in full, in
   * steps: a Wait state of 45 days must last 45 days.
   */
  private attributeTimers(): void {
    const fakeSetTimeout = globalThis.setTimeout;
    const fakeClearTimeout = globalThis.clearTimeout;
    const owners = new Map<unknown, Activity>();
    /** The first step's handle → the step now pending. */
    const steps = new Map<unknown, unknown>();
    const scope = this.activityScope;
    globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const activity = scope.getStore();
      let handle: unknown;
      const release = () => {
        activity?.timers.delete(handle);
        owners.delete(handle);
        steps.delete(handle);
      };
      const step = (left: number): unknown =>
        fakeSetTimeout(
          () => {
            if (left > MAX_TIMER_MS) {
              steps.set(handle, step(left - MAX_TIMER_MS));
              return;
            }
            release();
            callback(...args);
          },
          Math.min(left, MAX_TIMER_MS),
        );
      // As Node does: a delay below 1 ms (or not a number) is 1 ms, so a loop that waits for time
      // to pass in fractions of a millisecond (the SDK's adaptive rate limiter) sees it pass.
      const delay = Number(ms);
      handle = step(Number.isFinite(delay) && delay >= 1 ? delay : 1);
      if (activity) {
        activity.timers.add(handle);
        owners.set(handle, activity);
      }
      return handle;
    }) as typeof setTimeout;
    globalThis.clearTimeout = ((timer: Parameters<typeof clearTimeout>[0]) => {
      owners.get(timer)?.timers.delete(timer);
      owners.delete(timer);
      const pending = steps.get(timer);
      steps.delete(timer);
      fakeClearTimeout((pending ?? timer) as Parameters<typeof clearTimeout>[0]);
    }) as typeof clearTimeout;
  }

  private async uninstall(): Promise<void> {
    const clock = this.clock;
    if (!clock) return;
    this.clock = undefined;
    this.wakeDriver?.();
    await this.driver;
    this.subscribe(false);
    this.virtualNow = clock.now;
    clock.uninstall();
  }

  /** Jumps to the next due timer whenever the process is quiet and nothing real is in flight. */
  private async drive(clock: InstalledClock): Promise<void> {
    while (this.clock === clock) {
      let quiet = 0;
      while (quiet < SETTLE_TURNS && this.clock === clock) {
        await turn();
        if (realIoPending() || this.busyActivity()) {
          quiet = 0;
          await pause(1);
          continue;
        }
        quiet = this.inFlight === 0 ? quiet + 1 : 0;
        if (this.inFlight > 0) {
          await new Promise<void>((resolve) => {
            this.wakeDriver = resolve;
            if (this.inFlight === 0 || this.clock !== clock) resolve();
          });
          this.wakeDriver = undefined;
        }
      }
      if (this.clock !== clock) return;
      if (clock.countTimers() > 0) {
        // PENDULUM_VIRTUAL_CLOCK_DEBUG=1 shows each jump: how far, and to what.
        if (process.env.PENDULUM_VIRTUAL_CLOCK_DEBUG) {
          const heap = (clock as unknown as { timerHeap?: { peek(): { callAt: number; func: unknown } } })
            .timerHeap;
          const next = heap?.peek();
          const what = String(next?.func).slice(0, 80).replace(/\s+/g, ' ');
          process.stderr.write(`virtual clock: +${(next?.callAt ?? clock.now) - clock.now} ms to ${what}\n`);
        }
        clock.next();
      }
      // Nothing scheduled: something real we do not track is under way; look again shortly.
      else await pause(1);
    }
  }
}

let shared: VirtualClock | undefined;

/** The process's virtual clock, shared by the runner and the realistic AWS layer. */
export function virtualClock(): VirtualClock {
  shared ??= new VirtualClock();
  return shared;
}

/** Starts a fresh virtual clock (tests that need a known start). */
export function resetVirtualClock(start?: number): VirtualClock {
  shared = new VirtualClock(start);
  return shared;
}
