/**
 * FOCUS import (DESIGN.md section 8: >= 200,000 rows/s streamed, memory flat): a generated 1,000,000-row FOCUS
 * 1.0 CSV (about 300 MB, the columns an AWS export has, 30 days x 200 resources x tags) imported into a fresh
 * store, whole: read, validate, classify, aggregate, one transaction. Also the heap growth during the import,
 * which must not follow the file's size.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importFocusFile } from '../../main/cost/focus';
import { openStore } from '../../main/store';
import { figure, type BenchFigure } from './run';

const ROWS = 1_000_000;

const HEADER =
  'BillingAccountId,BillingCurrency,BilledCost,EffectiveCost,ListCost,ChargeCategory,ChargeDescription,ChargePeriodStart,ChargePeriodEnd,ConsumedQuantity,ConsumedUnit,ProviderName,RegionId,ResourceId,ServiceCategory,ServiceName,SkuId,SubAccountId,Tags';

/**
 * Writes the fixture in a child process (plain Node, so no transpiler), synced to disk: the import is then
 * measured in a process that did nothing else, not one full of the generator's garbage.
 */
const GENERATOR = `
const fs = require('node:fs');
const [file, rows] = [process.argv[1], Number(process.argv[2])];
const header = process.argv[3];
const types = ['p5.48xlarge', 'g6.12xlarge', 'm5.large', 'c6g.xlarge', 't2.micro'];
const fd = fs.openSync(file, 'w');
let bytes = fs.writeSync(fd, header + '\\n');
let batch = [];
for (let i = 0; i < rows; i++) {
  const day = String(1 + (i % 30)).padStart(2, '0');
  const hour = String(i % 24).padStart(2, '0');
  const cost = String((i % 9973) / 100);
  const tags = '"{""model"":""model-' + (i % 40) + '"",""team"":""team-' + (i % 8) + '"",""namespace"":""ns-' + (i % 12) + '""}"';
  batch.push('123456789012,USD,' + cost + ',' + cost + ',' + cost + ',Usage,$1.00 per On Demand Linux ' + types[i % types.length] +
    ' Instance Hour,2025-05-' + day + 'T' + hour + ':00:00Z,2025-05-' + day + 'T' + hour + ':59:59Z,1,Hours,AWS,us-east-1,i-' +
    (i % 200).toString(16).padStart(8, '0') + ',Compute,Amazon Elastic Compute Cloud,SKU' + (i % 50) + ',1111222233' + (i % 4) + ',' + tags);
  if (batch.length === 10000) { bytes += fs.writeSync(fd, batch.join('\\n') + '\\n'); batch = []; }
}
if (batch.length) bytes += fs.writeSync(fd, batch.join('\\n') + '\\n');
fs.fsyncSync(fd);
fs.closeSync(fd);
process.stdout.write(String(bytes));
`;

function writeFixture(file: string): number {
  const r = spawnSync(process.execPath, ['-e', GENERATOR, file, String(ROWS), HEADER], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the fixture generator failed: ${r.stderr}`);
  return Number(r.stdout);
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
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const imp = await importFocusFile(store, file, new Date(), {
        onProgress: () => {
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        },
      });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      if (imp.rows !== ROWS) throw new Error(`expected ${ROWS} rows, imported ${imp.rows}`);
      const growthMb = (heapPeak - heapBefore) / 1024 / 1024;
      return [
        figure('focus.rows_per_s', ROWS / seconds, 'rows/s', '>=', 200_000),
        // the same per second of CPU the process used (GC threads included): what the figure is on a machine
        // nobody else is using, read on one that is shared
        figure('focus.rows_per_cpu_s', ROWS / cpuSeconds, 'rows/cpu-s', '>=', 200_000),
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
