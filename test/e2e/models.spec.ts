import { configure, e2eEnv, listedModelNames, sandboxModels } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('models', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
  });

  test('lists the five model services with replicas and live rates, the incident first in red', async ({
    page,
  }) => {
    const { main } = e2eEnv();
    const listed = await listedModelNames(main);
    expect(listed).toEqual(expect.arrayContaining(sandboxModels));
    await page.goto(main.openUrl);

    const rows = page.getByTestId('model-row');
    await expect(rows).toHaveCount(listed.length);
    await expect(page.getByTestId('prometheus-chip')).toContainText('ok');
    await expect(page.getByTestId('context-chip')).toContainText('firebreak-sandbox');
    const names = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')));
    expect([...names].sort()).toEqual(listed);

    // default sort: error ratio, worst first; the incident is on top, in red
    await expect(page.locator('th[aria-sort="descending"]')).toContainText('Error ratio');
    const first = rows.first();
    await expect(first).toHaveAttribute('data-model', 'llama-70b-chat');
    const ratio = first.getByTestId('error-ratio');
    await expect(ratio).toHaveClass(/sev-critical/);
    const pct = Number((await ratio.innerText()).replace('%', ''));
    expect(pct).toBeGreaterThanOrEqual(5);
    await expect(first).toHaveClass(/row-critical/);

    // every row has replicas; the story's five have live rates; servers are badged
    for (const row of await rows.all()) {
      await expect(row.getByTestId('replicas')).toHaveText(/^\d+\/\d+$/);
    }
    for (const name of sandboxModels) {
      await expect(page.locator(`[data-model="${name}"]`).getByTestId('request-rate')).toHaveText(
        /^[\d.<]+[kM]?\/s$/,
      );
      await expect(page.locator(`[data-model="${name}"]`).getByTestId('error-ratio')).toHaveText(/%$/);
    }
    await expect(page.locator('[data-model="llama-8b-chat"] .badge')).toHaveText('vLLM');
    await expect(page.locator('[data-model="resnet50-images"] .badge')).toHaveText('Triton');
    await expect(page.locator('[data-model="bert-sentiment"] .badge')).toHaveText('KServe');
    await expect(page.locator('[data-model="bert-sentiment"]')).toContainText('InferenceService');
    await expect(page.locator('[data-model="fraud-detector"] .badge')).toHaveText('MLServer');
    // images: the full reference is in the tooltip
    await expect(page.locator('[data-model="llama-70b-chat"] .image')).toHaveAttribute('title', /.+:.+/);

    await expect(page.getByTestId('metrics-banner')).toHaveCount(0);
    await expect(page.getByTestId('live-state')).toHaveText('Live');
    await expect(page.getByTestId('freshness')).toContainText('updated');
    await saveScreenshot(page, 'models');
  });

  test('sorts by column and filters by name or namespace', async ({ page }) => {
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    const listed = await listedModelNames(main);
    const rows = page.getByTestId('model-row');
    await expect(rows).toHaveCount(listed.length);

    await page.getByTestId('sort-name').click();
    await expect(rows.first()).toHaveAttribute('data-model', listed[0]!);
    await expect(page.locator('th[aria-sort="ascending"]')).toContainText('Model');
    await page.getByTestId('sort-name').click();
    await expect(rows.first()).toHaveAttribute('data-model', listed.at(-1)!);

    // "/" focuses the filter
    await page.locator('body').press('/');
    const filter = page.getByRole('searchbox', { name: /Filter model services/ });
    await expect(filter).toBeFocused();
    await filter.fill('llm');
    await expect(rows).toHaveCount(2);
    await filter.fill('vision');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute('data-model', 'resnet50-images');
    await filter.fill('no-such-model');
    await expect(rows).toHaveCount(0);
    await expect(page.getByTestId('empty-state')).toContainText('No model service matches');
    await filter.press('Escape');
    await expect(rows).toHaveCount(listed.length);
  });
});
