// Small helpers: deterministic randomness, hashing, time stamps, cloning.
import type { Obj } from './types';

/** mulberry32: a small seeded generator, so uids and pod names repeat from run to run */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** k8s.io/apimachinery/pkg/util/rand.String: consonants and digits without vowels or look-alikes */
  string(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += ALPHANUMS[this.int(ALPHANUMS.length)];
    return s;
  }
  private uuidPrefix: string | undefined;
  private uuidCount = 0;
  /** a version-4-shaped UUID: a seeded random prefix and a counter, unique within one generator and cheap to make */
  uuid(): string {
    if (!this.uuidPrefix) {
      let h = '';
      for (let i = 0; i < 20; i++) h += this.int(16).toString(16);
      this.uuidPrefix = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-`;
    }
    return this.uuidPrefix + (this.uuidCount++).toString(16).padStart(12, '0');
  }
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: map each character onto the alphabet above */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with object keys sorted at every level, as Go's encoding/json writes a map[string]interface{} */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : stableStringify(x))).join(',')}]`;
  const keys = Object.keys(v as Obj)
    .filter((k) => (v as Obj)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Obj)[k])}`).join(',')}}`;
}

/** deep copy with keys sorted at every level */
export function sortedCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(sortedCopy);
  const out: Obj = {};
  for (const k of Object.keys(v as Obj).sort())
    if ((v as Obj)[k] !== undefined) out[k] = sortedCopy((v as Obj)[k]);
  return out;
}

/** structural equality of JSON values, ignoring key order (undefined-valued keys count as absent) */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj;
  const bo = b as Obj;
  let na = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    na++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  let nb = 0;
  for (const k in bo) if (bo[k] !== undefined) nb++;
  return na === nb;
}

let isoSecond = -1;
let isoText = '';
/** RFC 3339 with seconds, as metav1.Time serialises (`now`: the store's clock, which a seed may set back) */
export function nowIso(now = Date.now()): string {
  const sec = Math.floor(now / 1000);
  if (sec !== isoSecond) {
    isoSecond = sec;
    isoText = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return isoText;
}

/** RFC 3339 with microseconds, as metav1.MicroTime serialises */
export function nowMicroIso(): string {
  return new Date().toISOString().replace(/Z$/, '000Z');
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function getPath(o: Obj, path: string[]): unknown {
  let cur: unknown = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[p];
  }
  return cur;
}

export function setPath(o: Obj, path: string[], value: unknown): void {
  let cur: Obj = o;
  for (const p of path.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p];
  }
  cur[path[path.length - 1]!] = value;
}
