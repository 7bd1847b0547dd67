import crypto from 'node:crypto';
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import zlib from 'node:zlib';

/**
 * The byte work of storing objects: the sha256 of each object's JSON and the brotli of each pack. For a first
 * capture of 29,000 objects that is ~110 ms of the main thread's ~550 on the 2-core machine, and it needs no
 * JavaScript object, only bytes, so a worker thread does it while the main thread serialises the next pack.
 *
 * The caller stays synchronous (the store writes in one SQLite transaction): `results()` blocks on an Atomics
 * counter the worker bumps after each pack, within a deadline. A worker that fails, dies or misses the deadline is
 * dropped and what it had not answered is done here, from bytes the caller builds again, so nothing waits forever
 * and nothing is lost. A pack's bytes are copied to the worker (~256 KB, tens of microseconds): the caller writes
 * every pack into the same buffer, whose memory is already mapped (fresh memory per pack cost ~100 ms of page
 * faults on a first capture).
 */

export const BROTLI_OPTIONS: zlib.BrotliOptions = {
  params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 19,
  },
};

/** A closed pack: its bytes and where each object lies in them (offset, length, offset, length …). */
export interface PackJob {
  bytes: Buffer;
  bounds: Uint32Array;
}

export interface PackDone {
  /** brotli of the pack's bytes */
  data: Buffer;
  /** 32 bytes per object, in the order of the job's bounds */
  hashes: Buffer;
}

export interface Packer {
  /** Starts the work on a pack (its bytes may be reused once this returns); its answer comes from results(). */
  submit(job: PackJob): void;
  /**
   * The answers to everything submitted since the last call, in order (blocks until they are in). `rebuild(i)`
   * gives the i-th pack's job again, for what a failed worker left unanswered.
   */
  results(rebuild: (index: number) => PackJob): PackDone[];
  /** Forgets what was submitted since the last results() (the intern failed): no later call gets its answers. */
  discard(): void;
  close(): void;
}

/** Does the work on the calling thread: for a few objects, where a worker's round trip would cost more. */
export function inlinePacker(): Packer {
  let done: PackDone[] = [];
  return {
    submit: (job) => done.push(pack(job)),
    results: () => {
      const out = done;
      done = [];
      return out;
    },
    discard: () => {
      done = [];
    },
    close: () => {},
  };
}

/** How long results() waits for the worker before doing the rest itself. */
export const PACKER_DEADLINE_MS = 5_000;

/**
 * A worker thread that packs, started on the first submit (a first capture; recaptures are small and stay inline)
 * and kept for later ones. It never keeps the process alive; close() ends it.
 */
export function workerPacker(
  opts: { deadlineMs?: number; /** tests: a worker that misbehaves */ source?: string } = {},
): Packer {
  const { deadlineMs = PACKER_DEADLINE_MS, source = WORKER_SOURCE } = opts;
  let worker: Worker | undefined;
  let port: MessagePort | undefined;
  let counter: Int32Array | undefined;
  let broken = false;
  let received = 0; // answers taken, over the worker's life (the counter counts the same)
  let submitted = 0; // since the last results()
  let sent = 0; // how many of those went to the worker

  const start = () => {
    try {
      spawn();
    } catch {
      broken = true; // no worker threads here: everything is done inline
    }
  };
  const spawn = () => {
    const channel = new MessageChannel();
    counter = new Int32Array(new SharedArrayBuffer(4));
    const w = new Worker(source, {
      eval: true,
      workerData: { port: channel.port2, counter, options: BROTLI_OPTIONS },
      transferList: [channel.port2],
    });
    w.unref();
    // a worker that throws or exits answers no more: results() notices by its deadline or the flag (a worker
    // ended on purpose by discard() is not this one)
    const gone = () => {
      if (worker === w) broken = true;
    };
    w.on('error', gone);
    w.on('exit', gone);
    worker = w;
    port = channel.port1;
    port.unref();
  };

  const end = () => {
    void worker?.terminate();
    port?.close();
    worker = undefined;
    port = undefined;
  };
  const stop = () => {
    broken = true;
    end();
  };

  return {
    submit(job) {
      submitted++;
      if (broken) return;
      if (!worker) start();
      if (broken) return;
      port!.postMessage(job);
      sent++;
    },
    results(rebuild) {
      const total = submitted;
      submitted = 0;
      const out: PackDone[] = [];
      const until = performance.now() + deadlineMs;
      const asked = sent;
      sent = 0;
      while (out.length < asked) {
        const m = port && receiveMessageOnPort(port);
        if (m) {
          received++;
          const done = m.message as PackDone | { error: string };
          if ('error' in done) {
            stop();
            break;
          }
          // structured clone hands over Uint8Arrays: wrap them, no copy
          const wrap = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
          out.push({ data: wrap(done.data), hashes: wrap(done.hashes) });
          continue;
        }
        const left = until - performance.now();
        if (broken || left <= 0) {
          stop();
          break;
        }
        // the worker bumps the counter after posting each answer: wait until it passes what was taken
        Atomics.wait(counter!, 0, received, Math.min(left, 250));
      }
      for (let i = out.length; i < total; i++) out.push(pack(rebuild(i)));
      return out;
    },
    discard() {
      // answers still on their way would be taken as the next intern's: end this worker, the next intern starts one
      if (sent > 0) {
        end();
        received = 0;
      }
      submitted = 0;
      sent = 0;
    },
    close: stop,
  };
}

function pack(job: PackJob): PackDone {
  const { bytes, bounds } = job;
  const hashes = Buffer.allocUnsafe((bounds.length / 2) * 32);
  for (let i = 0; i < bounds.length; i += 2) {
    const digest = crypto.hash('sha256', bytes.subarray(bounds[i]!, bounds[i]! + bounds[i + 1]!), 'buffer');
    (digest as unknown as Buffer).copy(hashes, (i / 2) * 32);
  }
  return { data: zlib.brotliCompressSync(bytes, BROTLI_OPTIONS), hashes };
}

// the same work as pack() above, in the worker (CommonJS: an eval'd worker has no module of ours to import)
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const zlib = require('node:zlib');
const { port, counter, options } = workerData;
port.on('message', ({ bytes, bounds }) => {
  let answer;
  try {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hashes = Buffer.allocUnsafe((bounds.length / 2) * 32);
    for (let i = 0; i < bounds.length; i += 2)
      crypto.createHash('sha256').update(buf.subarray(bounds[i], bounds[i] + bounds[i + 1])).digest().copy(hashes, (i / 2) * 32);
    const data = zlib.brotliCompressSync(buf, options);
    answer = { data, hashes };
  } catch (err) {
    answer = { error: String(err && err.message || err) };
  }
  port.postMessage(answer);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
`;
