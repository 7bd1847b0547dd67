import { api, configure, e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('audit log', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    // two audited changes at least
    await configure(main, null);
    await configure(main, sandbox.prometheusUrl);
  });

  test('lists audited actions and verifies the hash chain', async ({ page }) => {
    const { main } = e2eEnv();
    const entries = await api<Array<{ seq: number }>>(main, 'audit.list', { limit: 1000 });
    expect(entries.length).toBeGreaterThanOrEqual(2);

    await page.goto(main.openUrl);
    await page.getByTestId('nav-audit').click();
    await expect(page).toHaveURL(/#\/audit$/);
    const view = page.getByTestId('audit-view');
    await expect(view).toBeVisible();
    const rows = view.getByTestId('audit-row');
    await expect(rows).toHaveCount(Math.min(entries.length, 200));
    // newest first
    await expect(rows.first().locator('td').first()).toHaveText(
      String(Math.max(...entries.map((e) => e.seq))),
    );
    await expect(rows.first()).toContainText('settings.update');
    await expect(rows.first()).toContainText('saved');

    await view.getByRole('button', { name: 'Verify chain' }).click();
    const result = view.getByTestId('verify-result');
    await expect(result).toContainText('Chain intact');
    await expect(result).toContainText(
      `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} verified`,
    );
    await saveScreenshot(page, 'audit');
  });
});
