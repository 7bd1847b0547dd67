import { api, configure, e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/** Points the main serve server at the sandbox's Prometheus and Alertmanager. */
async function configureMetrics(prometheusUrl: string) {
  const { main } = e2eEnv();
  await configure(main, prometheusUrl, { alertmanager: true });
}

test.describe('GPUs, model health and alerts', () => {
  test.beforeAll(async () => {
    await configureMetrics(e2eEnv().sandbox.prometheusUrl);
  });

  test('the GPU view shows the fleet heatmap, the idle GPUs with what they cost, and breakdowns', async ({
    page,
  }) => {
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-gpus').click();
    const view = page.getByTestId('gpu-view');
    await expect(view).toBeVisible();
    const heatmap = page.getByTestId('chart-heatmap');
    await expect(heatmap.locator('canvas').first()).toBeVisible();
    await expect(heatmap).toContainText('24 GPUs');

    // the idle batch job holds two H100s, priced from OpenCost
    const idle = page.getByTestId('idle-list');
    await expect(idle.locator('[data-key="gpu-h100-b/2"]')).toBeVisible();
    await expect(idle.locator('[data-key="gpu-h100-b/3"]')).toContainText('$12.29/h');
    await expect(idle.locator('[data-key="gpu-h100-b/3"]')).toContainText('ml-batch/batch-embeddings-');
    await expect(idle.locator('[data-key="gpu-h100-b/3"]')).toContainText('OpenCost');
    await expect(page.getByTestId('idle-cost')).toContainText('$');
    // unallocated GPUs are never "idle": they are not held by anyone
    await expect(idle.locator('[data-key="gpu-h100-b/7"]')).toHaveCount(0);

    await expect(page.getByTestId('by-node').getByTestId('group-row')).toHaveCount(4);
    await expect(
      page.getByTestId('by-service').locator('[data-key="risk/Deployment/fraud-detector"]'),
    ).toBeVisible();
    await expect(page.getByTestId('util-source')).toContainText(
      'DCGM_FI_PROF_GR_ENGINE_ACTIVE where a GPU has it',
    );

    // every chart can show its PromQL
    await heatmap.getByTestId('show-promql').click();
    await expect(heatmap.getByTestId('promql')).toContainText('DCGM_FI_DEV_GPU_UTIL[');
    await expect(page.getByTestId('chart-byService').locator('canvas').first()).toBeVisible();
    await expect(page.getByTestId('chart-memory').locator('canvas').first()).toBeVisible();
    await heatmap.getByTestId('show-promql').click();
    await saveScreenshot(page, 'gpus');

    // PNG export downloads an image of the chart
    const download = page.waitForEvent('download');
    await heatmap.getByTestId('export-png').click();
    expect((await download).suggestedFilename()).toBe('gpu-utilisation-fleet.png');

    // a 7-day window still answers (one point per pixel at most)
    await page.getByTestId('gpu-window').getByRole('button', { name: '7d' }).click();
    await expect(heatmap).toContainText(/step (600|900|1800) s/);
  });

  test("a model's health shows the incident: error spike, latency, SLO burn, sparklines", async ({
    page,
  }) => {
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-health').click();
    await expect(page.getByTestId('health-view')).toBeVisible();
    // the failing model is first in the list and red
    const firstTile = page.getByTestId('model-tile').first();
    await expect(firstTile).toHaveAttribute('data-model', 'llama-70b-chat');
    await expect(firstTile).toHaveClass(/tile-critical/);
    await expect(firstTile.locator('svg.spark-critical path').first()).toBeVisible();
    await firstTile.click();

    const detail = page.getByTestId('model-health');
    await expect(detail).toHaveAttribute('data-model', 'llama-70b-chat');
    const errors = page.getByTestId('now-errors');
    await expect(errors).toHaveClass(/stat-critical/);
    const pct = Number((await errors.locator('.stat-value').innerText()).replace('%', ''));
    expect(pct).toBeGreaterThan(15);
    await expect(page.getByTestId('now-p95')).toContainText(/s$/);

    for (const id of ['requests', 'errors', 'latency', 'inflight', 'tokens']) {
      await expect(page.getByTestId(`chart-${id}`).locator('canvas').first()).toBeVisible();
      await expect(page.getByTestId(`chart-${id}`).getByTestId('chart-note')).toHaveCount(0);
    }
    const errorChart = page.getByTestId('chart-errors');
    await errorChart.getByTestId('show-promql').click();
    await expect(errorChart.getByTestId('promql')).toContainText('status=~"5.*"');

    // the SLO burns: the page-level pair alerts
    const slo = page.getByTestId('slo-panel');
    await expect(slo.getByTestId('burn-row').first()).toContainText('page');

    // the crosshair is shared: hovering one chart shows the tooltip on the others too
    const box = await page.getByTestId('chart-requests').locator('canvas').first().boundingBox();
    if (box) await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5);
    await expect(errorChart.locator('.chart-canvas > div').filter({ hasText: 'error ratio:' })).toBeVisible();
    await saveScreenshot(page, 'model-health');

    // a healthy model for comparison
    await page.locator('[data-testid="model-tile"][data-model="resnet50-images"]').click();
    await expect(page.getByTestId('model-health')).toHaveAttribute('data-model', 'resnet50-images');
    await expect(page.getByTestId('health-now')).toContainText('Latency (mean)');
    await expect(page.getByTestId('slo-panel')).toContainText('no latency histogram');
    await saveScreenshot(page, 'model-health-triton');
  });

  test('alerts: the firing incident alert grouped under its model, with a runbook; a silence is audited', async ({
    page,
  }) => {
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-alerts').click();
    await expect(page.getByTestId('alerts-view')).toBeVisible();
    const group = page.locator('[data-testid="alert-group"][data-key="llm/Deployment/llama-70b-chat"]');
    // the sandbox's rules fire a minute after start: keep looking (the view refreshes itself)
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(group.locator('[data-alertname="ModelHighErrorRate"][data-state="firing"]')).toBeVisible({
        timeout: 2000,
      });
    }).toPass({ timeout: 80_000 });
    const alert = group.locator('[data-alertname="ModelHighErrorRate"]').first();
    await expect(alert.getByTestId('runbook')).toHaveAttribute('href', /^https:\/\/runbooks\.example\.com\//);
    await expect(alert.getByTestId('runbook')).toHaveAttribute('rel', /noopener/);
    await expect(page.getByTestId('alert-counts')).toContainText('firing');
    await saveScreenshot(page, 'alerts');

    // silence the idle batch job's GPU alerts
    const idle = page.locator('[data-testid="alert"][data-alertname="GPUIdle"][data-state="firing"]').first();
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(idle).toBeVisible({ timeout: 2000 });
    }).toPass({ timeout: 80_000 });
    await idle.getByTestId('silence-button').click();
    const form = idle.getByTestId('silence-form');
    await form.locator('input[name="comment"]').fill('batch queue is empty until Monday');
    await form.getByTestId('silence-preview').click();

    // the same dialog as every write: what it covers, then the typed confirmation
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog).toHaveAttribute('data-phase', 'review');
    await expect(dialog.getByRole('heading')).toHaveText('Silence alerts for 1 h');
    await expect(dialog.getByTestId('ad-summary')).toContainText('alertname="GPUIdle", namespace="ml-batch"');
    await expect(dialog.getByTestId('ad-diff')).toContainText('Silence matchers');
    const covered = dialog.getByTestId('ad-diff-row').filter({ hasText: /^GPUIdle \{/ });
    await expect(covered.first()).toContainText('silenced');
    await expect(dialog.getByTestId('ad-confirm')).toBeDisabled();
    await saveScreenshot(page, 'alerts-silence-preview');
    // Cancel writes nothing and keeps what was typed
    await dialog.getByTestId('ad-cancel').click();
    await expect(dialog).toHaveCount(0);
    await expect(form.locator('input[name="comment"]')).toHaveValue('batch queue is empty until Monday');
    const afterCancel = await api<Array<{ action: string }>>(main, 'audit.list', { limit: 20 });
    expect(afterCancel.some((e) => e.action === 'silence')).toBe(false);

    await form.getByTestId('silence-preview').click();
    await dialog.getByTestId('ad-confirm-input').fill('GPUIdle');
    await dialog.getByTestId('ad-confirm').click();
    await expect(dialog.getByTestId('ad-outcome')).toHaveAttribute('data-status', 'done', {
      timeout: 40_000,
    });
    await expect(dialog.getByTestId('ad-outcome')).toContainText('now show as silenced');
    await saveScreenshot(page, 'alerts-silence-done');
    await dialog.getByTestId('ad-close').click();
    await expect(page.getByTestId('silence-outcome')).toContainText('audit log');
    await expect(idle.getByTestId('silence-form')).toHaveCount(0);
    // the list read again: the batch job's idle GPUs show as silenced
    await expect(
      page.locator('[data-testid="alert"][data-alertname="GPUIdle"][data-state="suppressed"]').first(),
    ).toBeVisible();
    await saveScreenshot(page, 'alerts-silenced');
    const audit = await api<Array<{ action: string; result: string; target: string }>>(main, 'audit.list', {
      limit: 5,
    });
    const entry = audit.find((e) => e.action === 'silence')!;
    expect(entry.result).toBe('done');
    expect(entry.target).toMatch(/^Silence alertname="GPUIdle", namespace="ml-batch" id=/);
  });

  test('labels and annotations with HTML are shown as text; a javascript: runbook is not a link', async ({
    page,
  }) => {
    const { main, sandbox } = e2eEnv();
    const evil = '<img src=x onerror="window.__xss=1">';
    const res = await fetch(`${sandbox.alertmanagerUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'HtmlInjection', namespace: 'llm', model: evil, severity: 'warning' },
          annotations: { summary: `Summary ${evil}`, runbook_url: 'javascript:window.__xss=2' },
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 10 * 60_000).toISOString(),
        },
      ]),
    });
    expect(res.ok).toBe(true);
    await page.goto(main.openUrl);
    await page.getByTestId('nav-alerts').click();
    const alert = page.locator('[data-testid="alert"][data-alertname="HtmlInjection"]');
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(alert).toBeVisible({ timeout: 2000 });
    }).toPass({ timeout: 30_000 });
    await expect(alert.locator('.alert-summary')).toHaveText(`Summary ${evil}`);
    await expect(alert).toContainText(evil);
    await expect(alert.locator('img')).toHaveCount(0);
    await expect(alert.getByTestId('runbook')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await alert.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'alerts-html-as-text');
  });

  test('Prometheus down: a clear state in the GPU and health views, never a blank chart', async ({
    page,
  }) => {
    const { main, sandbox } = e2eEnv();
    await configureMetrics('http://127.0.0.1:1');
    try {
      await page.goto(main.openUrl);
      await page.getByTestId('nav-gpus').click();
      // either the copy saved on this computer (marked offline) or the typed error with a retry
      const offline = page.getByTestId('gpu-offline');
      const failed = page.getByRole('alert').filter({ hasText: 'PROMETHEUS_UNREACHABLE' });
      await expect(offline.or(failed).first()).toBeVisible();
      await saveScreenshot(page, 'gpus-prometheus-down');
      await page.getByTestId('nav-health').click();
      await expect(page.getByTestId('model-health')).toBeVisible();
      await expect(
        page
          .getByTestId('health-offline')
          .or(page.getByRole('alert').filter({ hasText: /PROMETHEUS_UNREACHABLE|Cannot reach Prometheus/ }))
          .first(),
      ).toBeVisible();
      // and the status bar names the source that is down, whatever the view
      await expect(page.getByTestId('live-state')).toHaveText(/^Prometheus unreachable since/);
      await saveScreenshot(page, 'model-health-prometheus-down');
    } finally {
      await configureMetrics(sandbox.prometheusUrl);
    }
  });

  test('no Alertmanager URL: the alerts view says so, shows what Prometheus has, and takes the URL', async ({
    page,
  }) => {
    const { main, sandbox } = e2eEnv();
    await api(main, 'settings.update', {
      prometheus: { url: sandbox.prometheusUrl, auth: { kind: 'none' }, alertmanagerUrl: null },
    });
    try {
      await page.goto(main.openUrl);
      await page.getByTestId('nav-alerts').click();
      const banner = page.getByTestId('am-not-configured');
      await expect(banner).toBeVisible();
      // Prometheus's own firing alerts stand in
      await expect(
        page.locator('[data-testid="alert"][data-alertname="ModelHighErrorRate"]').first(),
      ).toBeVisible();
      await saveScreenshot(page, 'alerts-no-alertmanager');
      await banner.locator('input[name="alertmanagerUrl"]').fill(sandbox.alertmanagerUrl ?? '');
      await banner.getByRole('button', { name: 'Save Alertmanager URL' }).click();
      await expect(banner).toHaveCount(0);
      await expect(
        page
          .locator(
            '[data-testid="alert"][data-alertname="ModelHighErrorRate"] [data-testid="silence-button"]',
          )
          .first(),
      ).toBeVisible();
    } finally {
      await configureMetrics(sandbox.prometheusUrl);
    }
  });
});
