/**
 * One list page (`{"kind":"PodList","metadata":{…},"items":[…]}`) to projected objects, each parsed object
 * released as soon as it is projected. Pages of 500 objects keep every parse short (tens of milliseconds), so
 * the main process stays responsive during the first list of a big cluster.
 */
import { kindSpec, type InventoryKindName, type InventoryObjects } from './kinds';
import { isRecord } from './objects';

export interface ParsedPage<T> {
  items: T[];
  /** the next page's token; undefined = last page */
  continue: string | undefined;
  resourceVersion: string;
}

/** The page is not JSON, or not a list. */
export class BadListPage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadListPage';
  }
}

export function parseListPage<K extends InventoryKindName>(
  kind: K,
  bytes: Uint8Array | string,
): ParsedPage<InventoryObjects[K]> {
  const text =
    typeof bytes === 'string'
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadListPage(`The API server's list of ${kind} is not JSON.`);
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.items))
    throw new BadListPage(`The API server's list of ${kind} is not a list.`);
  const m = isRecord(parsed.metadata) ? parsed.metadata : {};
  const project = kindSpec(kind).project;
  const raw = parsed.items as unknown[];
  parsed = undefined;
  const items: InventoryObjects[K][] = [];
  for (let i = 0; i < raw.length; i++) {
    const obj = project(raw[i]);
    raw[i] = undefined; // the collector may take each parsed object as soon as it is projected
    if (obj) items.push(obj);
  }
  return {
    items,
    continue: typeof m.continue === 'string' && m.continue ? m.continue : undefined,
    resourceVersion: typeof m.resourceVersion === 'string' ? m.resourceVersion : '',
  };
}
