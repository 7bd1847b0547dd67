import jsonpatch from 'fast-json-patch';
import type { DiffLine } from '../../shared/actions';

const HIDDEN = '(value hidden)';
const IGNORED = /^\/metadata\/(resourceVersion|generation|managedFields|creationTimestamp|uid)|^\/status\b/;
const MAX_TEXT = 400;

/**
 * Env var values and Secret data never leave main or reach the audit log: any `env[].value` is replaced.
 * Names stay, so a diff still shows that a variable was added or removed.
 */
export function redactSecrets<T>(value: T): T {
  const walk = (v: unknown, key: string | null): unknown => {
    if (Array.isArray(v)) {
      return key === 'env'
        ? v.map((e) => (e && typeof e === 'object' && 'value' in e ? { ...(e as object), value: HIDDEN } : e))
        : v.map((x) => walk(x, null));
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'data' || k === 'stringData') continue; // never carry Secret/ConfigMap payloads
        out[k] = walk(x, k);
      }
      return out;
    }
    return v;
  };
  return walk(value, null) as T;
}

/** What a write will change, path by path, from the object now to what the server's dry run returned. */
export function objectDiff(before: unknown, after: unknown): DiffLine[] {
  const a = redactSecrets(before ?? {}) as object;
  const b = redactSecrets(after ?? {}) as object;
  return jsonpatch
    .compare(a, b)
    .filter((op) => !IGNORED.test(op.path))
    .map((op) => ({
      path: op.path,
      before: op.op === 'add' ? null : show(jsonpatch.getValueByPointer(a, op.path)),
      after: op.op === 'remove' ? null : show((op as { value?: unknown }).value),
    }));
}

function show(v: unknown): string | null {
  if (v === undefined) return null;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
