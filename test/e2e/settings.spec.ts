import { e2eEnv, listedModelNames, sandboxModels } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('settings', () => {
  test('connects the sandbox: kubeconfig path, context, Prometheus URL, test, save', async ({ page }) => {
    const { setup, sandbox } = e2eEnv();
    await page.goto(setup.openUrl);
    await expect(page.getByTestId('not-connected')).toBeVisible();
    await page.getByTestId('nav-settings').click();

    const view = page.getByTestId('settings-view');
    await expect(view).toBeVisible();
    // with no kubeconfig, the context list says why, inline, with the hint
    await expect(view).toContainText('KUBECONFIG_MISSING');

    await view.getByLabel('Kubeconfig file').fill(sandbox.kubeconfigPath);
    await view.getByRole('button', { name: 'Load contexts' }).click();
    const context = view.getByLabel('Context', { exact: true });
    await expect(context.locator('option[value="firebreak-sandbox"]')).toHaveCount(1);
    await context.selectOption('firebreak-sandbox');
    await expect(view.getByTestId('context-details')).toContainText('https://');

    await view.getByLabel('URL', { exact: true }).fill(sandbox.prometheusUrl);

    // secrets are write-only: a bearer token goes in a password field, with the note
    await view.getByText('Bearer token', { exact: true }).click();
    const token = view.getByLabel('Token', { exact: true });
    await expect(token).toHaveAttribute('type', 'password');
    await expect(view).toContainText('Kept in memory for this session only; never written to disk');
    await view.getByText('None', { exact: true }).click();
    await expect(view.getByRole('radio', { name: 'None' })).toBeChecked();

    await view.getByRole('button', { name: 'Test connection' }).click();
    const check = view.getByTestId('prometheus-check');
    await expect(check).toContainText('Connected to Prometheus');
    await expect(check).toContainText(/\d+\.\d+\.\d+/);

    await view.getByRole('button', { name: 'Save' }).click();
    await expect(view.getByTestId('saved')).toBeVisible();
    await expect(page.getByTestId('context-chip')).toContainText('firebreak-sandbox');
    await expect(page.getByTestId('prometheus-chip')).toContainText('ok');
    await saveScreenshot(page, 'settings');

    // saving refreshed the Models view
    await page.getByTestId('nav-models').click();
    await expect(page.getByTestId('model-row')).toHaveCount((await listedModelNames(setup)).length);
    for (const name of sandboxModels) await expect(page.locator(`[data-model="${name}"]`)).toBeVisible();
    await expect(page.getByTestId('prometheus-chip')).toContainText('ok');
  });

  test('an invalid Prometheus URL is refused beside the field', async ({ page }) => {
    const { setup } = e2eEnv();
    await page.goto(setup.openUrl);
    await page.getByTestId('nav-settings').click();
    const view = page.getByTestId('settings-view');
    const url = view.getByLabel('URL', { exact: true });
    await url.fill('prometheus:9090');
    await view.getByRole('button', { name: 'Save' }).click();
    await expect(view.locator('.field-error')).toContainText('http://');
    await expect(url).toHaveAttribute('aria-invalid', 'true');
    await view.getByRole('button', { name: 'Discard' }).click();
    await expect(view.locator('.field-error')).toHaveCount(0);
  });
});
