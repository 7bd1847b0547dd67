/**
 * Credential (exec) plugins — `aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin` — run with a deadline
 * and never left behind. client-node's own ExecAuth spawns the plugin with no time limit and never kills it: a
 * plugin that hangs (a login waiting for a browser nobody sees) leaves every request waiting for good and one
 * process per attempt. Here each plugin runs in its own process group (detached), so on timeout, disconnect,
 * context switch or quit the plugin and everything it started are killed together.
 *
 * One run is shared by the requests that need the same credential at once (an inventory starts ~10 watches
 * together), and a credential with an expiry is reused until it expires, as client-go does. After a timeout
 * or a missing plugin nothing is spawned again until the user asks (retry()): a login that timed out would
 * otherwise pop up again every 30 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';

export const DEFAULT_PLUGIN_TIMEOUT_MS = 60_000;
const MAX_STDOUT = 1024 * 1024;
const MAX_STDERR = 64 * 1024;
/** after the plugin exits, how long its stdout may stay open (a child it left holding the pipe) */
const EXIT_GRACE_MS = 2_000;
/** between SIGTERM and SIGKILL */
const KILL_GRACE_MS = 1_000;

interface ExecConfig {
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  apiVersion: string;
  provideClusterInfo: boolean;
}

interface ExecCredential {
  status: {
    token?: string;
    clientCertificateData?: string;
    clientKeyData?: string;
    expirationTimestamp?: string;
  };
}

/** The user entry as client-node hands it to an authenticator (only what this module reads). */
interface KubeUser {
  name: string;
  exec?: unknown;
  authProvider?: { name?: string; config?: { exec?: unknown } } | null;
}

export interface PendingPlugin {
  command: string;
  startedAt: number;
  timeoutMs: number;
}

// every plugin process group still running, whoever started it: killed at quit even if nobody stops them
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' runs no timers: kill at once
    process.once('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
}

/** Kills every running plugin and what it started (the app is quitting). */
export function stopAllExecPlugins(): void {
  for (const c of [...live]) terminate(c);
}

/** How many plugin processes are running (tests). */
export function runningExecPlugins(): number {
  return live.size;
}

export interface ExecCredentialsOptions {
  /** the deadline of the context the KubeConfig is switched to */
  timeoutMs: () => number;
  /** the cluster the KubeConfig is switched to, for plugins that ask for it (provideClusterInfo) */
  cluster?: () => Record<string, unknown> | null;
  now?: () => number;
}

/** The authenticator that replaces client-node's ExecAuth in a KubeConfig. */
export class ExecCredentials {
  private readonly cache = new Map<string, ExecCredential>();
  private readonly inflight = new Map<string, { promise: Promise<ExecCredential>; pending: PendingPlugin }>();
  private readonly failures = new Map<string, AppError>();
  private readonly children = new Set<ChildProcess>();
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly opts: ExecCredentialsOptions) {
    this.now = opts.now ?? Date.now;
  }

  isAuthProvider(user: KubeUser | null | undefined): boolean {
    if (!user) return false;
    if (user.exec) return true;
    const ap = user.authProvider;
    return !!ap && (ap.name === 'exec' || !!ap.config?.exec);
  }

  async applyAuthentication(user: KubeUser, opts: https.RequestOptions): Promise<void> {
    const raw = user.exec ?? user.authProvider?.config?.exec;
    if (!raw) return;
    const credential = await this.credential(user.name, parseExec(raw, user.name));
    const { status } = credential;
    if (status.clientCertificateData) opts.cert = status.clientCertificateData;
    if (status.clientKeyData) opts.key = status.clientKeyData;
    if (status.token) opts.headers = { ...opts.headers, Authorization: `Bearer ${status.token}` };
  }

  /** The plugin being waited on, if any (so a view can say what it waits for instead of blaming the network). */
  pending(): PendingPlugin | null {
    const first = this.inflight.values().next();
    return first.done ? null : first.value.pending;
  }

  /** Forgets a timeout or missing plugin, so the next request runs the plugin again ("Retry"). */
  retry(): void {
    this.failures.clear();
  }

  /** Kills this KubeConfig's running plugins (disconnect, context switch); later requests fail at once. */
  stop(): void {
    this.stopped = true;
    for (const c of this.children) terminate(c);
  }

  private credential(userName: string, exec: ExecConfig): Promise<ExecCredential> {
    if (this.stopped) return Promise.reject(stoppedError(exec.command));
    const key = `${userName}\u0000${JSON.stringify(exec)}`;
    const cached = this.cache.get(key);
    const expires = cached?.status.expirationTimestamp ? Date.parse(cached.status.expirationTimestamp) : NaN;
    if (cached && expires > this.now()) return Promise.resolve(cached);
    this.cache.delete(key);
    const failed = this.failures.get(key);
    if (failed) return Promise.reject(failed);
    const running = this.inflight.get(key);
    if (running) return running.promise;

    const timeoutMs = this.opts.timeoutMs();
    const pending = { command: exec.command, startedAt: this.now(), timeoutMs };
    const promise = runPlugin(exec, {
      timeoutMs,
      cluster: exec.provideClusterInfo ? (this.opts.cluster?.() ?? null) : null,
      onSpawn: (child) => this.children.add(child),
      onDone: (child) => this.children.delete(child),
      stopped: () => this.stopped,
    }).then(
      (cred) => {
        this.inflight.delete(key);
        if (cred.status.expirationTimestamp) this.cache.set(key, cred);
        return cred;
      },
      (err: unknown) => {
        this.inflight.delete(key);
        if (err instanceof PluginError && err.sticky) this.failures.set(key, err);
        throw err;
      },
    );
    this.inflight.set(key, { promise, pending });
    return promise;
  }
}

/** A plugin failure; `sticky` ones (timeout, not found) are not retried until asked. */
class PluginError extends AppError {
  constructor(
    message: string,
    hint: string,
    readonly sticky: boolean,
    details: Record<string, unknown>,
  ) {
    super('CLUSTER_AUTH_FAILED', message, hint, { ...details, credentialPlugin: true });
  }
}

function stoppedError(command: string): AppError {
  return new PluginError(
    `The credential plugin \`${command}\` was stopped: the connection was closed.`,
    'Connect again to run it.',
    false,
    { plugin: command, reason: 'stopped' },
  );
}

/**
 * Replaces client-node's ExecAuth in `kc` with an ExecCredentials (client-node tries its built-in authenticators
 * first, so adding ours as a custom one would never be reached).
 */
export function installExecCredentials(kc: KubeConfig, opts: ExecCredentialsOptions): ExecCredentials {
  const auth = new ExecCredentials(opts);
  const holder = kc as unknown as { authenticators?: unknown[] };
  const list = holder.authenticators;
  const at = Array.isArray(list) ? list.findIndex((a) => a?.constructor?.name === 'ExecAuth') : -1;
  if (!list || at < 0) {
    // a client-node upgrade moved it: fail loudly (a test checks this) rather than run plugins with no deadline
    throw new AppError(
      'INTERNAL',
      'The credential plugin runner could not be installed.',
      'This is a bug in Firebreak (client-node changed); report it.',
    );
  }
  list[at] = auth;
  installed.set(kc, auth);
  return auth;
}

const installed = new WeakMap<KubeConfig, ExecCredentials>();

/** The plugin runner of a KubeConfig made by loadKubeConfig. */
export function execCredentialsOf(kc: KubeConfig): ExecCredentials | undefined {
  return installed.get(kc);
}

function parseExec(raw: unknown, userName: string): ExecConfig {
  const e = (raw ?? {}) as Record<string, unknown>;
  const bad = (what: string) =>
    new AppError(
      'KUBECONFIG_MALFORMED',
      `The exec credential plugin of user "${userName}" in the kubeconfig is malformed: ${what}.`,
      'Regenerate the entry (for example `aws eks update-kubeconfig`), or fix users[].user.exec.',
      { user: userName },
    );
  if (typeof e.command !== 'string' || e.command.trim() === '') throw bad('it names no command');
  const args = e.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    throw bad('args is not a list of strings');
  const env = e.env ?? [];
  if (
    !Array.isArray(env) ||
    !env.every(
      (v) =>
        v &&
        typeof (v as { name?: unknown }).name === 'string' &&
        typeof (v as { value?: unknown }).value === 'string',
    )
  )
    throw bad('env is not a list of name/value strings');
  return {
    command: e.command,
    args: args as string[],
    env: env as ExecConfig['env'],
    apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : 'client.authentication.k8s.io/v1beta1',
    provideClusterInfo: e.provideClusterInfo === true,
  };
}

interface RunOptions {
  timeoutMs: number;
  cluster: Record<string, unknown> | null;
  onSpawn: (child: ChildProcess) => void;
  onDone: (child: ChildProcess) => void;
  stopped: () => boolean;
}

function runPlugin(exec: ExecConfig, opts: RunOptions): Promise<ExecCredential> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const { name, value } of exec.env) env[name] = value;
  // what client-go tells a plugin; no terminal here, so it must not prompt
  env.KUBERNETES_EXEC_INFO = JSON.stringify({
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, ...(opts.cluster ? { cluster: opts.cluster } : {}) },
  });
  const searched = env.PATH ?? '';
  const seconds = Math.round(opts.timeoutMs / 1000);

  return new Promise<ExecCredential>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(exec.command, exec.args, {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        // its own process group: process.kill(-pid) reaches whatever it starts (a browser helper, a daemon)
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (err) {
      reject(spawnError(exec.command, err, searched));
      return;
    }
    track(child);
    opts.onSpawn(child);
    let stdout = '';
    let stderr = '';
    let settled = false;
    let exitTimer: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, value?: ExecCredential) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (exitTimer) clearTimeout(exitTimer);
      if (err) reject(err);
      else resolve(value!);
    };
    const release = () => {
      live.delete(child);
      opts.onDone(child);
    };
    const deadline = setTimeout(() => {
      terminate(child);
      finish(
        new PluginError(
          `The credential plugin \`${exec.command}\` did not finish in ${seconds} s.`,
          'If it waits for a login (a browser window, a device code, an MFA prompt), complete it and retry. Firebreak stopped the plugin and everything it started. For slow logins, give this context more time: in the kubeconfig, add to the context `extensions: [{name: firebreak, extension: {credentialPluginTimeoutSeconds: 180}}]`.',
          true,
          { plugin: exec.command, reason: 'timeout', timeoutS: seconds },
        ),
      );
    }, opts.timeoutMs);
    deadline.unref?.();

    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      stdout += d;
      if (stdout.length > MAX_STDOUT) {
        terminate(child);
        finish(
          new PluginError(
            `The credential plugin \`${exec.command}\` printed more than ${MAX_STDOUT >> 20} MiB.`,
            'Run it by hand to see what it prints; it should print one ExecCredential.',
            false,
            { plugin: exec.command, reason: 'output' },
          ),
        );
      }
    });
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < MAX_STDERR) stderr += d;
    });
    child.on('error', (err) => {
      release();
      finish(spawnError(exec.command, err, searched));
    });
    child.on('exit', () => {
      // a child it left behind may hold stdout open: do not wait on it for ever
      exitTimer = setTimeout(() => {
        terminate(child);
        done(child.exitCode);
      }, EXIT_GRACE_MS);
      exitTimer.unref?.();
    });
    child.on('close', (code) => {
      release();
      done(code);
    });
    const done = (code: number | null) => {
      if (settled) return;
      if (opts.stopped()) return finish(stoppedError(exec.command));
      if (code !== 0) {
        const said = firstLine(stderr);
        return finish(
          new PluginError(
            `The credential plugin \`${exec.command}\` failed (${code === null ? 'killed' : `exit code ${code}`})${said ? `: ${said}` : '.'}`,
            'Run the same command in a terminal to see why; usually you need to log in again (for example `aws sso login`, `gcloud auth login`), then retry.',
            false,
            { plugin: exec.command, reason: 'exit', exitCode: code },
          ),
        );
      }
      try {
        finish(null, credentialFrom(stdout, exec.command));
      } catch (err) {
        finish(err as Error);
      }
    };
  });
}

function credentialFrom(stdout: string, command: string): ExecCredential {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    parsed = null;
  }
  const status = (parsed as { status?: unknown } | null)?.status as ExecCredential['status'] | undefined;
  const str = (v: unknown) => v === undefined || typeof v === 'string';
  if (
    !status ||
    typeof status !== 'object' ||
    !str(status.token) ||
    !str(status.clientCertificateData) ||
    !str(status.clientKeyData) ||
    !str(status.expirationTimestamp) ||
    (!status.token && !(status.clientCertificateData && status.clientKeyData))
  ) {
    throw new PluginError(
      `The credential plugin \`${command}\` did not print an ExecCredential with a token or a client certificate.`,
      'Run it by hand: it should print JSON with status.token (or status.clientCertificateData and clientKeyData).',
      false,
      { plugin: command, reason: 'output' },
    );
  }
  return { status };
}

function spawnError(command: string, err: unknown, searched: string): AppError {
  const code = (err as { code?: unknown })?.code;
  const hasPath = command.includes('/') || command.includes(path.sep);
  if (code === 'ENOENT') {
    return new PluginError(
      hasPath
        ? `The credential plugin \`${command}\` was not found at that path.`
        : `The credential plugin \`${command}\` was not found on the PATH (searched: ${searched || '(empty PATH)'}).`,
      `Install \`${path.basename(command)}\` (aws CLI, gke-gcloud-auth-plugin, kubelogin …) or put the folder it is in on your login shell's PATH, then retry. Firebreak reads the login shell's PATH at start: restart it after changing the PATH.`,
      true,
      { plugin: command, reason: 'not-found', path: searched },
    );
  }
  if (code === 'EACCES') {
    return new PluginError(
      `The credential plugin \`${command}\` cannot be run (permission denied).`,
      `Make it executable (chmod +x), then retry.`,
      true,
      { plugin: command, reason: 'not-executable' },
    );
  }
  return new PluginError(
    `The credential plugin \`${command}\` could not be started${typeof code === 'string' ? ` (${code})` : ''}.`,
    'Check the exec command in the kubeconfig, then retry.',
    false,
    { plugin: command, reason: 'spawn' },
  );
}

function firstLine(s: string): string {
  return (s.trim().split('\n')[0] ?? '').slice(0, 200);
}

/** SIGTERM to the whole group, then SIGKILL if it is still there. */
function terminate(child: ChildProcess): void {
  if (!killGroup(child, 'SIGTERM')) return;
  setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref?.();
}

/** Signals the plugin's process group; false when it is gone. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  const pid = child.pid;
  if (pid === undefined) return false;
  try {
    if (process.platform === 'win32') {
      // no process groups: taskkill /T walks the tree
      spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
        'error',
        () => {},
      );
    } else process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}
