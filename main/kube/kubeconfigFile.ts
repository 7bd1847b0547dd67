/**
 * Reading one kubeconfig file, safely: it is parsed once (the `yaml` package, not client-node's js-yaml, which
 * expands aliases without a limit), with an alias limit so a 600-byte "billion laughs" is refused in
 * milliseconds instead of freezing the main process and taking gigabytes, and with a size limit. An unchanged
 * file is not parsed again (the connection list reads the kubeconfig on every refresh).
 */
import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { AppError } from '../../shared/errors';

/** YAML aliases a file may expand; real kubeconfigs use none (kubectl refuses "excessive aliasing" too) */
const MAX_ALIAS_COUNT = 100;
/** hundreds of clusters with embedded certificates are a few MB; anything larger is not a kubeconfig */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** The parsed top level of one file; `empty` for a file with nothing in it (kubectl skips those). */
export type KubeconfigFile =
  { file: string; empty: true } | { file: string; empty: false; raw: RawKubeconfig };

export interface RawKubeconfig {
  clusters?: unknown;
  users?: unknown;
  contexts?: unknown;
  'current-context'?: unknown;
  [key: string]: unknown;
}

interface CacheEntry {
  stamp: string;
  result: { ok: true; raw: RawKubeconfig | null } | { ok: false; error: AppError };
}
const cache = new Map<string, CacheEntry>();
const MAX_CACHED = 32;

/**
 * Reads and parses one kubeconfig file. Throws KUBECONFIG_MALFORMED naming the file (never quoting its content:
 * it may hold credentials). The object returned is a fresh copy: callers may change it.
 */
export function readKubeconfigFile(file: string): KubeconfigFile {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  if (stat.size > MAX_FILE_BYTES) {
    throw new AppError(
      'KUBECONFIG_MALFORMED',
      `The kubeconfig ${file} is ${(stat.size / 1024 / 1024).toFixed(1)} MiB: larger than a kubeconfig can be (${MAX_FILE_BYTES / 1024 / 1024} MiB).`,
      'Point Settings or KUBECONFIG at the kubeconfig itself.',
      { file },
    );
  }
  const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  let entry = cache.get(file);
  if (!entry || entry.stamp !== stamp) {
    entry = { stamp, result: parseFile(file) };
    cache.delete(file);
    cache.set(file, entry);
    if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
  const { result } = entry;
  if (!result.ok) throw result.error;
  if (result.raw === null) return { file, empty: true };
  return { file, empty: false, raw: structuredClone(result.raw) };
}

function parseFile(file: string): CacheEntry['result'] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, error: unreadable(file, err) };
  }
  try {
    return { ok: true, raw: parseKubeconfigText(text, file) };
  } catch (err) {
    return { ok: false, error: err instanceof AppError ? err : malformed(file, String(err)) };
  }
}

/** The top level of a kubeconfig's text, or null when it holds nothing (empty, only comments, `null`, `{}`). */
export function parseKubeconfigText(text: string, file: string): RawKubeconfig | null {
  if (text.trim() === '') return null;
  // prettyErrors off: the default message quotes the offending lines, which may hold a token
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, merge: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw malformed(file, `${firstLine(first.message)}${line ? ` (line ${line})` : ''}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new AppError(
        'KUBECONFIG_MALFORMED',
        `The kubeconfig ${file} was refused: excessive aliasing (its YAML anchors and aliases expand to more than ${MAX_ALIAS_COUNT} copies, a known way to exhaust memory).`,
        'kubectl refuses this file too. Regenerate it (for example `kubectl config view --flatten` of a good one), or remove the `&anchor` / `*alias` references.',
        { file },
      );
    }
    throw malformed(file, err instanceof Error ? err.message : String(err));
  }
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(file, 'its top level is not a mapping (apiVersion, clusters, contexts, users …)');
  }
  const raw = value as RawKubeconfig;
  if (Object.keys(raw).length === 0) return null;
  return raw;
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').slice(0, 200);
}

function malformed(file: string, what: string): AppError {
  return new AppError(
    'KUBECONFIG_MALFORMED',
    `The kubeconfig ${file} cannot be read: ${firstLine(what)}`,
    'Check the file with `kubectl config view --kubeconfig <file>`, or point Settings at another kubeconfig.',
    { file },
  );
}

function unreadable(file: string, err: unknown): AppError {
  const code = (err as { code?: unknown })?.code;
  return new AppError(
    'KUBECONFIG_MALFORMED',
    `The kubeconfig ${file} cannot be read${typeof code === 'string' ? ` (${code})` : ''}.`,
    'Check that the file exists and that you may read it, or point Settings at another kubeconfig.',
    { file },
  );
}
