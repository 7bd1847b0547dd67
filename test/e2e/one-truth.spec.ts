import type { Page } from '@playwright/test';
import { configure, e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/**
 * One number for one thing, as a user reads it: llama-70b-chat's error ratio "now" is the same on its Model
 * health tile and in its detail, at the 3h and the 24h chart window, and every view says what "now" is
 * (last 5 min). Read within one 15-second "now" slot; a page read across two slots is read again.
 */

const ID = 'llm/Deployment/llama-70b-chat';
const TILE = '[data-testid="model-tile"][data-model="llama-70b-chat"]';

async function tileAndDetail(page: Page): Promise<[string, string]> {
  const tile = (await page.locator(TILE).locator('.tile-metric-value').nth(1).innerText()).trim();
  const detail = (await page.getByTestId('now-errors').locator('.stat-value').innerText()).trim();
  return [tile, detail];
}

test.describe('one truth', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
  });

  test('the error ratio now is one figure on the tile and in the detail, whatever the chart window', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const { main } = e2eEnv();
    for (const window of ['3h', '24h']) {
      let same = false;
      for (let attempt = 0; attempt < 4 && !same; attempt++) {
        // a fresh page load at that window (the access token first), so tile and detail are both read now
        await page.goto(main.openUrl);
        await page.goto('about:blank');
        await page.goto(`${main.url}#/health?model=${encodeURIComponent(ID)}&range=${window}`);
        await expect(page.getByTestId('model-health')).toHaveAttribute('data-model', 'llama-70b-chat');
        await expect(
          page.getByTestId('health-window').getByRole('button', { name: window, exact: true }),
        ).toHaveAttribute('aria-pressed', 'true');
        await expect(page.getByTestId('now-errors').locator('.stat-value')).toHaveText(/%$/);
        await expect(page.locator(TILE).locator('.tile-metric-value').nth(1)).toHaveText(/%$/);
        const [tile, detail] = await tileAndDetail(page);
        same = tile === detail;
      }
      expect(same, `tile and detail agree at the ${window} window`).toBe(true);
    }
    await expect(page.getByTestId('now-caption')).toContainText('Now: last 5 min');
    await expect(page.getByTestId('tiles-window')).toHaveText('Figures: last 5 min. Sparklines: last hour.');
    await saveScreenshot(page, 'one-truth-health');

    await page.getByTestId('nav-models').click();
    await expect(page.locator('.table-note')).toContainText('over the last 5 minutes');
  });
});
