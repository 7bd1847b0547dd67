/**
 * FOCUS files as providers write them: null spellings in nullable columns (the FinOps Foundation sample's
 * unquoted NULL in Tags), Parquet (exact DECIMALs, MAP tags, several row groups), gzip CSV, Azure, GCP and OCI
 * exports, FOCUS 1.3's column set; progress while streaming; and the review's breakdowns, each exact to the
 * cent against an independent sum.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { amountUnits, parseAmount } from '../../../shared/money';
import { DEFAULT_COST_SETTINGS, parseDay, type CostSettings } from '../../../shared/cost';
import { importFocusFile, parseIsoUtc, type FocusProgress } from '../../../main/cost/focus';
import { canonicalUtc, plainUnits } from '../../../main/cost/focusRows';
import { assembleReview } from '../../../main/cost/review';
import { focusFacts } from '../../../main/cost/sources';
import { CostService } from '../../../main/cost/service';
import { csvMoney } from '../../../shared/csv';
import { reviewCsv, reviewMarkdown } from '../../../main/cost/export';
import { openStore, type Store } from '../../../main/store';

const fixtures = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'focus');
const fixture = (name: string) => path.join(fixtures, name);

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('FOCUS files as providers write them', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-formats-'));
    store = openStore(path.join(dir, 'store.sqlite'));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const byCategory = (from: string, to: string) => {
    const out: Record<string, string> = {};
    for (const r of store.cost.focusCosts(from, to))
      out[r.category] = String(Number(out[r.category] ?? 0) + Number(r.billed));
    return out;
  };

  it('null spellings in nullable columns (unquoted NULL, null, empty, \\N) are nulls, not bad rows', async () => {
    const imp = await importFocusFile(store, fixture('focus-1.0-null-spellings.csv'));
    expect(imp.rows).toBe(4);
    expect(imp.totals).toEqual([{ amount: '54.75', currency: 'USD' }]);
    const rows = store.cost.focusCosts('2024-09-01', '2024-09-02');
    // Tags NULL / null: no tags; EffectiveCost null: the billed cost
    expect(
      rows
        .filter((r) => r.tags === '{}')
        .map((r) => r.billed)
        .sort(),
    ).toEqual(['-1', '12.5', '3.25']);
    expect(rows.find((r) => r.billed === '3.25')?.effective).toBe('3.25');
    expect(rows.find((r) => r.billed === '40')).toMatchObject({
      tags: '{"model":"llama-70b-chat"}',
      effective: '38',
      category: 'gpu',
      dims: { serviceCategory: 'AI and Machine Learning', region: 'East US', subAccount: 'Research' },
    });
    // \N region: "not given"
    expect(rows.find((r) => r.billed === '-1')?.dims.region).toBe('');
  });

  it('a null in a required column is still a bad row', async () => {
    const file = path.join(dir, 'null-cost.csv');
    fs.writeFileSync(
      file,
      'BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,Tags\nNULL,USD,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,NULL\n',
    );
    const err = await failure(importFocusFile(store, file));
    expect(err.message).toMatch(/line 2: BilledCost is empty/);
  });

  it('Parquet (AWS Data Exports): exact DECIMALs, MAP tags, null tags, row groups, GPU by description', async () => {
    const seen: FocusProgress[] = [];
    const imp = await importFocusFile(store, fixture('aws-focus-1.2.parquet'), new Date(), {
      onProgress: (p) => seen.push(p),
    });
    expect(imp.focusVersion).toBe('1.2');
    expect(imp.rows).toBe(4);
    // 589.92 + 3.6 + 123456789.1234567891 - 0.1: to the last digit, which a double cannot hold
    expect(imp.totals).toEqual([{ amount: '123457382.5434567891', currency: 'USD' }]);
    expect(imp.period).toEqual({ start: '2025-05-01', end: '2025-05-04' });
    expect(byCategory('2025-05-01', '2025-05-02')).toEqual({ gpu: '589.92', other: '3.6' });
    const may1 = store.cost.focusCosts('2025-05-01', '2025-05-02');
    expect(may1.find((r) => r.category === 'gpu')).toMatchObject({
      tags: '{"model":"llama-70b-chat","team":"assistant"}',
      effective: '500',
      dims: {
        serviceCategory: 'Compute',
        serviceName: 'Amazon Elastic Compute Cloud',
        chargeCategory: 'Usage',
        region: 'us-east-1',
        subAccount: '111122223333',
      },
    });
    expect(may1.find((r) => r.category === 'other')?.tags).toBe('{}');
    // the two-day S3 charge, spread exactly
    const s3 = store.cost
      .focusCosts('2025-05-02', '2025-05-04')
      .filter((r) => r.dims.serviceName === 'Amazon Simple Storage Service');
    expect(s3.map((r) => r.billed)).toEqual(['61728394.5617283946', '61728394.5617283945']);
    expect(imp.ignoredColumns).toEqual(['InvoiceId']);
    expect(seen.at(-1)).toMatchObject({ fileName: 'aws-focus-1.2.parquet', rows: 4 });
    expect(seen.at(-1)!.bytesRead).toBe(seen.at(-1)!.bytesTotal);
  });

  it('gzip-compressed CSV (OCI writes its FOCUS reports so), told by its bytes, not its name', async () => {
    const imp = await importFocusFile(store, fixture('oci-focus-1.0.csv.gz'));
    expect(imp.rows).toBe(2);
    expect(imp.totals).toEqual([{ amount: '24.5', currency: 'USD' }]);
    expect(byCategory('2025-05-01', '2025-05-02')).toEqual({ gpu: '24', other: '0.5' });
    expect(imp.ignoredColumns).toEqual(['oci_ReferenceNumber', 'oci_CompartmentName']);
    const renamed = path.join(dir, 'export.csv');
    fs.copyFileSync(fixture('oci-focus-1.0.csv.gz'), renamed);
    const again = await failure(importFocusFile(store, renamed));
    expect(again.message).toMatch(/already imported/);
  });

  it('a truncated gzip file says so', async () => {
    const file = path.join(dir, 'cut.csv.gz');
    const whole = fs.readFileSync(fixture('oci-focus-1.0.csv.gz'));
    fs.writeFileSync(file, whole.subarray(0, whole.length - 20));
    const err = await failure(importFocusFile(store, file));
    expect(err.code).toBe('FOCUS_INVALID');
    expect(err.message).toMatch(/cut\.csv\.gz is not a readable gzip file/);
  });

  it('Azure: byte-order mark, 7-digit fractions, meters in x_Sku* columns', async () => {
    const imp = await importFocusFile(store, fixture('azure-focus-1.0.csv'));
    expect(imp.rows).toBe(3);
    expect(byCategory('2025-05-01', '2025-05-02')).toEqual({ gpu: '96.54', other: '4.872' });
  });

  it('GCP (BigQuery export): "UTC" times and tags as key/value pairs', async () => {
    const imp = await importFocusFile(store, fixture('gcp-focus-1.0.csv'));
    expect(imp.rows).toBe(3);
    expect(byCategory('2025-05-01', '2025-05-02')).toEqual({ gpu: '24', other: '2.4' });
    const tags = store.cost.focusCosts('2025-05-01', '2025-05-02').map((r) => r.tags);
    expect(tags).toContain('{"model":"resnet50-images","team":"vision"}');
  });

  it('FOCUS 1.3 column set', async () => {
    const imp = await importFocusFile(store, fixture('focus-1.3.csv'));
    expect(imp.focusVersion).toBe('1.3');
    expect(imp.totals).toEqual([{ amount: '10', currency: 'USD' }]);
  });

  it('reports progress while streaming a large gzip file, memory bounded by its groups', async () => {
    const lines = ['BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeDescription,Tags'];
    for (let i = 0; i < 300_000; i++)
      lines.push(`0.01,USD,2025-05-01T00:00:00Z,2025-05-02T00:00:00Z,gpu hours ${i % 7},NULL`);
    const file = path.join(dir, 'big.csv.gz');
    fs.writeFileSync(file, gzipSync(`${lines.join('\n')}\n`));
    const seen: FocusProgress[] = [];
    await importFocusFile(store, file, new Date(), { onProgress: (p) => seen.push(p) });
    expect(seen.at(-1)).toMatchObject({ rows: 300_000 });
    expect(seen.at(-1)!.bytesRead).toBe(fs.statSync(file).size);
    // the same rows uncompressed (about 20 MB): a report every 8 MB read, then the last
    const plain = path.join(dir, 'big.csv');
    fs.writeFileSync(plain, `${lines.join('\n')}\n`);
    const many: FocusProgress[] = [];
    const store2 = openStore(path.join(dir, 'store2.sqlite'));
    try {
      await importFocusFile(store2, plain, new Date(), { onProgress: (p) => many.push(p) });
      expect(store2.cost.focusCosts('2025-05-01', '2025-05-02')).toHaveLength(1);
    } finally {
      store2.close();
    }
    expect(many.length).toBeGreaterThan(1);
    for (let i = 1; i < many.length; i++)
      expect(many[i]!.bytesRead).toBeGreaterThanOrEqual(many[i - 1]!.bytesRead);
  });
});

describe('the review broken down by ServiceCategory, ServiceName, ChargeCategory, Region and SubAccount', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-breakdown-'));
    store = openStore(path.join(dir, 'store.sqlite'));
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('each breakdown is exact to the cent against an independent sum of the file', async () => {
    const categories = ['Compute', 'AI and Machine Learning', 'Storage', 'Networking'];
    const services = ['Amazon Elastic Compute Cloud', 'Amazon SageMaker', 'Amazon S3', 'Amazon VPC', 'NULL'];
    const charges = ['Usage', 'Purchase', 'Tax', 'Credit'];
    const regions = ['us-east-1', 'eu-west-1', ''];
    const accounts = ['111122223333', '444455556666'];
    const header =
      'BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ServiceCategory,ServiceName,ChargeCategory,RegionId,SubAccountId,ChargeDescription,Tags';
    const lines = [header];
    type Row = { cents: bigint; day: string; dims: string[] };
    const rows: Row[] = [];
    for (let i = 0; i < 5000; i++) {
      // amounts with 4 decimals, some negative (credits); days in June 2025 (this month) and May (last month)
      const tenThousandths = BigInt(((i * 7919) % 2_000_003) - (i % 9 === 0 ? 1_500_000 : 0));
      const day =
        i % 3 === 0
          ? `2025-05-${String(1 + (i % 28)).padStart(2, '0')}`
          : `2025-06-${String(1 + (i % 10)).padStart(2, '0')}`;
      const dims = [
        categories[i % categories.length]!,
        services[i % services.length]!,
        charges[(i >> 2) % charges.length]!,
        regions[i % regions.length]!,
        accounts[(i >> 1) % accounts.length]!,
      ];
      const amount = `${tenThousandths < 0n ? '-' : ''}${(tenThousandths < 0n ? -tenThousandths : tenThousandths) / 10_000n}.${String((tenThousandths < 0n ? -tenThousandths : tenThousandths) % 10_000n).padStart(4, '0')}`;
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      lines.push(
        `${amount},USD,${day}T00:00:00Z,${next}T00:00:00Z,${dims.join(',')},p5.48xlarge,"{""model"":""m${i % 4}""}"`,
      );
      rows.push({ cents: tenThousandths, day, dims });
    }
    const file = path.join(dir, 'june.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    await importFocusFile(store, file);

    const settings: CostSettings = DEFAULT_COST_SETTINGS;
    const window = { start: parseDay('2025-05-01')!, end: parseDay('2025-06-11')! };
    const review = assembleReview({
      month: '2025-06',
      today: parseDay('2025-06-11')!,
      generatedAt: '2025-06-11T08:00:00.000Z',
      settings,
      sources: [focusFacts(store, settings, window)!],
      statuses: [],
      targets: null,
      prometheus: null,
      forecast: null,
      anomalies: null,
      todayEstimate: null,
      notes: [],
    });

    // the independent sum: straight from the generated rows, in ten-thousandths, as text
    const asText = (t: bigint) => {
      const neg = t < 0n;
      const a = neg ? -t : t;
      const s = `${a / 10_000n}.${String(a % 10_000n).padStart(4, '0')}`.replace(/\.?0+$/, '');
      return `${neg ? '-' : ''}${s}`;
    };
    const june = rows.filter((r) => r.day >= '2025-06-01');
    const may = rows.filter((r) => r.day < '2025-06-01');
    const total = june.reduce((a, r) => a + r.cents, 0n);
    expect(review.totals.thisMonth.amount).toBe(asText(total));
    const dims = ['serviceCategory', 'serviceName', 'chargeCategory', 'region', 'subAccount'];
    expect(review.breakdowns.map((b) => b.title)).toEqual([
      'ServiceCategory',
      'ServiceName',
      'ChargeCategory',
      'Region',
      'SubAccount',
    ]);
    dims.forEach((dim, k) => {
      const b = review.breakdowns.find((x) => x.dimension === dim)!;
      const expected = new Map<string, { thisMonth: bigint; lastMonth: bigint }>();
      for (const [list, field] of [
        [june, 'thisMonth'],
        [may, 'lastMonth'],
      ] as const) {
        for (const r of list) {
          const key = r.dims[k] === '' || r.dims[k] === 'NULL' ? '(none)' : r.dims[k]!;
          const e = expected.get(key) ?? { thisMonth: 0n, lastMonth: 0n };
          e[field] += r.cents;
          expected.set(key, e);
        }
      }
      expect(
        Object.fromEntries(b.rows.map((g) => [g.key, [g.thisMonth.amount, g.lastMonth.amount]])),
      ).toEqual(
        Object.fromEntries(
          [...expected].map(([key, e]) => [key, [asText(e.thisMonth), asText(e.lastMonth)]]),
        ),
      );
      // in the exports too, row for row
      const csv = reviewCsv(review).split('\r\n');
      for (const g of b.rows)
        expect(
          csv.some(
            (l) =>
              l.startsWith(`2025-06,${b.title},${g.key.includes(',') ? `"${g.key}"` : g.key},`) &&
              // money to the cent, as a spreadsheet user reads it
              l.includes(`,USD,${csvMoney(g.thisMonth)},`),
          ),
        ).toBe(true);
      expect(reviewMarkdown(review, [], Date.parse('2025-06-11T09:00:00Z'))).toContain(`## By ${b.title}`);
      // and each adds up to the review's total
      const sum = b.rows.reduce((a, g) => a + amountUnits(g.thisMonth.amount), 0n);
      expect(sum).toBe(amountUnits(review.totals.thisMonth.amount));
    });
  });

  it('days from a source without these columns are kept in a group of their own, never dropped', () => {
    const day = parseDay('2025-06-01')!;
    const review = assembleReview({
      month: '2025-06',
      today: parseDay('2025-06-02')!,
      generatedAt: 'x',
      settings: DEFAULT_COST_SETTINGS,
      sources: [
        {
          kind: 'aws',
          facts: [{ day, subject: 'm', gpu: 10n, other: 0n, currency: 'USD', team: null, namespace: null }],
          groups: null,
          days: new Set([day]),
          fetchedAt: null,
          detail: 'aws',
        },
      ],
      statuses: [],
      targets: null,
      prometheus: null,
      forecast: null,
      anomalies: null,
      todayEstimate: null,
      notes: [],
    });
    expect(review.breakdowns[0]!.rows.map((r) => r.key)).toEqual(['(not in Cost Explorer)']);
  });
});

describe('the fast readers agree with the general ones', () => {
  it('amounts: plain decimals read digit by digit, anything else by parseAmount', () => {
    const cases = ['0', '12.5', '-0.0000000001', '.5', '5.', '589.92', '999999999999999', '-123.4567890123'];
    for (const t of cases) expect(plainUnits(t), t).toBe(parseAmount(t));
    // more than 15 digits, an exponent, a sign or grouping: not the fast path's
    for (const t of ['1234567890123456', '1e3', '+1', '1,5', '-', '.', '1.2.3', ''])
      expect(plainUnits(t), t).toBeNull();
  });

  it('times: the 20-character UTC form read digit by digit, the same as parseIsoUtc', () => {
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1999, 0, 1) + i * 7_919_000_013;
      const t = `${new Date(ms).toISOString().slice(0, 19)}Z`;
      expect(canonicalUtc(t), t).toBe(parseIsoUtc(t));
    }
    expect(canonicalUtc('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(canonicalUtc('2025-02-29T00:00:00Z')).toBeNull();
    expect(canonicalUtc('2025-13-01T00:00:00Z')).toBeNull();
    expect(canonicalUtc('2025-05-01T24:00:00Z')).toBeNull();
    expect(canonicalUtc('2025-05-01 00:00:00 UTC')).toBeUndefined();
    expect(canonicalUtc('2025-05-01T00:00:00+02:00')).toBeUndefined();
  });
});

describe('an import under way, as the screen sees it (cost.focusImportProgress)', () => {
  it('shows how far the import has read, refuses a second one meanwhile, and is null when done', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-focus-progress-'));
    const store = openStore(path.join(dir, 'store.sqlite'));
    try {
      const cost = new CostService({
        store,
        prometheus: () => {
          throw new Error('not used');
        },
        targets: async () => null,
        awsEnv: { HOME: dir },
        exportDir: path.join(dir, 'exports'),
      });
      expect(cost.focusImportProgress()).toBeNull();
      const running = cost.importFocus(fixture('aws-focus-1.2.parquet'));
      expect(cost.focusImportProgress()).toMatchObject({ fileName: 'aws-focus-1.2.parquet' });
      const second = await failure(cost.importFocus(fixture('focus-1.3.csv')));
      expect(second.code).toBe('CONFLICT');
      expect(second.message).toBe('aws-focus-1.2.parquet is being imported.');
      await running;
      expect(cost.focusImportProgress()).toBeNull();
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
