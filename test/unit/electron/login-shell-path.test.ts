import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyLoginShellPath,
  loginShellCommand,
  mergePathLists,
  parseShellOutput,
  readLoginShellPath,
} from '../../../main/electron/loginShellPath';

const posix = process.platform !== 'win32';
let dir: string;

/** A fake login shell: a POSIX script that checks its flags, then behaves as `body` says. */
function fakeShell(name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    [
      '#!/bin/sh',
      // a login shell is asked for -ilc and one command
      '[ "$1" = "-ilc" ] || { echo "bad flags: $1" >&2; exit 64; }',
      body,
      '',
    ].join('\n'),
  );
  fs.chmodSync(file, 0o755);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'firebreak-shell-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('parseShellOutput', () => {
  it('finds the PATH between the markers among rc-file noise', () => {
    const out = `Welcome to host!\n__FIREBREAK_PATH_START__/opt/a:/usr/bin__FIREBREAK_PATH_END__`;
    expect(parseShellOutput(out)).toBe('/opt/a:/usr/bin');
  });
  it('refuses missing markers, empty and multi-line values', () => {
    expect(parseShellOutput('/usr/bin:/bin')).toBeNull();
    expect(parseShellOutput('__FIREBREAK_PATH_START__/usr/bin')).toBeNull();
    expect(parseShellOutput('__FIREBREAK_PATH_START____FIREBREAK_PATH_END__')).toBeNull();
    expect(parseShellOutput('__FIREBREAK_PATH_START__/a\n/b__FIREBREAK_PATH_END__')).toBeNull();
  });
  it('runs printf with the PATH', () => {
    expect(loginShellCommand).toMatch(/^printf '.*%s.*' "\$PATH"$/);
  });
});

describe('mergePathLists', () => {
  it("puts the login shell's entries first and keeps the rest of the current PATH", () => {
    expect(mergePathLists('/home/u/.local/bin:/usr/local/bin:/usr/bin', '/usr/bin:/bin:/snap/bin', ':')).toBe(
      '/home/u/.local/bin:/usr/local/bin:/usr/bin:/bin:/snap/bin',
    );
  });
  it('drops empty, relative and duplicate entries', () => {
    expect(mergePathLists('/a::.:bin:/a', ':/b:./x:/b', ':')).toBe('/a:/b');
  });
  it('copes with nothing on either side', () => {
    expect(mergePathLists(null, '/usr/bin', ':')).toBe('/usr/bin');
    expect(mergePathLists('/usr/bin', undefined, ':')).toBe('/usr/bin');
    expect(mergePathLists(undefined, undefined, ':')).toBe('');
  });
});

describe.runIf(posix)('readLoginShellPath with a fake shell', () => {
  it('runs the command in the shell and returns its PATH, ignoring banners', async () => {
    const shell = fakeShell(
      'good-shell',
      [
        'echo "Last login: today"',
        'PATH="/opt/cloud/bin:/usr/local/bin:/usr/bin"',
        'export PATH',
        'eval "$2"',
      ].join('\n'),
    );
    expect(await readLoginShellPath({ shell, env: { PATH: '/usr/bin:/bin' } })).toBe(
      '/opt/cloud/bin:/usr/local/bin:/usr/bin',
    );
  });

  it('passes the environment through and marks it', async () => {
    const shell = fakeShell(
      'env-shell',
      'PATH="/opt/$FIREBREAK_TEST_DIR:$FIREBREAK_RESOLVING_SHELL_ENV"; export PATH; eval "$2"',
    );
    expect(await readLoginShellPath({ shell, env: { PATH: '/usr/bin:/bin', FIREBREAK_TEST_DIR: 'x' } })).toBe(
      '/opt/x:1',
    );
  });

  it('gives up after the timeout, killing the shell', async () => {
    const pidFile = path.join(dir, 'slow.pid');
    const shell = fakeShell('slow-shell', `echo $$ > "${pidFile}"; sleep 30; eval "$2"`);
    const started = Date.now();
    expect(await readLoginShellPath({ shell, timeoutMs: 300, env: { PATH: '/usr/bin:/bin' } })).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    await new Promise((r) => setTimeout(r, 100));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('returns null when the shell fails, prints nothing useful, or does not exist', async () => {
    const env = { PATH: '/usr/bin:/bin' };
    expect(await readLoginShellPath({ shell: fakeShell('failing-shell', 'exit 1'), env })).toBeNull();
    expect(
      await readLoginShellPath({ shell: fakeShell('noisy-shell', 'echo "/usr/bin:/bin"'), env }),
    ).toBeNull();
    expect(await readLoginShellPath({ shell: path.join(dir, 'no-such-shell'), env })).toBeNull();
    expect(await readLoginShellPath({ shell: 'relative-shell', env })).toBeNull();
  });

  it.runIf(fs.existsSync('/bin/sh'))('works with a real /bin/sh login shell', async () => {
    const value = await readLoginShellPath({ shell: '/bin/sh' });
    expect(value).toMatch(/^\//);
  });

  it('does nothing on Windows', async () => {
    const shell = fakeShell('unused-shell', 'eval "$2"');
    expect(await readLoginShellPath({ shell, platform: 'win32', env: { PATH: '/usr/bin' } })).toBeNull();
  });

  it('uses $SHELL by default', async () => {
    const shell = fakeShell('default-shell', 'PATH="/from/shell/env"; export PATH; eval "$2"');
    expect(await readLoginShellPath({ env: { SHELL: shell, PATH: '/usr/bin:/bin' } })).toBe(
      '/from/shell/env',
    );
  });
});

describe.runIf(posix)('applyLoginShellPath', () => {
  it('merges the login PATH into the environment', async () => {
    const shell = fakeShell('apply-shell', 'PATH="/opt/aws/bin:/usr/bin"; export PATH; eval "$2"');
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', SHELL: shell };
    expect(await applyLoginShellPath(env)).toBe(true);
    expect(env.PATH).toBe('/opt/aws/bin:/usr/bin:/bin');
  });

  it('leaves PATH alone when the shell fails', async () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', SHELL: fakeShell('broken-shell', 'exit 3') };
    expect(await applyLoginShellPath(env)).toBe(false);
    expect(env.PATH).toBe('/usr/bin:/bin');
  });
});
