import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { api, configure, e2eEnv, resultsDir } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/**
 * The keyboard, as a user of Lens, k9s or VS Code drives the console: the command palette opens the rollback
 * of a model in the one action dialog (cancelled: nothing is written), `/` focuses the filter of each list,
 * arrows and Enter move through the Models table and open a model, `g` then a letter goes to a view, `?`
 * lists the shortcuts.
 */

async function openModels(page: Page) {
  const { main } = e2eEnv();
  await page.goto(main.openUrl);
  await expect(page.locator('[data-testid="model-row"][data-model="llama-70b-chat"]')).toBeVisible();
}

/** Presses `/` from the page (not from a field) and types `text` into whatever it focused. */
async function slashFilter(page: Page, text: string) {
  await page.locator('.topbar-title').click();
  await page.keyboard.press('/');
  const focused = page.locator('#content [data-list-filter]:focus');
  await expect(focused).toHaveCount(1);
  await page.keyboard.type(text);
  return focused;
}

test.describe('keyboard', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl, { alertmanager: true });
  });

  test('the palette runs a rollback to its dialog, and is cancelled there', async ({ page }) => {
    await openModels(page);
    await page.keyboard.press('Control+k');
    const palette = page.getByTestId('command-palette');
    await expect(palette).toBeVisible();
    await expect(palette).toHaveAttribute('role', 'dialog');
    const input = page.getByTestId('palette-input');
    await expect(input).toBeFocused();
    await expect(input).toHaveAttribute('role', 'combobox');

    await page.keyboard.type('roll 70b');
    const first = palette.getByTestId('palette-option').first();
    await expect(first).toContainText('Roll back llama-70b-chat…');
    await expect(first).toHaveAttribute('aria-selected', 'true');
    await expect(input).toHaveAttribute('aria-activedescendant', (await first.getAttribute('id')) ?? '');
    await saveScreenshot(page, 'palette-1440x900');
    // Tab does not leave the palette
    await page.keyboard.press('Tab');
    await expect(input).toBeFocused();

    await page.keyboard.press('Enter');
    await expect(palette).toBeHidden();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.locator('#ad-title')).toHaveText('Roll back to the previous revision');
    await expect(dialog.locator('.ad-head-target')).toHaveText('Deployment llm/llama-70b-chat');
    await expect(dialog).toHaveAttribute('data-phase', /review|refused/);
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    // nothing was written: the model still runs the image it ran
    await expect(page.locator('[data-testid="model-row"][data-model="llama-70b-chat"]')).toBeVisible();
  });

  test('the palette at 1024x768 with Ctrl+Shift+P: arrows move, Escape closes, a model opens', async ({
    page,
  }) => {
    await page.setViewportSize({ width: 1024, height: 768 });
    await openModels(page);
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByTestId('command-palette');
    await expect(palette).toBeVisible();
    const options = palette.getByTestId('palette-option');
    await expect(options.first()).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowDown');
    await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('ArrowUp');
    await expect(options.first()).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.type('fallback');
    await expect(options.first()).toContainText('to fallback…');
    await saveScreenshot(page, 'palette-1024x768');
    await page.keyboard.press('Escape');
    await expect(palette).toBeHidden();

    // a model by name: its detail
    await page.keyboard.press('Control+k');
    await page.keyboard.type('llama-8b-chat');
    await expect(options.first()).toContainText('llama-8b-chat');
    await expect(options.first()).toHaveAttribute('data-command', /^model:/);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#\/models\?model=llm%2FDeployment%2Fllama-8b-chat$/);
    await expect(page.getByTestId('model-detail')).toBeVisible();
  });

  test('the palette opens the silence form of a firing alert, and the Declare dialog', async ({ page }) => {
    await openModels(page);
    const option = page.getByTestId('palette-option').first();
    // the sandbox's rules fire a minute after start: the palette reads the alerts each time it opens
    await expect(async () => {
      if (await page.getByTestId('command-palette').isVisible()) await page.keyboard.press('Escape');
      await page.keyboard.press('Control+k');
      await page.keyboard.type('silence highErrorRate 70b');
      await expect(option).toContainText(/^Silence ModelHighErrorRate on .*llama-70b-chat.*…/, {
        timeout: 3000,
      });
    }).toPass({ timeout: 90_000 });
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('alerts-view')).toBeVisible();
    const form = page.getByTestId('silence-form');
    await expect(form).toHaveCount(1);
    await expect(form.locator('input[name="comment"]')).toBeFocused();

    await page.keyboard.press('Control+k');
    await page.keyboard.type('declare');
    await expect(page.getByTestId('palette-option').first()).toContainText('Declare incident…');
    await page.keyboard.press('Enter');
    const declare = page.locator('[role="dialog"][aria-modal="true"]');
    await expect(declare).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(declare).toBeHidden();
  });

  test('/ then typing filters each list', async ({ page }) => {
    await openModels(page);
    // Models
    await slashFilter(page, 'llama');
    const models = page.getByTestId('model-row');
    await expect(models).toHaveCount(2);
    for (const name of await models.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model'))))
      expect(name).toContain('llama');
    await page.keyboard.press('Escape');
    await expect(models).not.toHaveCount(2);

    // Alerts
    await page.getByTestId('nav-alerts').click();
    await expect(page.locator('[data-testid="alert"][data-alertname="GPUIdle"]').first()).toBeVisible({
      timeout: 90_000,
    });
    await expect(page.locator('[data-testid="alert"]:not([data-alertname="GPUIdle"])').first()).toBeVisible();
    await slashFilter(page, 'GPUIdle');
    await expect(page.locator('[data-testid="alert"]:not([data-alertname="GPUIdle"])')).toHaveCount(0);
    await expect(page.locator('[data-testid="alert"][data-alertname="GPUIdle"]').first()).toBeVisible();

    // GPUs
    await page.getByTestId('nav-gpus').click();
    const idle = page.locator('[data-testid="idle-row"]');
    await expect(idle.first()).toBeVisible({ timeout: 30_000 });
    await slashFilter(page, 'gpu-h100-b/3');
    await expect(idle).toHaveCount(1);
    await expect(idle.first()).toHaveAttribute('data-key', 'gpu-h100-b/3');

    // Incidents (the sample is among them once opened)
    await api(e2eEnv().main, 'incident.openSample', {});
    await page.getByTestId('nav-incident').click();
    const incidents = page.getByTestId('incident-row');
    await expect(incidents.first()).toBeVisible();
    await slashFilter(page, 'no such incident');
    await expect(incidents).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(incidents.first()).toBeVisible();

    // Audit log
    await page.getByTestId('nav-audit').click();
    await expect(page.getByTestId('audit-filter')).toBeVisible();
    const filter = await slashFilter(page, 'zz-nothing-zz');
    await expect(filter).toHaveAttribute('data-testid', 'audit-filter-text');
    await expect(page.getByTestId('audit-no-match')).toBeVisible();
  });

  test('arrows and Enter in the Models table open a model', async ({ page }) => {
    await openModels(page);
    const rows = page.getByTestId('model-row');
    // Tab from the filter reaches the table's one row stop after the toolbar and the sort headers
    await page.keyboard.press('/');
    let onRow = false;
    for (let i = 0; i < 20 && !onRow; i++) {
      await page.keyboard.press('Tab');
      onRow = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'model-row');
    }
    expect(onRow, 'Tab reaches a row of the table').toBe(true);
    await expect(rows.first()).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(rows.nth(2)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(rows.nth(1)).toBeFocused();
    const name = await rows.nth(1).getAttribute('data-model');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('model-detail')).toBeVisible();
    await expect(page.getByTestId('md-name')).toHaveText(name ?? '');
  });

  test('g then a letter goes to a view; ? lists the shortcuts; typing in a field is left alone', async ({
    page,
  }) => {
    await openModels(page);
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await expect(page).toHaveURL(/#\/alerts$/);
    await expect(page.getByTestId('alerts-view')).toBeVisible();
    await page.keyboard.press('g');
    await page.keyboard.press('g');
    await expect(page.getByTestId('gpu-view')).toBeVisible();
    await page.keyboard.press('g');
    await page.keyboard.press('m');
    await expect(page.getByTestId('models-view')).toBeVisible();
    // to the GPUs and away at once, again and again: a heatmap left mid-paint throws nothing
    for (let i = 0; i < 6; i++) {
      for (const k of ['g', 'g', 'g', 'm']) await page.keyboard.press(k);
    }
    await expect(page.getByTestId('models-view')).toBeVisible();
    await page.waitForTimeout(500);

    // in the filter, g then a is text
    await page.keyboard.press('/');
    await page.keyboard.type('ga');
    await expect(page.getByTestId('models-view')).toBeVisible();
    await expect(page.locator('#content [data-list-filter]')).toHaveValue('ga');
    await page.keyboard.press('Escape');

    await page.keyboard.press('?');
    const help = page.getByTestId('shortcut-help');
    await expect(help).toBeVisible();
    await expect(help).toContainText('Command palette');
    await expect(help).toContainText('Go to Alerts');
    await expect(help).toContainText('Go to Audit log');
    await saveScreenshot(page, 'shortcuts-1440x900');
    await page.keyboard.press('Escape');
    await expect(help).toBeHidden();
  });

  test('the context chip switches the context from a menu of the kubeconfig', async ({ page }) => {
    const { main, sandbox } = e2eEnv();
    // a copy of the sandbox kubeconfig with a second context to the same cluster (kubectl writes it)
    const file = path.join(resultsDir, 'keyboard-two-contexts.kubeconfig');
    fs.copyFileSync(sandbox.kubeconfigPath, file);
    const kc = (...args: string[]) =>
      execFileSync('kubectl', ['--kubeconfig', file, ...args], { encoding: 'utf8' });
    const cluster = kc(
      'config',
      'view',
      '-o',
      `jsonpath={.contexts[?(@.name=="${sandbox.context}")].context.cluster}`,
    );
    const user = kc(
      'config',
      'view',
      '-o',
      `jsonpath={.contexts[?(@.name=="${sandbox.context}")].context.user}`,
    );
    kc('config', 'set-context', 'sandbox-second', `--cluster=${cluster}`, `--user=${user}`);
    await api(main, 'settings.update', { kube: { kubeconfigPath: file, context: sandbox.context } });
    try {
      await openModels(page);
      const chip = page.getByTestId('context-chip');
      await expect(chip).toContainText(sandbox.context);
      await chip.click();
      const menu = page.getByTestId('context-menu');
      await expect(menu).toBeVisible();
      const items = menu.getByTestId('context-item');
      await expect(items).toHaveCount(2);
      await expect(menu.locator(`[data-context="${sandbox.context}"]`)).toHaveAttribute(
        'aria-checked',
        'true',
      );
      // the keyboard is on the current one; the arrow goes to the other, Enter picks it
      await expect(menu.locator(`[data-context="${sandbox.context}"]`)).toBeFocused();
      await page.keyboard.press('ArrowDown');
      await expect(menu.locator('[data-context="sandbox-second"]')).toBeFocused();
      await saveScreenshot(page, 'context-menu');
      await page.keyboard.press('Enter');
      await expect(menu).toBeHidden();
      await expect(chip).toContainText('sandbox-second');
      await expect(page.locator('[data-testid="model-row"][data-model="llama-70b-chat"]')).toBeVisible();
      const settings = await api<{ kube: { context: string | null } }>(main, 'settings.get', {});
      expect(settings.kube.context).toBe('sandbox-second');
      // Escape closes the menu without a change
      await chip.click();
      await expect(menu).toBeVisible();
      await page.keyboard.press('Escape');
      await expect(menu).toBeHidden();
      await expect(chip).toBeFocused();
      await expect(chip).toContainText('sandbox-second');
    } finally {
      // back to the sandbox's own kubeconfig, with the second connection closed
      await api(main, 'kube.disconnect', { context: 'sandbox-second' }).catch(() => undefined);
      await api(main, 'settings.update', {
        kube: { kubeconfigPath: sandbox.kubeconfigPath, context: sandbox.context },
      });
    }
  });

  test('copy buttons put a model name and image on the clipboard, also where the Clipboard API is refused', async ({
    page,
    context,
  }) => {
    const { main } = e2eEnv();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: new URL(main.url).origin,
    });
    await openModels(page);
    const row = page.locator('[data-testid="model-row"][data-model="llama-70b-chat"]');
    await row.getByTestId('copy').click();
    // the copy button copies; it does not open the row
    await expect(page.getByTestId('models-view')).toBeVisible();
    await expect(row.getByTestId('copy')).toContainText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('llama-70b-chat');

    await row.locator('td.col-replicas').click();
    const detail = page.getByTestId('model-detail');
    const image = (await detail.getByTestId('md-image').textContent()) ?? '';
    expect(image).toMatch(/^vllm\/vllm-openai:/);
    // as in the Electron window, where every permission is denied: the copy command does it
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await detail.locator('.md-image').getByTestId('copy').click();
    await expect(detail.locator('.md-image').getByTestId('copy')).toContainText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(image);
  });
});
