/**
 * The PATH of the user's login shell.
 *
 * Started from a desktop launcher (Dock, GNOME, KDE), the app inherits a minimal PATH
 * (/usr/bin:/bin), so kubeconfig exec plugins such as `aws eks get-token`, `gke-gcloud-auth-plugin`
 * or `kubelogin` are not found even though they work in a terminal. At start, main asks the login
 * shell for its PATH (`$SHELL -ilc 'printf …"$PATH"…'`, 3 s at most) and merges it into
 * process.env.PATH. Any failure (no shell, a slow or broken rc file, odd output) leaves PATH as it was.
 *
 * Pure Node, no electron import: unit-tested with a fake shell (test/unit/electron/login-shell-path.test.ts).
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const START = '__FIREBREAK_PATH_START__';
const END = '__FIREBREAK_PATH_END__';
const MAX_OUTPUT = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 3000;

/**
 * What the shell runs. The markers let us find the value among whatever an interactive shell's rc
 * files print (banners, `fortune`, prompts). Works in sh, bash, zsh and fish.
 */
export const loginShellCommand = `printf '${START}%s${END}' "$PATH"`;

export interface LoginShellOptions {
  /** The shell to run; default $SHELL, then the account's shell, then /bin/sh. Must be an absolute path. */
  shell?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

function defaultShell(env: NodeJS.ProcessEnv): string {
  if (env.SHELL) return env.SHELL;
  try {
    const { shell } = os.userInfo();
    if (shell) return shell;
  } catch {
    // no passwd entry: fall through
  }
  return '/bin/sh';
}

/** Extracts the PATH printed between the markers; null when absent or implausible. */
export function parseShellOutput(output: string): string | null {
  const start = output.lastIndexOf(START);
  if (start < 0) return null;
  const end = output.indexOf(END, start + START.length);
  if (end < 0) return null;
  const value = output.slice(start + START.length, end);
  if (value === '' || /[\0\r\n]/.test(value)) return null;
  return value;
}

/** Runs the login shell and returns its PATH, or null on any failure or after the timeout. Never throws. */
export function readLoginShellPath(options: LoginShellOptions = {}): Promise<string | null> {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  if (platform === 'win32') return Promise.resolve(null);
  const shell = options.shell ?? defaultShell(env);
  if (!path.isAbsolute(shell)) return Promise.resolve(null);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return new Promise((resolve) => {
    let settled = false;
    let output = '';
    let child: ReturnType<typeof spawn>;

    const finish = (value: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // a grandchild (an rc file's background job) may keep the pipe open: do not wait for it
      child.stdout?.destroy();
      child.unref();
      resolve(value);
    };

    try {
      child = spawn(shell, ['-ilc', loginShellCommand], {
        // No stdin, so an rc file that prompts gets EOF. `detached` puts the shell in its own session
        // (no controlling terminal: an interactive shell started from a terminal cannot grab or stop
        // it) and its own process group, which the timeout kills as a whole.
        stdio: ['ignore', 'pipe', 'ignore'],
        detached: true,
        env: { ...env, FIREBREAK_RESOLVING_SHELL_ENV: '1' },
        windowsHide: true,
      });
    } catch {
      resolve(null);
      return;
    }

    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      finish(null);
    }, timeoutMs);

    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      if (output.length > MAX_OUTPUT) {
        finish(null);
        return;
      }
      const value = parseShellOutput(output);
      if (value !== null) finish(value);
    });
    child.on('error', () => finish(null));
    child.on('close', () => finish(parseShellOutput(output)));
  });
}

/**
 * Merges two PATH lists: the login shell's entries first (the order the user gets in a terminal),
 * then those of the current PATH it lacks. Empty and relative entries (`.`, `bin`) are dropped:
 * a relative PATH entry would make the working directory decide which program runs.
 */
export function mergePathLists(
  preferred: string | null | undefined,
  current: string | null | undefined,
  delimiter: string = path.delimiter,
): string {
  const seen = new Set<string>();
  const merged: string[] = [];
  for (const list of [preferred, current]) {
    for (const entry of (list ?? '').split(delimiter)) {
      if (entry === '' || !path.isAbsolute(entry) || seen.has(entry)) continue;
      seen.add(entry);
      merged.push(entry);
    }
  }
  return merged.join(delimiter);
}

/**
 * Reads the login shell's PATH and merges it into `env.PATH` (process.env by default).
 * Returns whether PATH changed. Never throws, never takes longer than the timeout (plus a little).
 */
export async function applyLoginShellPath(
  env: NodeJS.ProcessEnv = process.env,
  options: Omit<LoginShellOptions, 'env'> = {},
): Promise<boolean> {
  const shellPath = await readLoginShellPath({ ...options, env });
  if (shellPath === null) return false;
  const merged = mergePathLists(shellPath, env.PATH);
  if (merged === '' || merged === env.PATH) return false;
  env.PATH = merged;
  return true;
}
