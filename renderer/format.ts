import type { ModelServerKind, ModelService } from '../shared/models';
import { formatDateTime } from './time';

/** Shown wherever a value is unknown (no metrics, no traffic). */
export const NONE = '—';

/** Compact positive number: 0.42, 3.50, 35.0, 350, 1.2k, 12.3k, 123k, 1.2M. */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return NONE;
  const sign = value < 0 ? '-' : '';
  const v = Math.abs(value);
  if (v === 0) return '0';
  if (v < 0.01) return `${sign}<0.01`;
  if (v < 10) return sign + v.toFixed(2);
  if (v < 100) return sign + v.toFixed(1);
  if (v < 999.5) return sign + v.toFixed(0);
  const units: Array<[number, string]> = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (v >= size * 0.9995) {
      const scaled = v / size;
      return sign + (scaled < 99.95 ? scaled.toFixed(1) : scaled.toFixed(0)) + unit;
    }
  }
  return sign + v.toFixed(0);
}

/** Requests per second: `1.2k/s`; null (no metrics) shows a dash. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return `${formatCompact(value)}/s`;
}

/** A 0..1 ratio as a percentage: 0%, <0.01%, 0.35%, 5.12%, 25.1%, 100%. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return NONE;
  const pct = ratio * 100;
  if (pct === 0) return '0%';
  if (pct < 0.01) return '<0.01%';
  if (pct < 10) return `${pct.toFixed(2)}%`;
  if (pct < 99.95) return `${pct.toFixed(1)}%`;
  return `${pct.toFixed(0)}%`;
}

export type Severity = 'ok' | 'warning' | 'critical' | 'none';

export const ERROR_RATIO_WARNING = 0.01;
export const ERROR_RATIO_CRITICAL = 0.05;

export function errorRatioSeverity(ratio: number | null | undefined): Severity {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return 'none';
  if (ratio >= ERROR_RATIO_CRITICAL) return 'critical';
  if (ratio >= ERROR_RATIO_WARNING) return 'warning';
  return 'ok';
}

/** Red when fewer replicas are ready than wanted; amber when scaled to zero. */
export function replicaSeverity(replicas: { ready: number; desired: number }): Severity {
  if (replicas.desired === 0) return 'warning';
  if (replicas.ready < replicas.desired) return 'critical';
  return 'ok';
}

export function replicaTitle(replicas: { ready: number; desired: number }): string {
  if (replicas.desired === 0) return 'Scaled to zero: no replicas wanted';
  if (replicas.ready < replicas.desired)
    return `${replicas.desired - replicas.ready} of ${replicas.desired} replicas not ready`;
  return `All ${replicas.desired} replicas ready`;
}

/** "updated 5 s ago" */
export function formatAgo(thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** `2025-11-23 13:04:05 UTC` in the zone chosen in the top bar (renderer/time.ts); invalid input as it came. */
export function formatTimestamp(at: string | number): string {
  return formatDateTime(at);
}

/** `13:04:05 UTC`: the time of day alone, with its zone, where the date is plain from the context. */
export function formatClock(at: string | number): string {
  return formatDateTime(at, undefined, { date: false });
}

export interface ImageParts {
  /** a KServe model given by format and storage URI (`huggingface @ s3://…`), not a container image */
  modelSource?: { format: string; storageUri: string };
  /** registry and path, e.g. `nvcr.io/nvidia/tritonserver` */
  repository: string;
  /** tag (`24.05-py3`), or `latest` when the reference has neither tag nor digest */
  tag: string | null;
  /** `sha256:…` when pinned by digest */
  digest: string | null;
}

/** Splits an image reference; a `:` inside the registry host (a port) is not a tag. */
export function splitImage(image: string): ImageParts {
  const source = /^(\S+) @ (\S+)$/.exec(image.trim());
  if (source) {
    return {
      modelSource: { format: source[1]!, storageUri: source[2]! },
      repository: '',
      tag: null,
      digest: null,
    };
  }
  let rest = image.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1) || null;
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  let tag: string | null = null;
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1) || null;
    rest = rest.slice(0, lastColon);
  }
  if (!tag && !digest) tag = 'latest';
  return { repository: rest, tag, digest };
}

/** `sha256:0123456789ab` (12 hex digits are what people compare by eye). */
export function shortDigest(digest: string): string {
  const [algo, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest];
  const short = (hex ?? '').slice(0, 12);
  return algo ? `${algo}:${short}` : short;
}

const serverLabels: Record<ModelServerKind, string> = {
  vllm: 'vLLM',
  triton: 'Triton',
  kserve: 'KServe',
  knative: 'Knative',
  torchserve: 'TorchServe',
  mlserver: 'MLServer',
  rayserve: 'Ray Serve',
  generic: 'HTTP',
};

export function serverLabel(kind: ModelServerKind): string {
  return serverLabels[kind] ?? kind;
}

/**
 * An audit entry's details on one line: `prometheus.url=http://… prometheus.auth=none`. Text only; the
 * values came from the store and are shown as text, never markup.
 */
export function summarizeDetails(details: Record<string, unknown>, maxLength = 400): string {
  const parts: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (parts.join(' ').length > maxLength) return;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0 && path) parts.push(`${path}={}`);
      for (const [k, v] of entries) walk(v, path ? `${path}.${k}` : k);
      return;
    }
    const shown = value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${path}=${shown}`);
  };
  walk(details, '');
  const line = parts.join('  ');
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

// ---------- the model table: sort and filter ----------

export type ModelSortKey =
  'name' | 'server' | 'workload' | 'replicas' | 'health' | 'image' | 'requestRate' | 'errorRatio';
export type SortDir = 'asc' | 'desc';
export interface ModelSort {
  key: ModelSortKey;
  dir: SortDir;
}

export const DEFAULT_MODEL_SORT: ModelSort = { key: 'errorRatio', dir: 'desc' };

/** First click on a numeric column sorts the worst (largest) first; on a text column A→Z. */
export function defaultDir(key: ModelSortKey): SortDir {
  return key === 'requestRate' || key === 'errorRatio' || key === 'replicas' || key === 'health'
    ? 'desc'
    : 'asc';
}

export function nextSort(current: ModelSort, key: ModelSortKey): ModelSort {
  if (current.key !== key) return { key, dir: defaultDir(key) };
  return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}

/** How bad a model service's pods look: failing pods first, then restarts, then warning events (null = unknown). */
export function healthScore(m: ModelService): number | null {
  const h = m.health;
  if (!h) return null;
  return (
    h.failingPods.length * 1_000_000 +
    Math.min(h.restarts, 999) * 1_000 +
    Math.min(h.warningEvents.length, 999)
  );
}

/** One short line for the table, and the details for its tooltip (all plain text). */
export function healthSummary(
  m: ModelService,
): { text: string; severity: 'critical' | 'warning' | 'ok'; title: string } | null {
  const h = m.health;
  if (!h) return null;
  const lines = [
    `${h.ready}/${h.desired} ready, ${h.pods} pods, ${h.restarts} restarts`,
    ...h.failingPods.map((p) => `${p.name}: ${p.reason}`),
    ...h.warningEvents.slice(0, 5).map((e) => `${e.reason}: ${e.message}`),
  ];
  const title = lines.join('\n');
  if (h.failingPods.length > 0)
    return { text: `${h.failingPods.length} failing`, severity: 'critical', title };
  if (h.restarts > 0) return { text: `${h.restarts} restarts`, severity: 'warning', title };
  if (h.warningEvents.length > 0) {
    const n = h.warningEvents.length;
    return { text: `${n} warning${n === 1 ? '' : 's'}`, severity: 'warning', title };
  }
  return { text: 'ok', severity: 'ok', title };
}

/** Replicas sort by how many are missing, then by size. */
const missing = (m: ModelService) => m.replicas.desired - m.replicas.ready;

export function sortValue(m: ModelService, key: ModelSortKey): string | number | null {
  switch (key) {
    case 'name':
      return m.name.toLowerCase();
    case 'server':
      return serverLabel(m.serverKind).toLowerCase();
    case 'workload':
      return m.workloadKind.toLowerCase();
    case 'replicas':
      return missing(m) * 100_000 + m.replicas.desired;
    case 'health':
      return healthScore(m);
    case 'image':
      return m.image ? m.image.toLowerCase() : null;
    case 'requestRate':
      return m.requestRate;
    case 'errorRatio':
      // a drained model keeps its place by how it was while it served, not sunk as "no traffic"
      return m.errorRatio ?? m.drained?.lastErrorRatio ?? null;
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compareValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** Stable; unknown values (no metrics) always last; ties by missing replicas (worst first), then name. */
export function sortModels(models: readonly ModelService[], sort: ModelSort): ModelService[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...models].sort((a, b) => {
    const va = sortValue(a, sort.key);
    const vb = sortValue(b, sort.key);
    const aNone = va === null || (typeof va === 'number' && Number.isNaN(va));
    const bNone = vb === null || (typeof vb === 'number' && Number.isNaN(vb));
    if (aNone !== bNone) return aNone ? 1 : -1;
    if (!aNone && !bNone) {
      const c = compareValues(va as string | number, vb as string | number);
      if (c !== 0) return sign * c;
    }
    return (
      missing(b) - missing(a) ||
      collator.compare(a.name, b.name) ||
      collator.compare(a.namespace, b.namespace)
    );
  });
}

/** Case-insensitive match on name, namespace, model name, or `namespace/name`. */
export function filterModels(models: readonly ModelService[], query: string): ModelService[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...models];
  return models.filter((m) => {
    const hay = [m.name, m.namespace, m.modelName, `${m.namespace}/${m.name}`].map((s) => s.toLowerCase());
    return hay.some((s) => s.includes(q));
  });
}
