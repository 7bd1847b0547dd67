/**
 * Where list pages are parsed: in a worker thread when one can be started (listWorker.ts next to this file, or
 * listWorker.js/.cjs next to a bundle), else on this thread. Either way the result is the same (listPage.ts).
 *
 * The worker exists because a cluster's first list is big: 20,000 pods are ~75 MB of JSON and about a second of
 * parsing and garbage collection. In the main process that second is a frozen UI; in the worker it overlaps the
 * next page's download. Pages travel to the worker as transferred bytes (no copy); projected objects come back
 * as structured clones (about a tenth of the size). The worker holds no credentials and makes no requests; it is
 * stopped after a minute without work, and never keeps the process alive.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InventoryKindName, InventoryObjects } from './kinds';
import { BadListPage, parseListPage, type ParsedPage } from './listPage';
import type { PageReply, PageRequest } from './listWorker';

/** pages smaller than this are parsed here: posting them costs more than it saves */
const WORKER_MIN_BYTES = 128 * 1024;
const IDLE_STOP_MS = 60_000;

interface Pending {
  resolve: (page: ParsedPage<unknown>) => void;
  reject: (err: Error) => void;
}

export interface PageParser {
  parse<K extends InventoryKindName>(kind: K, bytes: Buffer): Promise<ParsedPage<InventoryObjects[K]>>;
  /** start what parsing needs now, ahead of the first page */
  warm?(): void;
}

/** On this thread, always. */
export const inThreadParser: PageParser = {
  async parse(kind, bytes) {
    return parseListPage(kind, bytes);
  },
};

class WorkerParser implements PageParser {
  private worker: Worker | null = null;
  private broken = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;

  async parse<K extends InventoryKindName>(kind: K, buf: Buffer): Promise<ParsedPage<InventoryObjects[K]>> {
    if (buf.length < WORKER_MIN_BYTES || this.broken) return parseListPage(kind, buf);
    const worker = this.ensure();
    if (!worker) return parseListPage(kind, buf);
    // only a buffer that owns its whole ArrayBuffer can be transferred (small ones share Node's pool)
    const own = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? buf : Uint8Array.prototype.slice.call(buf);
    const bytes = new Uint8Array(own.buffer, own.byteOffset, own.byteLength);
    if (this.idle) clearTimeout(this.idle);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (p: ParsedPage<unknown>) => void, reject });
      if (this.pending.size === 1) worker.ref();
      const req: PageRequest = { id, kind, bytes };
      worker.postMessage(req, [bytes.buffer as ArrayBuffer]);
    });
  }

  warm(): void {
    if (!this.broken && this.ensure()) this.afterWork();
  }

  private ensure(): Worker | null {
    if (this.worker) return this.worker;
    const spec = workerSpec();
    if (!spec) {
      this.broken = true;
      return null;
    }
    let worker: Worker;
    try {
      worker = new Worker(spec.url, {
        ...(spec.eval ? { eval: true, execArgv: [] } : {}),
        // a young generation that holds a whole page: parsed objects die young instead of being promoted
        resourceLimits: { maxYoungGenerationSizeMb: 64 },
        stdout: false,
        stderr: false,
      });
    } catch {
      this.broken = true;
      return null;
    }
    worker.unref();
    worker.on('message', (reply: PageReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok)
        p.resolve({ items: JSON.parse(reply.items) as unknown[], continue: reply.continue, resourceVersion: reply.resourceVersion });
      else p.reject(new BadListPage(reply.message));
      this.afterWork();
    });
    const fail = (err: unknown) => {
      // a worker that cannot start (or dies) is not used again: pages are parsed on this thread from now on
      this.broken = true;
      this.worker = null;
      const message = err instanceof Error ? err.message : String(err);
      for (const p of this.pending.values()) p.reject(new Error(`the list parser stopped: ${message}`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      if (this.pending.size) fail(new Error(`exit ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private afterWork(): void {
    if (this.pending.size > 0) return;
    this.worker?.unref();
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      const w = this.worker;
      this.worker = null;
      void w?.terminate();
    }, IDLE_STOP_MS);
    this.idle.unref();
  }
}

/** the worker's file beside the bundle (built) or this module (source), and how to start it */
function workerSpec(): { url: URL | string; eval?: boolean } | null {
  for (const name of ['./listWorker.cjs', './listWorker.js']) {
    const url = new URL(name, import.meta.url);
    if (url.protocol === 'file:' && fs.existsSync(fileURLToPath(url))) return { url };
  }
  const ts = new URL('./listWorker.ts', import.meta.url);
  if (ts.protocol !== 'file:' || !fs.existsSync(fileURLToPath(ts))) return null;
  // TypeScript source (development, tests): a worker's entry file is not seen by an inherited loader, so a small
  // bootstrap registers tsx in the worker first, then imports the source
  let api: string;
  try {
    const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
    api = path.join(path.dirname(pkg), 'dist', 'esm', 'api', 'index.mjs');
    if (!fs.existsSync(api)) return null;
  } catch {
    return null;
  }
  const apiUrl = pathToFileURL(api).href;
  return {
    eval: true,
    url: `import(${JSON.stringify(apiUrl)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts.href)}); });`,
  };
}

let shared: WorkerParser | undefined;

/** The process's parser (one worker for every inventory). */
export function pageParser(): PageParser {
  shared ??= new WorkerParser();
  return shared;
}
