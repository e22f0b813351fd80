/**
 * moto (https://github.com/getmoto/moto) in server mode: our local AWS for tests, `--local` and the rehearsal.
 *
 * `startMotoServer()` picks a free port on 127.0.0.1, starts `.venv/bin/python` running `moto.server` in its
 * own process group, waits until `/moto-api/` answers and hands back a handle that can reset and stop it.
 *
 * No orphans: the server is stopped by `stop()`, by a process 'exit' hook, and — for the cases where Node dies
 * without running hooks (SIGKILL, an unhandled signal) — by a watchdog thread inside the Python process
 * that exits as soon as its stdin pipe from us reaches EOF.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resetMotoGapAdapters } from './moto-gaps';
import { REPO_ROOT, venvPython } from './repo-root';

export interface MotoServer {
  /** `http://127.0.0.1:PORT` — use as AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly port: number;
  /** Process id of the Python process (also its process group id). */
  readonly pid: number;
  /** Forget every resource in every region and account (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Kill the server's process group and wait for it to exit. Safe to call more than once. */
  stop(): Promise<void>;
  /** The last lines moto wrote to stderr (its request log and any tracebacks). */
  stderrTail(): string;
}

export interface StartMotoServerOptions {
  /** Port on 127.0.0.1; default: a free one chosen by the OS. */
  port?: number;
  /** Directory holding `.venv/` (default: the repository root). */
  cwd?: string;
  /** How long to wait for `/moto-api/` to answer (default 20 s). */
  startTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const STDERR_LINES_KEPT = 40;
const STDERR_LINES_SHOWN = 15;

/**
 * Runs moto.server's own `main()` after starting a daemon thread that ends the process when stdin closes,
 * i.e. when the Node process that started it is gone, whatever the way it died.
 */
const PYTHON_LAUNCHER = [
  'import os, sys, threading',
  'def _watch_parent():',
  '    try:',
  '        while sys.stdin.buffer.read(65536):',
  '            pass',
  '    finally:',
  '        os._exit(0)',
  'threading.Thread(target=_watch_parent, daemon=True).start()',
  'from moto.server import main',
  'main(sys.argv[1:])',
].join('\n');

const liveServers = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveServers) killGroup(child, 'SIGKILL');
    liveServers.clear();
  });
}

/** A port the OS considers free right now on 127.0.0.1. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `cannot start moto: port ${port} on ${HOST} is already in use`
            : `cannot start moto: port ${port} on ${HOST} is not usable (${error.message})`,
        ),
      );
    });
    server.listen(port, HOST, () => server.close(() => resolve()));
  });
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startMotoServer(opts: StartMotoServerOptions = {}): Promise<MotoServer> {
  const cwd = opts.cwd ?? REPO_ROOT;
  const python = venvPython(cwd);
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  let port: number;
  if (opts.port !== undefined) {
    await assertPortFree(opts.port);
    port = opts.port;
  } else {
    port = await findFreePort();
  }
  const endpoint = `http://${HOST}:${port}`;

  const child = spawn(python, ['-c', PYTHON_LAUNCHER, '-H', HOST, '-p', String(port)], {
    cwd,
    detached: true,
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  installExitHook();
  liveServers.add(child);

  const stderrLines: string[] = [];
  let partialLine = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const lines = (partialLine + chunk).split('\n');
    partialLine = lines.pop() ?? '';
    stderrLines.push(...lines);
    if (stderrLines.length > STDERR_LINES_KEPT) stderrLines.splice(0, stderrLines.length - STDERR_LINES_KEPT);
  });
  const stderrTail = (lines = STDERR_LINES_KEPT): string =>
    [...stderrLines, ...(partialLine ? [partialLine] : [])].slice(-lines).join('\n');

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      liveServers.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) {
        exitInfo = { code: null, signal: null };
        liveServers.delete(child);
        resolve();
      }
    });
  });
  // The caller may forget stop(): never let the server keep Node alive (the 'exit' hook then kills it).
  child.unref();
  unrefStream(child.stdin);
  unrefStream(child.stderr);

  const stop = async (): Promise<void> => {
    if (exitInfo) return;
    child.ref();
    killGroup(child, 'SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!killed) {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    child.unref();
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exitInfo || spawnError) {
      await stop();
      const how = spawnError
        ? `could not be started (${spawnError.message})`
        : `exited early (code ${exitInfo?.code}, signal ${exitInfo?.signal})`;
      const tail = stderrTail(STDERR_LINES_SHOWN);
      const portHint = /address already in use/i.test(tail)
        ? ` — port ${port} on ${HOST} is already in use`
        : '';
      throw new Error(`moto server ${how}${portHint}.\nLast stderr lines:\n${tail || '(none)'}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `moto server did not answer on ${endpoint}/moto-api/ within ${startTimeoutMs} ms.\n` +
          `Last stderr lines:\n${stderrTail(STDERR_LINES_SHOWN) || '(none)'}`,
      );
    }
    await sleep(100);
  }

  return {
    endpoint,
    port,
    pid: child.pid as number,
    stop,
    stderrTail: () => stderrTail(),
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      const body = await response.text();
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status} ${body.slice(0, 300)}`);
      resetMotoGapAdapters();
    },
  };
}
