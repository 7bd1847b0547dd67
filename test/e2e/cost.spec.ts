/**
 * The monthly cost review in the browser: a serve server of its own (so this worker's environment carries an
 * AWS profile for the Cost Explorer test server), the sandbox's cluster and Prometheus for request counts.
 * Walks the refresh (its price shown before anything is paid), the review, another month, both exports, the
 * sources tab with a bad FOCUS file, and an expired-credentials refresh. Screenshots in test-results/screenshots.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { startServe } from '../../main/server';
import { startCostExplorerServer, type CostExplorerServer } from '../harness/cost-explorer';
import { createScenario } from '../harness/scenario';
import { api, configure, e2eEnv, repoRoot, type ServeInfo } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe.configure({ mode: 'serial' });

const DAY = 86_400_000;
let work: string;
let ce: CostExplorerServer;
let server: ServeInfo;
let stopServe: () => Promise<void>;
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
const month = yesterday.slice(0, 7);
const lastMonth = (() => {
  const d = new Date(`${month}-01T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
})();

test.beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cost-e2e-'));
  const scenario = createScenario({ now: new Date() });
  ce = await startCostExplorerServer({
    records: scenario.dailyCosts({ days: 90 }),
    today: new Date().toISOString().slice(0, 10),
  });
  fs.mkdirSync(path.join(work, '.aws'));
  fs.writeFileSync(
    path.join(work, '.aws', 'credentials'),
    `[finops]\naws_access_key_id = ${ce.credentials.accessKeyId}\naws_secret_access_key = ${ce.credentials.secretAccessKey}\naws_session_token = SANDBOXSESSION\n`,
  );
  fs.writeFileSync(
    path.join(work, '.aws', 'config'),
    '[profile finops]\nregion = us-east-1\n[profile finops-sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = BillingReadOnly\n',
  );
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(work, '.aws', 'credentials');
  process.env.AWS_CONFIG_FILE = path.join(work, '.aws', 'config');
  delete process.env.AWS_PROFILE;
  const s = await startServe({
    storePath: path.join(work, 'store', 'firebreak.db'),
    port: 0,
    rendererDir: path.join(repoRoot, 'build/renderer'),
    env: { KUBECONFIG: '/nonexistent/path', HOME: work },
  });
  server = { url: s.url, token: s.token, openUrl: s.openUrl };
  stopServe = s.stop;
  await configure(server, e2eEnv().sandbox.prometheusUrl);
  await api(server, 'cost.updateSettings', {
    aws: { enabled: true, profile: 'finops', endpoint: ce.url },
    budgets: {
      total: '150000',
      byModel: { 'llama-70b-chat': '20000', 'llama-8b-chat': '5000' },
      byTeam: { assistant: '25000' },
    },
    teamsByNamespace: { llm: 'assistant' },
  });
});

test.afterAll(async () => {
  await stopServe?.();
  await ce?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

async function openCost(page: Page) {
  await page.goto(server.openUrl);
  await page.getByTestId('nav-cost').click();
  await expect(page.getByTestId('cost-view')).toBeVisible();
  if ((await page.getByTestId('cost-month').inputValue()) !== month)
    await page.getByTestId('cost-month').selectOption(month);
}

test('a refresh says what it costs before paying, then the review shows the month', async ({ page }) => {
  await openCost(page);
  await expect(page.getByTestId('source-aws')).toContainText('not fetched');
  const paidBefore = ce.requests.length;

  await page.getByTestId('cost-refresh').click();
  const plan = page.getByTestId('refresh-plan');
  await expect(plan.getByTestId('plan-summary')).toContainText(/makes at least \d+ paid requests/);
  await expect(plan.locator('tbody tr')).toHaveCount(month === new Date().toISOString().slice(0, 7) ? 4 : 3);
  expect(ce.requests.length, 'nothing is paid before the confirmation').toBe(paidBefore);
  await saveScreenshot(page, 'cost-refresh-plan');

  await page.getByTestId('confirm-refresh').click();
  await expect(plan).toBeHidden();
  expect(ce.requests.length).toBeGreaterThan(paidBefore);
  await expect(page.getByTestId('source-aws')).toContainText(/just now|s ago/);

  const rows = page.getByTestId('cost-row');
  await expect(rows.filter({ hasText: 'llama-70b-chat' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Unattributed' })).toHaveCount(1);
  await expect(page.getByTestId('stat-this-month')).not.toContainText('—');
  await expect(page.getByTestId('stat-budget')).toContainText('$150,000');
  await expect(page.getByTestId('cost-by-team')).toContainText('assistant');
  await expect(page.getByTestId('cost-by-namespace')).toContainText('llm');
  await expect(
    page.getByTestId('cost-anomalies').getByTestId('anomaly-row').filter({ hasText: 'batch-embeddings' }),
  ).toHaveCount(1);
  // cost per 1k from the sandbox's request counters for the days Prometheus holds
  await expect(rows.filter({ hasText: 'resnet50-images' }).getByTestId('per1k')).toHaveText(/^\$\d/);
  for (const name of ['daily-cost', 'budget', 'cost-per-1k', 'gpu-idle'])
    await expect(page.getByTestId(`cost-chart-${name}`).locator('canvas')).toHaveCount(1);
  await page.waitForTimeout(300);
  await saveScreenshot(page, 'cost-review');
  await page.getByTestId('cost-by-model').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'cost-review-tables');
});

test('last month, then back: the month is compared with the one before', async ({ page }) => {
  await openCost(page);
  await page.getByTestId('cost-month').selectOption(lastMonth);
  await expect(page.getByTestId('stat-forecast')).toContainText(/month closed|Cost Explorer|run rate/);
  await expect(page.getByTestId('cost-row').first()).toBeVisible();
  await saveScreenshot(page, 'cost-review-last-month');
  await page.getByTestId('cost-month').selectOption(month);
  await expect(page.getByTestId('cost-row').filter({ hasText: 'llama-70b-chat' })).toHaveCount(1);
});

test('exports CSV, and Markdown with the charts as PNG files next to it', async ({ page }) => {
  await openCost(page);
  await expect(page.getByTestId('cost-row').filter({ hasText: 'llama-70b-chat' })).toHaveCount(1);

  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe(`cost-review-${month}.csv`);
  const csvText = fs.readFileSync(await csv.path(), 'utf8');
  expect(csvText.split('\r\n')[0]).toMatch(/^month,scope,name,kind,namespace,team,currency,this_month,/);
  expect(csvText).toMatch(new RegExp(`${month},model,llama-70b-chat,model,llm,assistant,USD,`));
  expect(csvText).toMatch(new RegExp(`${month},team,assistant,team,`));

  // the report comes as one zip with its images, the Markdown linking them by name
  const zipDownload = page.waitForEvent('download');
  await page.getByTestId('export-markdown').click();
  const zip = await zipDownload;
  expect(zip.suggestedFilename()).toBe(`cost-review-${month}.zip`);
  const zipped = unzipSync(new Uint8Array(fs.readFileSync(await zip.path())));
  expect(Object.keys(zipped).sort()).toEqual(
    [
      `cost-review-${month}.md`,
      ...['budget', 'cost-per-1k', 'daily-cost', 'gpu-idle'].map((n) => `cost-review-${month}-${n}.png`),
    ].sort(),
  );
  const mdText = Buffer.from(zipped[`cost-review-${month}.md`]!).toString('utf8');
  expect(mdText).toMatch(new RegExp(`^# Cost review ${month}`));
  expect(mdText).toContain(`![Daily cost by model](cost-review-${month}-daily-cost.png)`);
  expect(mdText).toContain('## By model');
  expect(mdText).toContain('batch-embeddings');

  // on the server's disk: the .md and a PNG per chart, side by side
  const folder = path.join(work, 'store', 'exports', `cost-review-${month}`);
  const files = fs.readdirSync(folder).sort();
  expect(files).toEqual(
    [
      `cost-review-${month}.csv`,
      `cost-review-${month}.md`,
      `cost-review-${month}.zip`,
      ...['budget', 'cost-per-1k', 'daily-cost', 'gpu-idle'].map((n) => `cost-review-${month}-${n}.png`),
    ].sort(),
  );
  for (const f of files.filter((x) => x.endsWith('.png'))) {
    expect(fs.readFileSync(path.join(folder, f)).subarray(1, 4).toString()).toBe('PNG');
  }
  // serve mode offers the zip and each chart as a download (the .md is listed, it is in the zip)
  const done = page.getByTestId('export-done');
  await expect(done.getByTestId('export-file')).toHaveCount(6);
  await expect(done.locator('a[data-testid="export-file"]')).toHaveCount(5);
  const pngDownload = page.waitForEvent('download');
  await done.getByTestId('export-file').filter({ hasText: 'daily-cost.png' }).click();
  expect((await pngDownload).suggestedFilename()).toBe(`cost-review-${month}-daily-cost.png`);
  await saveScreenshot(page, 'cost-exported');
});

test('sources: AWS profiles by name only, a FOCUS file with bad rows reported by line, the price table', async ({
  page,
}) => {
  await openCost(page);
  await page.getByTestId('cost-tab').getByText('Sources').click();
  const profile = page.getByTestId('aws-profile');
  await expect(profile.locator('option')).toHaveText([
    'Default credential chain',
    'finops',
    'finops-sso (SSO)',
  ]);
  await expect(profile).toHaveValue('finops');
  await expect(page.getByTestId('cost-sources-tab')).not.toContainText(ce.credentials.secretAccessKey);

  await page.getByTestId('focus-path').fill(path.join(repoRoot, 'test/fixtures/focus/focus-bad-rows.csv'));
  await page.getByTestId('focus-import').click();
  const bad = page.getByTestId('focus-bad-rows');
  await expect(bad.locator('tbody tr')).toHaveCount(7);
  await expect(bad.locator('tbody tr').first()).toContainText('BilledCost "abc" is not a number');
  await expect(page.getByTestId('focus-imports')).toContainText('No FOCUS export imported.');
  await expect(page.getByTestId('price-table').getByTestId('price-row').first()).toBeVisible();
  await page.getByTestId('focus-imports').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'cost-sources-focus');
  await page.evaluate(() => document.querySelector('[data-testid="cost-view"]')?.scrollTo(0, 0));
  await saveScreenshot(page, 'cost-sources');
  await page.getByTestId('price-table').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'cost-sources-prices');
});

test('expired credentials: a clear message, and the review keeps what it had', async ({ page }) => {
  await openCost(page);
  await expect(page.getByTestId('cost-row').filter({ hasText: 'llama-70b-chat' })).toHaveCount(1);
  const before = await page.getByTestId('stat-this-month').textContent();
  ce.expireCredentials(true);
  try {
    await page.getByTestId('cost-refresh').click();
    await page.getByTestId('confirm-refresh').click();
    const panel = page.getByTestId('refresh-plan');
    await expect(panel).toContainText('have expired (ExpiredTokenException)');
    await expect(panel).toContainText('nothing was saved');
    await saveScreenshot(page, 'cost-refresh-expired');
    await panel.getByText('Cancel').click();
    await expect(page.getByTestId('stat-this-month')).toHaveText(before ?? '');
  } finally {
    ce.expireCredentials(false);
  }
});

test('the review says only what its data supports: like-for-like, baselines, no overlap, UTC days', async ({
  page,
}) => {
  await openCost(page);
  await expect(page.getByTestId('cost-row').filter({ hasText: 'llama-70b-chat' })).toHaveCount(1);
  await expect(page.getByTestId('cost-age')).toContainText(/Computed (just now|\d+ s ago)/);
  // Cost Explorer holds 90 days: the month is compared day for day with last month
  await expect(page.getByTestId('stat-change')).toContainText(/vs last month(, same \d+ days)?/);
  await expect(page.getByTestId('stat-change')).not.toContainText('partial');
  // an anomaly always has a baseline
  const impacts = page.getByTestId('anomaly-row').locator('td.num');
  for (const title of await impacts.evaluateAll((tds) => tds.map((td) => td.getAttribute('title'))))
    expect(title).not.toMatch(/expected \$0\.00/);
  // never-allocated GPUs are under idle waste only, not under unattributed as well
  await expect(page.getByTestId('stat-unattributed')).toContainText('Unattributed, besides GPUs');
  await expect(page.getByTestId('stat-unattributed')).toHaveAttribute(
    'title',
    /counted under Idle GPU waste/,
  );
  await expect(page.getByTestId('cost-anomalies')).toContainText('Days (UTC)');
  await expect(page.getByTestId('cost-chart-daily-cost')).toContainText('UTC days');
});

test('the review recomputes itself when Prometheus is set, and says what changed', async ({ page }) => {
  await configure(server, null);
  try {
    await openCost(page);
    await expect(page.getByTestId('source-price-table')).toContainText('not configured');
    await expect(page.getByTestId('cost-notes')).toContainText('No Prometheus');
    await configure(server, e2eEnv().sandbox.prometheusUrl);
    // no Recompute click: the window notices the new input (asked every 10 s) and recomputes
    await expect(page.getByTestId('cost-age')).toContainText('recomputed: Prometheus set', {
      timeout: 30_000,
    });
    await expect(page.getByTestId('source-price-table')).not.toContainText('not configured');
    // its note is gone (the notes panel may be gone with it)
    await expect(page.getByTestId('cost-view').getByText('No Prometheus')).toHaveCount(0);
    await saveScreenshot(page, 'cost-review-recomputed');
  } finally {
    await configure(server, e2eEnv().sandbox.prometheusUrl);
  }
});
