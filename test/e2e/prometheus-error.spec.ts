import { configure, e2eEnv, listedModelNames } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('Prometheus problems never hide the model list', () => {
  test.afterAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
  });

  test('an unreachable Prometheus shows the typed error banner while the models still show', async ({
    page,
  }) => {
    const { main } = e2eEnv();
    // nothing listens on port 1
    await configure(main, 'http://127.0.0.1:1');
    await page.goto(main.openUrl);

    const banner = page.getByTestId('metrics-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText('Request and error rates unavailable');
    await expect(banner).toContainText(/PROMETHEUS_[A-Z_]+/);
    await expect(page.getByTestId('prometheus-chip')).toContainText('error');
    await expect(page.getByTestId('prometheus-chip')).toHaveAttribute('title', /PROMETHEUS_/);

    const rows = page.getByTestId('model-row');
    await expect(rows).toHaveCount((await listedModelNames(main)).length);
    await expect(page.locator('[data-model="llama-70b-chat"]')).toBeVisible();
    await expect(rows.first().getByTestId('request-rate')).toHaveText('—');
    await expect(rows.first().getByTestId('error-ratio')).toHaveText('—');
    await saveScreenshot(page, 'prometheus-error');
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
