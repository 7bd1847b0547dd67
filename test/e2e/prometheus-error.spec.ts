import type { Page } from '@playwright/test';
import { prometheusDoor, type PrometheusDoor } from '../fixtures/metrics/prometheusDoor';
import { configure, e2eEnv, listedModelNames } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/** Prometheus's own timeout (main/api/context.ts PROMETHEUS_TIMEOUT_MS) and what a view may add to it */
const TIMEOUT_MS = 10_000;
const SLACK_MS = 5_000;

/** What the Models table shows, top to bottom: names and their two rate cells. */
async function modelsTable(page: Page): Promise<Array<[string, string, string]>> {
  return page
    .getByTestId('model-row')
    .evaluateAll((rows) =>
      rows.map((r) => [
        r.getAttribute('data-model') ?? '',
        r.querySelector('[data-testid="request-rate"]')?.textContent ?? '',
        r.querySelector('[data-testid="error-ratio"]')?.textContent ?? '',
      ]),
    ) as Promise<Array<[string, string, string]>>;
}

/** The sandbox's Prometheus behind a door the tests can close (set in beforeAll). */
let door: PrometheusDoor;

/** Opens Models with Prometheus answering and waits for live rates: the copies a later failure falls back on. */
async function seenLive(page: Page): Promise<Array<[string, string, string]>> {
  const { main } = e2eEnv();
  await door.set('open');
  await configure(main, door.url);
  await page.goto(main.openUrl);
  await expect(page.getByTestId('prometheus-chip')).toContainText('ok');
  await expect(page.locator('[data-model="llama-70b-chat"] [data-testid="error-ratio"]')).toHaveText(/%/);
  await expect(page.getByTestId('live-state')).toHaveText('Live');
  return modelsTable(page);
}

test.describe('Prometheus problems never hide the model list', () => {
  test.beforeAll(async () => {
    door = await prometheusDoor(e2eEnv().sandbox.prometheusUrl);
  });

  test.afterAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
    await door.close();
  });

  test('an unreachable Prometheus: the last rates stay, greyed "as of", with the typed error', async ({
    page,
  }) => {
    const { main } = e2eEnv();
    const before = await seenLive(page);
    // the same Prometheus, now with nothing listening
    await door.set('refused');
    await page.reload();

    const banner = page.getByTestId('metrics-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(/Prometheus cannot be asked: rates shown greyed as of \d\d:\d\d/);
    await expect(banner).toContainText(/PROMETHEUS_[A-Z_]+/);
    await expect(page.getByTestId('prometheus-chip')).toContainText('error');
    await expect(page.getByTestId('prometheus-chip')).toHaveAttribute('title', /PROMETHEUS_/);

    const rows = page.getByTestId('model-row');
    await expect(rows).toHaveCount((await listedModelNames(main)).length);
    await expect(page.locator('[data-model="llama-70b-chat"]')).toBeVisible();
    await expect(rows.first().getByTestId('error-ratio')).toHaveAttribute('data-stale', 'true');
    expect(await modelsTable(page)).toEqual(before);
    await saveScreenshot(page, 'prometheus-error');
  });

  test('a hung Prometheus: Models keeps its last values and order greyed, the status bar turns amber, Model health shows its copy within the timeout', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await seenLive(page);
    // Model health seen once too (its tiles and charts are saved as they are drawn)
    await page.getByTestId('nav-health').click();
    await expect(page.getByTestId('health-now')).toBeVisible();
    await expect(page.getByTestId('tiles-window')).toBeVisible();
    await expect(page.locator('.tile-list [role="alert"]')).toHaveCount(0);
    await page.getByTestId('nav-models').click();
    await expect(page.getByTestId('models-table')).toBeVisible();
    const before = await modelsTable(page);
    expect(before[0]![0]).toBe('llama-70b-chat'); // the incident's model is the worst

    await door.set('hung');
    const liveState = page.getByTestId('live-state');
    // the next live round (every 10 s) answers within the timeout with the copy saved
    await expect(liveState).toHaveText(/^Prometheus unreachable since \d\d:\d\d:\d\d/, {
      timeout: 10_000 + TIMEOUT_MS + SLACK_MS,
    });
    await expect(liveState).toHaveAttribute('data-tone', 'warning');
    await expect(liveState).toHaveClass(/status-degraded/);
    await expect(page.getByTestId('metrics-banner')).toContainText(/as of \d\d:\d\d/);
    await expect(page.getByTestId('metrics-banner')).toContainText('PROMETHEUS_TIMEOUT');
    const cells = page.locator('[data-testid="error-ratio"][data-stale="true"]');
    await expect(cells).toHaveCount(before.length);
    await expect(cells.first()).toHaveAttribute('title', /^As of \d\d:\d\d/);
    expect(await modelsTable(page)).toEqual(before);
    await saveScreenshot(page, 'prometheus-hung-models');

    // a fresh page: the first answer too comes within the timeout, not after minutes of "Loading…"
    const t0 = Date.now();
    await page.reload();
    await expect(page.getByTestId('metrics-banner')).toContainText(/as of \d\d:\d\d/, {
      timeout: TIMEOUT_MS + SLACK_MS,
    });
    expect(Date.now() - t0).toBeLessThanOrEqual(TIMEOUT_MS + SLACK_MS);
    expect(await modelsTable(page)).toEqual(before);

    const t1 = Date.now();
    await page.getByTestId('nav-health').click();
    const offline = page.getByTestId('health-offline');
    await expect(offline).toBeVisible({ timeout: TIMEOUT_MS + SLACK_MS });
    expect(Date.now() - t1).toBeLessThanOrEqual(TIMEOUT_MS + SLACK_MS);
    await expect(offline).toContainText(/as of \d\d:\d\d/);
    await expect(page.getByTestId('health-now')).toHaveAttribute('data-stale', 'true');
    await expect(page.getByTestId('model-health')).not.toContainText('Loading');
    await expect(page.getByTestId('tiles-stale')).toContainText(/as of \d\d:\d\d/);
    await expect(liveState).toHaveText(/^Prometheus unreachable since/);
    await saveScreenshot(page, 'prometheus-hung-health');
  });

  test('a Prometheus answering HTTP 500: last values kept greyed, the status bar names it failing', async ({
    page,
  }) => {
    const before = await seenLive(page);
    await door.set('failing');
    const liveState = page.getByTestId('live-state');
    await expect(liveState).toHaveText(/^Prometheus failing since \d\d:\d\d:\d\d/, { timeout: 25_000 });
    await expect(page.getByTestId('metrics-banner')).toContainText('PROMETHEUS_ERROR');
    await expect(page.locator('[data-testid="request-rate"][data-stale="true"]')).toHaveCount(before.length);
    await expect(page.locator('.table-note')).toContainText(/the 5 minutes before \d\d:\d\d/);
    expect(await modelsTable(page)).toEqual(before);
    await saveScreenshot(page, 'prometheus-500-models');
  });

  test('no Prometheus URL: rates show a dash and a banner says where to add one', async ({ page }) => {
    const { main } = e2eEnv();
    await configure(main, null);
    await page.goto(main.openUrl);
    const banner = page.getByTestId('metrics-banner');
    await expect(banner).toContainText(
      'Add a Prometheus URL in Settings to see live request and error rates',
    );
    await expect(page.getByTestId('prometheus-chip')).toContainText('not configured');
    await expect(page.getByTestId('model-row')).toHaveCount((await listedModelNames(main)).length);
    await expect(page.getByTestId('error-ratio').first()).toHaveText('—');
    await saveScreenshot(page, 'prometheus-not-configured');
    await banner.getByRole('button', { name: 'Open Settings' }).click();
    await expect(page.getByTestId('settings-view')).toBeVisible();
  });
});
