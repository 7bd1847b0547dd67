/**
 * `npm run bench`: every performance figure of DESIGN.md section 8 that is built so far, one line each:
 *   BENCH <name> <value> <unit> target <op><value> PASS|FAIL
 * Each figure is the median of several runs (the bench module says how many).
 * `npm run bench -- store` runs only the named groups.
 */
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** e.g. '<500' or '<=1.3' */
  target: string;
  pass: boolean;
}

/** Each group: a module under test/bench exporting `bench(): Promise<BenchFigure[]>`. */
const groups: Array<{ name: string; file: string }> = [
  { name: 'capture', file: 'capture.bench.ts' },
  { name: 'replay', file: 'replay.bench.ts' },
  { name: 'inventory', file: 'inventory.bench.ts' },
  { name: 'heatmap', file: 'heatmap.bench.ts' },
  { name: 'cost', file: 'cost.bench.ts' },
  { name: 'focus', file: 'focus.bench.ts' },
  { name: 'firstpaint', file: 'firstpaint.bench.ts' },
];

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function figure(
  name: string,
  value: number,
  unit: string,
  op: '<' | '<=' | '>' | '>=',
  limit: number,
): BenchFigure {
  const pass =
    op === '<' ? value < limit : op === '<=' ? value <= limit : op === '>' ? value > limit : value >= limit;
  return { name, value, unit, target: `${op}${limit}`, pass };
}

export function formatFigure(f: BenchFigure): string {
  const v =
    Math.abs(f.value) >= 100 ? f.value.toFixed(0) : f.value >= 10 ? f.value.toFixed(1) : f.value.toFixed(3);
  return `BENCH ${f.name} ${v} ${f.unit} target ${f.target} ${f.pass ? 'PASS' : 'FAIL'}`;
}

async function main() {
  const only = process.argv.slice(2);
  const dir = path.dirname(new URL(import.meta.url).pathname);
  let failed = 0;
  for (const g of groups) {
    if (only.length && !only.includes(g.name)) continue;
    const file = path.join(dir, g.file);
    if (!fs.existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { bench?: () => Promise<BenchFigure[]> };
    if (!mod.bench) continue;
    try {
      for (const f of await mod.bench()) {
        console.log(formatFigure(f));
        if (!f.pass) failed++;
      }
    } catch (err) {
      console.log(`BENCH ${g.name} error: ${err instanceof Error ? err.message : String(err)}`);
      failed++;
    }
  }
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
