/**
 * Loopback ports and the child processes that listen on them: free-port picking, waiting for a URL to
 * answer, and spawning servers (Prometheus, Alertmanager) so that they never outlive us — stopped by
 * `stop()`, on process exit, on SIGINT/SIGTERM (installSignalHandlers), and by a small shell watchdog
 * if this process is killed outright (SIGKILL, a test runner's timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** A port nothing listens on right now (the OS picks it; another process may still take it before we do). */
export function freePort(host = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface WaitOptions {
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Checked between attempts: a reason to give up at once (e.g. the process died). */
  abort?: () => string | undefined;
}

/** Calls `probe` until it returns something other than undefined, or fails with the last error after the timeout. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    const reason = opts.abort?.();
    if (reason) throw new Error(`${opts.what}: ${reason}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${opts.what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** GET `url` until it answers 200. */
export function waitForHttpOk(url: string, opts: WaitOptions): Promise<true> {
  return waitFor(async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok ? true : undefined;
  }, opts);
}

export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Exit code (or null when killed by a signal) once it has exited. */
  exitCode(): number | null | undefined;
  /** The last 64 KiB of its stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();
const dirsToRemove = new Set<string>();
let exitHookInstalled = false;

function killAllNow(signal: NodeJS.Signals): void {
  for (const p of live) {
    try {
      process.kill(p.pid, signal);
    } catch {
      // already gone
    }
  }
}

function removeDirsNow(): void {
  for (const dir of dirsToRemove) rmSync(dir, { recursive: true, force: true });
  dirsToRemove.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: signal the children; the watchdogs finish the job.
  process.on('exit', () => {
    killAllNow('SIGKILL');
    removeDirsNow();
  });
}

let signalHandlersInstalled = false;

/**
 * On SIGINT / SIGTERM: kill every child we started, remove registered temporary folders, then — if nobody
 * else listens for that signal — die of it as we would have without the handler.
 */
export function installSignalHandlers(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = () => {
      killAllNow('SIGKILL');
      removeDirsNow();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

/** Removed on exit or on a handled signal unless unregistered first (stop() removes it itself). */
export function registerTempDir(dir: string): () => void {
  installExitHook();
  dirsToRemove.add(dir);
  return () => dirsToRemove.delete(dir);
}

/** Kills `child` (and removes `dir`, if given) when `parent` dies; exits by itself when the child does. */
function startWatchdog(parent: number, child: number, dir: string | undefined): void {
  const script = [
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
    'kill -0 "$1" 2>/dev/null && exit 0',
    'kill -TERM "$2" 2>/dev/null; sleep 2; kill -KILL "$2" 2>/dev/null',
    '[ -n "$3" ] && rm -rf -- "$3"',
    'exit 0',
  ].join('\n');
  const watchdog = spawn(
    'sh',
    ['-c', script, 'firebreak-watchdog', String(parent), String(child), dir ?? ''],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  watchdog.unref();
}

export interface StartProcessOptions {
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** A folder the watchdog removes if we die without stopping the process. */
  watchdogRemoves?: string;
}

export function startProcess(
  command: string,
  args: readonly string[],
  opts: StartProcessOptions,
): ManagedProcess {
  installExitHook();
  // detached: its own process group, so a Ctrl-C in the terminal reaches us, and we stop it in order
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    throw new Error(`could not start ${command}`);
  }
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let code: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (c) => {
      code = c;
      live.delete(managed);
      resolve();
    });
  });
  child.once('error', (err) => {
    tail += `\n${err.message}`;
  });
  const pid = child.pid;
  const managed: ManagedProcess = {
    name: opts.name,
    pid,
    child,
    exitCode: () => code,
    output: () => tail,
    async stop(graceMs = 5_000) {
      if (code !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  live.add(managed);
  startWatchdog(process.pid, pid, opts.watchdogRemoves);
  return managed;
}

/** Runs a command to completion; rejects with its output when it fails. */
export function runCommand(
  command: string,
  args: readonly string[],
  opts: { cwd?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-65_536)));
    child.stderr.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-65_536)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${out}`));
    });
  });
}
