import { configure, e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('clusters', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
  });

  test('Settings lists every context with its own state, and connects and disconnects one', async ({
    page,
  }) => {
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-settings').click();
    const panel = page.getByTestId('connections-panel');
    await expect(panel).toBeVisible();
    const row = panel.locator('[data-testid="connection-row"][data-context="firebreak-sandbox"]');
    await expect(row).toContainText('current');
    const status = row.getByTestId('connection-status');
    if ((await status.textContent()) !== 'connected')
      await row.getByRole('button', { name: 'Connect' }).click();
    await expect(status).toHaveText('connected', { timeout: 20_000 });
    await saveScreenshot(page, 'settings-clusters');
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await expect(status).toHaveText('not connected');
    await row.getByRole('button', { name: 'Connect' }).click();
    await expect(status).toHaveText('connected', { timeout: 20_000 });
  });
});
