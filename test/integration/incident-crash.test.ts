import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../main/store';

const root = path.resolve(import.meta.dirname, '..', '..');
const loop = path.join(root, 'test/fixtures/incident/capture-loop.ts');

/** Runs the capture loop (node itself, not the tsx wrapper, so SIGKILL reaches the writer) until it has acknowledged a few captures, then kills it with SIGKILL after a random delay. */
function runAndKill(file: string, extraMs: number): Promise<{ capture: number; audit: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', loop, file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = { capture: 0, audit: 0 };
    let buf = '';
    let armed = false;
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        const m = /^ack (\d+) (\d+)$/.exec(l);
        if (m) last = { capture: Number(m[1]), audit: Number(m[2]) };
      }
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`the loop exited by itself (${code}): ${err.slice(0, 500)}`));
    });
  });
}

describe('the flight recorder survives kill -9', () => {
  it('20 kills at random moments: integrity_check passes, the audit chain verifies, nothing acknowledged is lost', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-crash-'));
    const file = path.join(dir, 'store.sqlite');
    openStore(file).close();
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20; i++) {
      const acked = await runAndKill(file, Math.floor(rand() * 400));
      const db = new Database(file);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const captures = db.prepare('SELECT max(id) FROM captures').pluck().get() as number;
        const audit = db.prepare('SELECT max(seq) FROM audit_log').pluck().get() as number;
        expect(captures).toBeGreaterThanOrEqual(acked.capture);
        expect(audit).toBeGreaterThanOrEqual(acked.audit);
        // a capture and its audit entry commit together: never one without the other
        expect(audit).toBe(captures);
      } finally {
        db.close();
      }
      const store = openStore(file);
      expect(store.audit.verify()).toMatchObject({ ok: true });
      store.close();
    }
  }, 240_000);
});
