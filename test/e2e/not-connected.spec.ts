import { e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('first run without a kubeconfig', () => {
  test('shows the Not connected panel with how to connect and how to try the sandbox', async ({ page }) => {
    const { fresh } = e2eEnv();
    await page.goto(fresh.openUrl);
    // the first screen is now the sample incident's war room, which offers to connect a cluster;
    // the Models view still says what is missing and how to connect
    await expect(page.getByTestId('sample-banner')).toBeVisible();
    await page.getByTestId('nav-models').click();

    const panel = page.getByTestId('not-connected');
    await expect(panel).toBeVisible();
    await expect(panel.getByRole('heading', { name: 'Not connected to a cluster' })).toBeVisible();
    // what is missing, with the typed error
    await expect(panel).toContainText('No kubeconfig found');
    await expect(panel).toContainText('KUBECONFIG_MISSING');
    // how to connect a real cluster
    await expect(panel).toContainText('~/.kube/config');
    await expect(panel).toContainText('$KUBECONFIG');
    await expect(panel).toContainText('Prometheus URL');
    // how to try the sandbox
    await expect(panel).toContainText('npm run sandbox');
    await expect(panel).toContainText('firebreak-sandbox');

    // the top bar says the same, calmly
    await expect(page.getByTestId('context-chip')).toContainText('not connected');
    await expect(page.getByTestId('prometheus-chip')).toContainText('not configured');
    await expect(page.getByTestId('transport-chip')).toContainText('Browser');

    // the token does not stay in the address bar
    expect(page.url()).not.toContain('token=');

    await saveScreenshot(page, 'not-connected');

    await panel.getByRole('button', { name: 'Open Settings' }).click();
    await expect(page.getByTestId('settings-view')).toBeVisible();
    await expect(page).toHaveURL(/#\/settings$/);
  });
});
