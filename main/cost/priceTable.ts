/**
 * The editable price table: GPU-hour prices by GPU model (as dcgm-exporter's `modelName` writes it) and
 * node-hour prices by instance type (shared among the node's GPUs). Used when no bill is configured and to
 * estimate the current day. The defaults are AWS on-demand prices in us-east-1 (Linux), the instance price
 * divided among its GPUs as OpenCost does for GPU nodes; edit them to your discounts.
 */
import { DEFAULT_COST_SETTINGS, type PriceEntry, type PriceTable } from '../../shared/cost';
import { AppError } from '../../shared/errors';
import { formatAmount, parseAmount } from '../../shared/money';
import type { PriceRow, Store } from '../store';

export const DEFAULT_PRICE_ENTRIES: PriceEntry[] = [
  { kind: 'gpu', match: 'H100', hourly: '12.29' },
  { kind: 'gpu', match: 'A100-SXM4-80GB', hourly: '5.1225' },
  { kind: 'gpu', match: 'A100', hourly: '4.0966' },
  { kind: 'gpu', match: 'L40S', hourly: '2.6232' },
  { kind: 'gpu', match: 'L4', hourly: '1.15' },
  { kind: 'gpu', match: 'A10G', hourly: '1.418' },
  { kind: 'gpu', match: 'V100', hourly: '3.06' },
  { kind: 'gpu', match: 'T4', hourly: '0.978' },
  { kind: 'node', match: 'p5.48xlarge', hourly: '98.32', gpus: 8 },
  { kind: 'node', match: 'p4d.24xlarge', hourly: '32.7726', gpus: 8 },
  { kind: 'node', match: 'g6.12xlarge', hourly: '4.60', gpus: 4 },
  { kind: 'node', match: 'g6e.12xlarge', hourly: '10.49264', gpus: 4 },
  { kind: 'node', match: 'g5.12xlarge', hourly: '5.672', gpus: 4 },
  { kind: 'node', match: 'g4dn.12xlarge', hourly: '3.912', gpus: 4 },
];

const EDITED_KEY = 'cost.priceTable.updatedAt';

export function readPriceTable(store: Store): PriceTable {
  const rows = store.cost.priceList();
  const updatedAt = store.settings.get<string>(EDITED_KEY) ?? null;
  if (rows.length === 0 && !updatedAt) {
    return { currency: DEFAULT_COST_SETTINGS.currency, entries: DEFAULT_PRICE_ENTRIES, updatedAt: null };
  }
  const currency = rows[0]?.currency ?? DEFAULT_COST_SETTINGS.currency;
  return {
    currency,
    entries: rows.map((r) => ({
      kind: r.kind,
      match: r.match,
      hourly: r.hourly,
      ...(r.gpus !== null ? { gpus: r.gpus } : {}),
    })),
    updatedAt,
  };
}

/** Replaces the table (one transaction); refuses duplicates, negative prices and node prices without a GPU count. */
export function savePriceTable(
  store: Store,
  table: Omit<PriceTable, 'updatedAt'>,
  now: Date = new Date(),
): PriceTable {
  const seen = new Set<string>();
  const rows: PriceRow[] = table.entries.map((e, i) => {
    const units = parseAmount(e.hourly);
    if (units === null || units < 0n) {
      throw new AppError(
        'INVALID_INPUT',
        `Price ${i + 1} (${e.match}): "${e.hourly}" is not a price per hour.`,
        'Enter a non-negative decimal amount, e.g. 12.29.',
      );
    }
    const key = `${e.kind}|${e.match.toLowerCase()}`;
    if (seen.has(key)) {
      throw new AppError(
        'INVALID_INPUT',
        `The ${e.kind === 'gpu' ? 'GPU model' : 'instance type'} "${e.match}" is in the table twice.`,
        'Keep one price per GPU model and per instance type.',
      );
    }
    seen.add(key);
    if (e.kind === 'node' && !(e.gpus && e.gpus > 0)) {
      throw new AppError(
        'INVALID_INPUT',
        `The node price for ${e.match} needs the number of GPUs of that instance type.`,
        'Enter how many GPUs one node of that type has (e.g. 8 for p5.48xlarge).',
      );
    }
    return {
      kind: e.kind,
      match: e.match.trim(),
      hourly: formatAmount(units),
      currency: table.currency,
      gpus: e.kind === 'node' ? (e.gpus ?? null) : null,
    };
  });
  store.transaction(() => {
    store.cost.priceReplace(rows);
    store.settings.set(EDITED_KEY, now.toISOString());
  });
  return readPriceTable(store);
}
