import fs from 'node:fs';
import { api, e2eEnv, listedModelNames, sandboxModels } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('settings', () => {
  test('connects the sandbox: kubeconfig path, context, Prometheus URL, test, save', async ({ page }) => {
    const { setup, sandbox } = e2eEnv();
    await page.goto(setup.openUrl);
    // first start with no cluster: the sample incident, with its way to Settings
    await expect(page.getByTestId('sample-banner')).toBeVisible();
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
    // listing the file's contexts saved nothing behind the form's back: Save does
    const unsaved = await api<{ kube: { kubeconfigPath: string | null } }>(setup, 'settings.get');
    expect(unsaved.kube.kubeconfigPath).toBeNull();
    await expect(view).toContainText('Unsaved changes');

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

  test('a Mimir tenant and a private CA certificate are saved and kept; SigV4 asks for the region', async ({
    page,
  }) => {
    const { setup, sandbox } = e2eEnv();
    // a real PEM: the sandbox API server's certificate, from its kubeconfig
    const caData = /certificate-authority-data: (\S+)/.exec(
      fs.readFileSync(sandbox.kubeconfigPath, 'utf8'),
    )![1]!;
    const pem = Buffer.from(caData, 'base64').toString('utf8');
    await page.goto(setup.openUrl);
    await page.getByTestId('nav-settings').click();
    const view = page.getByTestId('settings-view');
    await view.getByLabel('URL', { exact: true }).fill(sandbox.prometheusUrl);
    const extras = view.getByTestId('connection-extras');
    await extras.getByText('Tenant and CA certificate').click();
    await extras.getByLabel('Tenant').fill('team a');
    await extras.getByLabel('CA certificate').fill('not a certificate');
    await view.getByRole('button', { name: 'Save' }).click();
    await expect(extras.locator('.field-error')).toHaveCount(2);
    await expect(extras).toContainText('Letters, digits');
    await expect(extras).toContainText('PEM certificate');

    await extras.getByLabel('Tenant').fill('team-a');
    await extras.getByLabel('CA certificate').fill(pem);
    // the tenant goes with the test too (the sandbox's Prometheus ignores it, as a single-tenant one does)
    await view.getByRole('button', { name: 'Test connection' }).click();
    await expect(view.getByTestId('prometheus-check')).toContainText('Connected to Prometheus');
    await view.getByRole('button', { name: 'Save' }).click();
    await expect(view.getByTestId('saved')).toBeVisible();

    // read back: the tenant as saved, the certificate only as "saved" (never sent back)
    await page.reload();
    await page.getByTestId('nav-settings').click();
    await expect(extras).toHaveAttribute('open', '');
    await expect(extras.getByLabel('Tenant')).toHaveValue('team-a');
    await expect(extras.getByLabel('CA certificate')).toHaveValue('');
    await expect(extras).toContainText('A CA certificate is saved');
    await saveScreenshot(page, 'settings-tenant-ca');
    const saved = await api<{ prometheus: Record<string, unknown> }>(setup, 'settings.get', {});
    expect(saved.prometheus).toMatchObject({ tenant: 'team-a', hasCaCert: true, sigv4: null });
    expect(JSON.stringify(saved)).not.toContain(caData.slice(0, 40));

    // Amazon Managed Prometheus: SigV4 needs the workspace's region
    await view.getByText('AWS SigV4', { exact: true }).click();
    const region = view.getByLabel('AWS region');
    await expect(region).toBeVisible();
    await region.fill('Ireland');
    await view.getByRole('button', { name: 'Save' }).click();
    await expect(view.locator('.field-error')).toContainText('AWS region');
    await saveScreenshot(page, 'settings-sigv4');
    await view.getByRole('button', { name: 'Discard' }).click();

    // and back to none: tenant cleared, certificate removed
    await extras.getByLabel('Tenant').fill('');
    await extras.getByLabel('Remove the saved certificate').check();
    await view.getByRole('button', { name: 'Save' }).click();
    await expect(view.getByTestId('saved')).toBeVisible();
    const after = await api<{ prometheus: Record<string, unknown> }>(setup, 'settings.get', {});
    expect(after.prometheus).toMatchObject({ tenant: null, hasCaCert: false, sigv4: null });
  });
});
