import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { api, configure, e2eEnv, resultsDir, type ServeInfo } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/**
 * Incidents in the browser: (a) with no cluster the first screen is the sample incident's war room, which is
 * scrubbed, diffed, exported, reopened and written up as a postmortem; (b) against the sandbox, an incident is
 * declared from the llama-70b-chat alert, run from the war room (a note, a rollback through the action
 * dialog) and resolved. (b) leaves the sandbox as the story has it (the bad revision current).
 */

const SAMPLE_ID = 'inc-2026-10-14-sample';
const TARGET = { kind: 'Deployment', namespace: 'llm', name: 'llama-70b-chat' } as const;
const BAD = 'vllm/vllm-openai:v0.6.4';
const downloads = path.join(resultsDir, 'incident-downloads');

/** No horizontal scroll in the view at this size: everything fits its column. */
async function expectNoHorizontalScroll(page: Page) {
  const over = await page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-testid="warroom"]');
    return el ? el.scrollWidth - el.clientWidth : -1;
  });
  expect(over, 'the war room scrolls sideways').toBeLessThanOrEqual(0);
}

test.describe.configure({ mode: 'serial' });

test.describe('the sample incident, with no cluster', () => {
  test('opens first, scrubs, diffs two moments, exports and reopens, writes the postmortem', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    fs.mkdirSync(downloads, { recursive: true });
    const { fresh } = e2eEnv();
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(fresh.openUrl);

    const room = page.getByTestId('warroom');
    await expect(page.getByTestId('sample-banner')).toBeVisible();
    await expect(page.getByTestId('sample-banner')).toContainText('This is a sample incident');
    await expect(page.getByTestId('connect-cluster')).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`#/incident/${SAMPLE_ID}$`));
    await expect(room).toHaveAttribute('data-origin', 'sample');
    await expect(page.getByTestId('wr-title')).toContainText('llama-70b-chat');
    await expect(page.getByTestId('milestone')).toHaveCount(5);
    await expect(page.getByTestId('tl-row').first()).toBeVisible();
    const tile = page.locator('[data-testid="inc-tile"][data-model="llama-70b-chat"]');
    // a replay starts where the commander was paged: the model breaches its objective there
    await expect(tile).toHaveAttribute('data-breaching', 'true');
    await expectNoHorizontalScroll(page);
    await saveScreenshot(page, 'incident-sample-1024');

    // scrub to the end of the capture: the model has recovered
    const scrubber = page.getByTestId('replay-scrubber');
    const errorsBefore = await tile.getByTestId('tile-errors').innerText();
    const max = Number(await scrubber.getAttribute('max'));
    await scrubber.fill(String(max));
    await expect(tile.getByTestId('tile-errors')).not.toHaveText(errorsBefore);
    await expect(tile).not.toHaveAttribute('data-breaching', 'true');
    await expect(page.locator('[data-testid="tl-row"][data-cursor="true"]')).toHaveCount(1);

    // diff two moments: before the rollout (A) and during the incident (B, 35 minutes in)
    await scrubber.fill('0');
    await page.getByTestId('set-a').click();
    await scrubber.fill('2100');
    await page.getByTestId('set-b').click();
    await page.getByTestId('run-diff').click();
    const diff = page.getByTestId('moment-diff');
    const deployment = diff.locator('[data-testid="change"][data-object="Deployment llm/llama-70b-chat"]');
    await expect(deployment).toBeVisible();
    const image = deployment.locator('[data-testid="field-change"][data-path$="image"]');
    await expect(image).toContainText('vllm/vllm-openai:v0.6.3');
    await expect(image).toContainText(BAD);
    await page.getByTestId('inc-timeline').scrollIntoViewIfNeeded();
    await expectNoHorizontalScroll(page);
    await saveScreenshot(page, 'incident-sample-1024-timeline');
    // Events, one row per series: the rollout as the deployment controller reported it (a Normal event kept)
    await page.getByTestId('tl-filter-event').click();
    await expect(
      page.locator('[data-testid="tl-row"][data-source="event"]', {
        hasText: 'ScalingReplicaSet: Scaled up replica set llama-70b-chat-rev2 to 4',
      }),
    ).toHaveCount(1);
    await expect(page.locator('[data-testid="tl-row"]:not([data-source="event"])')).toHaveCount(0);
    await page.getByTestId('tl-filter-event').click();

    // export the incident file, then open it again from the list
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-incident').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.fbi$/);
    const saved = path.join(downloads, download.suggestedFilename());
    await download.saveAs(saved);
    expect(fs.statSync(saved).size).toBeGreaterThan(1000);

    await page.getByTestId('nav-incident').click();
    await expect(page.getByTestId('incidents-view')).toBeVisible();
    // not an incident file: refused, with the typed message
    await page.getByTestId('open-file-input').setInputFiles({
      name: 'random.fbi',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)),
    });
    await expect(page.getByTestId('open-error')).toBeVisible();
    await expect(page.getByTestId('open-error')).toContainText(/INVALID_INPUT|not|incident file/i);
    // the exported file: the same id is not in this store, so it opens (replacing the sample's copy) as a file
    await page.getByTestId('open-file-input').setInputFiles(saved);
    const banner = page.getByTestId('replay-banner');
    const refused = page.getByTestId('open-error');
    await expect(banner.or(refused)).toBeVisible();
    if (await banner.isVisible()) {
      await expect(banner).toContainText(`from the file ${download.suggestedFilename()}`);
      await expect(banner).toContainText('read-only');
    } else {
      await expect(refused).toContainText(SAMPLE_ID);
      await page.goto(`${fresh.url}#/incident/${SAMPLE_ID}`);
    }

    // the postmortem: the folder it wrote, the zip, and the Markdown with its sections
    await page.getByTestId('make-postmortem').click();
    const md = page.getByTestId('postmortem-markdown');
    await expect(md).toBeVisible({ timeout: 30_000 });
    for (const heading of ['Summary', 'Impact', 'Timeline', 'Action items'])
      await expect(md).toContainText(new RegExp(`^#+ ${heading}`, 'm'));
    await expect(page.getByTestId('postmortem-dir')).toContainText('postmortem');
    const [zip] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('postmortem-zip').click(),
    ]);
    expect(zip.suggestedFilename()).toMatch(/\.zip$/);

    // the sample again, and its way to a real cluster
    await page.goto(`${fresh.url}#/incident/${SAMPLE_ID}`);
    await page.getByTestId('nav-incident').click();
    await page.getByTestId('open-sample').click();
    await expect(page.getByTestId('sample-banner')).toBeVisible();
    await page.getByTestId('connect-cluster').click();
    await expect(page.getByTestId('settings-view')).toBeVisible();
  });
});

interface Revision {
  revision: number;
  current: boolean;
  containers: Array<{ image: string }>;
}

/** Puts llama-70b-chat on `image` through the pipeline, as rollback.spec does. */
async function rollTo(server: ServeInfo, image: string): Promise<void> {
  const h = await api<{ revisions: Revision[] }>(server, 'models.history', { target: TARGET });
  const current = h.revisions.find((r) => r.current);
  if (current?.containers[0]?.image === image) return;
  const to = h.revisions.find((r) => !r.current && r.containers[0]?.image === image);
  if (!to) throw new Error(`no revision of ${TARGET.name} runs ${image}`);
  const prepared = await api<{ id: string; confirmPhrase: string }>(server, 'actions.prepare', {
    request: { type: 'rollback', target: TARGET, toRevision: to.revision },
  });
  await api(server, 'actions.execute', { id: prepared.id, confirm: prepared.confirmPhrase });
}

test.describe('an incident against the sandbox', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl, { alertmanager: true });
    await rollTo(main, BAD);
  });

  test.afterAll(async () => {
    await rollTo(e2eEnv().main, BAD);
  });

  test('declared from the alert, run from the war room: a note, a rollback, resolved', async ({ page }) => {
    test.setTimeout(300_000);
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-alerts').click();
    const group = page.locator('[data-testid="alert-group"][data-key="llm/Deployment/llama-70b-chat"]');
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(group.locator('[data-alertname="ModelHighErrorRate"][data-state="firing"]')).toBeVisible({
        timeout: 2000,
      });
    }).toPass({ timeout: 80_000 });

    await group.getByTestId('declare-from-alert').click();
    const dialog = page.getByTestId('declare-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('ModelHighErrorRate');
    await expect(dialog.getByTestId('declare-title')).not.toHaveValue('');
    const model = dialog.locator('[data-testid="declare-model"][data-id="llm/Deployment/llama-70b-chat"]');
    await expect(model.getByRole('checkbox')).toBeChecked();
    await expect(model.getByRole('combobox')).toHaveValue('llm/Deployment/llama-8b-chat');
    await dialog.getByTestId('declare-severity').selectOption('SEV1');
    await dialog.getByTestId('declare-submit').click();

    const room = page.getByTestId('warroom');
    await expect(room).toHaveAttribute('data-live', 'true');
    await expect(page).toHaveURL(/#\/incident\/[^/?]+$/);
    await expect(page.getByTestId('wr-severity')).toHaveText('SEV1');
    await expect(page.locator('[data-testid="inc-tile"][data-model="llama-70b-chat"]')).toBeVisible();
    await expect(page.locator('[data-testid="inc-tile"][data-model="llama-8b-chat"]')).toBeVisible();
    await expect(page.getByTestId('replay-bar')).toHaveCount(0);

    // a note: on the timeline at once
    const note = `Rolling back llama-70b-chat (${Date.now()})`;
    await page.getByTestId('wr-note-input').fill(note);
    await page.getByTestId('wr-note-add').click();
    await expect(page.locator('[data-testid="tl-row"][data-source="note"]', { hasText: note })).toBeVisible();

    await page.setViewportSize({ width: 1440, height: 900 });
    await saveScreenshot(page, 'incident-warroom-1440');
    await page.setViewportSize({ width: 1280, height: 720 });
    await saveScreenshot(page, 'incident-warroom-1280');
    await page.setViewportSize({ width: 1440, height: 900 });

    // roll back from the war room: the button, the dialog's typed name, confirm (three clicks and a name)
    const actions = page.locator('[data-testid="model-actions"][data-model="llama-70b-chat"]');
    await actions.getByTestId('wr-rollback').click();
    const ad = page.getByTestId('action-dialog');
    await expect(ad.getByTestId('ad-summary')).toContainText('Roll back Deployment llm/llama-70b-chat');
    await ad.getByTestId('ad-confirm-input').fill('llama-70b-chat');
    await ad.getByTestId('ad-confirm').click();
    await expect(ad.getByTestId('ad-outcome')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    await ad.getByTestId('ad-close').click();
    await expect(
      page.locator('[data-testid="tl-row"][data-source="action"]', { hasText: 'rollback' }).first(),
    ).toBeVisible({ timeout: 60_000 });

    // resolve: refused while the alert fires, then closed anyway
    await page.getByTestId('wr-resolve-open').click();
    await page.getByTestId('wr-resolve-confirm').click();
    const force = page.getByTestId('wr-resolve-force');
    const status = page.getByTestId('wr-status');
    await expect(force.or(status.filter({ hasText: 'resolved' }))).toBeVisible();
    if (await force.isVisible()) {
      await expect(page.getByTestId('wr-resolve')).toContainText('still firing');
      await force.click();
    }
    await expect(status).toHaveText('resolved');
    await expect(room).toHaveAttribute('data-live', 'false');
    await expect(page.getByTestId('replay-banner')).toContainText('read-only');
    await saveScreenshot(page, 'incident-resolved-1440');
  });
});
