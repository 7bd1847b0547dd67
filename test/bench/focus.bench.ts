/**
 * FOCUS import (DESIGN.md section 8: >= 200,000 rows/s streamed, memory flat): a generated 1,000,000-row FOCUS
 * 1.0 CSV (about 300 MB, the columns an AWS export has, 30 days x 200 resources x tags) imported into a fresh
 * store, whole: read, validate, classify, aggregate, one transaction. Also the heap growth during the import,
 * which must not follow the file's size.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFocusFile } from '../../main/cost/focus';
import { openStore } from '../../main/store';
import { figure, type BenchFigure } from './run';

const ROWS = 1_000_000;

const HEADER =
  'BillingAccountId,BillingCurrency,BilledCost,EffectiveCost,ListCost,ChargeCategory,ChargeDescription,ChargePeriodStart,ChargePeriodEnd,ConsumedQuantity,ConsumedUnit,ProviderName,RegionId,ResourceId,ServiceCategory,ServiceName,SkuId,SubAccountId,Tags';

const TYPES = ['p5.48xlarge', 'g6.12xlarge', 'm5.large', 'c6g.xlarge', 't2.micro'];

function writeFixture(file: string): number {
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  const write = (text: string) => {
    bytes += fs.writeSync(fd, text);
  };
  write(`${HEADER}\n`);
  let batch: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const day = 1 + (i % 30);
    const hour = i % 24;
    const d = `2025-05-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
    const e = `2025-05-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:59:59Z`;
    const type = TYPES[i % TYPES.length]!;
    const cost = `${(i % 9973) / 100}`;
    const tags = `"{""model"":""model-${i % 40}"",""team"":""team-${i % 8}"",""namespace"":""ns-${i % 12}""}"`;
    batch.push(
      `123456789012,USD,${cost},${cost},${cost},Usage,$1.00 per On Demand Linux ${type} Instance Hour,${d},${e},1,Hours,AWS,us-east-1,i-${(i % 200).toString(16).padStart(8, '0')},Compute,Amazon Elastic Compute Cloud,SKU${i % 50},1111222233${i % 4},${tags}`,
    );
    if (batch.length === 10_000) {
      write(`${batch.join('\n')}\n`);
      batch = [];
    }
  }
  if (batch.length) write(`${batch.join('\n')}\n`);
  fs.closeSync(fd);
  return bytes;
}

export async function bench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-focus-'));
  try {
    const file = path.join(dir, 'focus-1m.csv');
    const bytes = writeFixture(file);
    const store = openStore(path.join(dir, 'store.sqlite'));
    try {
      globalThis.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      let heapPeak = heapBefore;
      const t0 = performance.now();
      const imp = await importFocusFile(store, file, new Date(), {
        onProgress: () => {
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        },
      });
      const seconds = (performance.now() - t0) / 1000;
      if (imp.rows !== ROWS) throw new Error(`expected ${ROWS} rows, imported ${imp.rows}`);
      const growthMb = (heapPeak - heapBefore) / 1024 / 1024;
      return [
        figure('focus.rows_per_s', ROWS / seconds, 'rows/s', '>=', 200_000),
        // a 300 MB file: the heap grows by its groups and buffers, not by the file (flat = well under its size)
        figure('focus.heap_growth_mb', growthMb, `MB (file ${Math.round(bytes / 1024 / 1024)} MB)`, '<', 150),
      ];
    } finally {
      store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
