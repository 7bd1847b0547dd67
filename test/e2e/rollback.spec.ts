import type { Page } from '@playwright/test';
import { api, configure, e2eEnv, type ServeInfo } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/**
 * Rolls llama-70b-chat (revision 2, the bad vLLM v0.6.4) back to v0.6.3 through the console: the detail,
 * its history and diff, the action dialog with its typed confirmation, the outcome, the Models view and
 * the audit log. The specs share one sandbox: this file starts from the story's state whatever ran before,
 * and leaves it as it found it (it rolls forward again to the v0.6.4 revision, through the history).
 */

const TARGET = { kind: 'Deployment', namespace: 'llm', name: 'llama-70b-chat' } as const;
const BAD = 'vllm/vllm-openai:v0.6.4';
const GOOD = 'vllm/vllm-openai:v0.6.3';

interface Revision {
  revision: number;
  current: boolean;
  containers: Array<{ image: string }>;
}

async function revisions(server: ServeInfo): Promise<Revision[]> {
  const h = await api<{ revisions: Revision[] }>(server, 'models.history', { target: TARGET });
  return h.revisions;
}

/** Puts llama-70b-chat on `image` through the pipeline (prepare + execute), as a user of the API would. */
async function rollTo(server: ServeInfo, image: string): Promise<void> {
  const revs = await revisions(server);
  const current = revs.find((r) => r.current);
  if (current?.containers[0]?.image === image) return;
  const to = revs.find((r) => !r.current && r.containers[0]?.image === image);
  if (!to) throw new Error(`no revision of ${TARGET.name} runs ${image}`);
  const prepared = await api<{ id: string; confirmPhrase: string }>(server, 'actions.prepare', {
    request: { type: 'rollback', target: TARGET, toRevision: to.revision },
  });
  const outcome = await api<{ status: string; message: string }>(server, 'actions.execute', {
    id: prepared.id,
    confirm: prepared.confirmPhrase,
  });
  if (outcome.status !== 'done')
    throw new Error(`rolling ${TARGET.name} to ${image}: ${outcome.status} ${outcome.message}`);
}

async function openDetail(page: Page) {
  const { main } = e2eEnv();
  await page.goto(main.openUrl);
  const row = page.locator('[data-testid="model-row"][data-model="llama-70b-chat"]');
  await expect(row).toBeVisible();
  // a click anywhere on the row opens the detail
  await row.locator('td.col-replicas').click();
  await expect(page).toHaveURL(/#\/models\?model=llm%2FDeployment%2Fllama-70b-chat$/);
  await expect(page.getByTestId('model-detail')).toBeVisible();
}

function errorPercent(text: string): number {
  return Number(text.replace('%', '').replace('<', ''));
}

test.describe.configure({ mode: 'serial' });

test.describe('rollback', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
    // the story's state: the bad image is current, whatever an earlier spec did
    await rollTo(main, BAD);
  });

  test.afterAll(async () => {
    // leave the sandbox as the story has it, even when a step above failed
    const { main } = e2eEnv();
    await rollTo(main, BAD);
  });

  test('the detail shows the revisions and what changed between them', async ({ page }) => {
    await openDetail(page);
    const detail = page.getByTestId('model-detail');
    await expect(detail.getByTestId('md-name')).toHaveText('llama-70b-chat');
    await expect(detail.getByTestId('md-image')).toHaveText(BAD);
    await expect(detail.getByTestId('md-replicas')).toContainText(/\d+\/\d+/);
    await expect(detail.getByTestId('md-errors')).toHaveText(/%$/);
    await expect(detail.getByTestId('md-errors')).toHaveClass(/sev-critical/);
    await expect(detail).toContainText('vLLM');
    await expect(detail).toContainText('Deployment');

    const rows = detail.getByTestId('revision-row');
    await expect(rows.first()).toBeVisible();
    const current = detail.locator('[data-testid="revision-row"][data-current="true"]');
    await expect(current).toHaveCount(1);
    await expect(current.getByTestId('current-badge')).toHaveText('current');
    await expect(current.getByTestId('revision-images')).toHaveText(BAD);
    await expect(current).toContainText('chunked prefill on');
    const older = detail.locator('[data-testid="revision-row"]:not([data-current])', { hasText: GOOD });
    await expect(older.first()).toBeVisible();

    // default comparison: the previous revision -> the current one; the image change and the added arg
    const diff = detail.getByTestId('revision-diff');
    const image = diff.locator('[data-testid="diff-row"][data-field="image"]');
    await expect(image).toContainText(GOOD);
    await expect(image).toContainText(BAD);
    await expect(diff.locator('[data-testid="diff-row"][data-field="args"]')).toContainText(
      '--enable-chunked-prefill',
    );
    await expect(diff.locator('[data-testid="diff-row"][data-field="change-cause"]')).toBeVisible();
    // env var names only: the same names on both sides means no env row (values are never compared or shown)
    await expect(diff.locator('[data-testid="diff-row"][data-field="env"]')).toHaveCount(0);

    // pick two: the same revision twice says so; swapping reverses the arrow
    const from = diff.getByTestId('diff-from');
    const to = diff.getByTestId('diff-to');
    const fromValue = await from.inputValue();
    const toValue = await to.inputValue();
    expect(Number(toValue)).toBeGreaterThan(Number(fromValue));
    await to.selectOption(fromValue);
    await expect(diff).toContainText('Pick two different revisions');
    await to.selectOption(toValue);
    await diff.getByRole('button', { name: /Swap/ }).click();
    await expect(from).toHaveValue(toValue);
    await expect(diff.locator('thead')).toContainText(`Revision ${toValue}`);
    await diff.getByRole('button', { name: /Swap/ }).click();
    await expect(from).toHaveValue(fromValue);

    await expect(detail.getByTestId('md-actions')).toContainText('Roll back');
    // an action that does not apply is disabled, and says why: the Deployment is running, not paused
    await expect(detail.getByTestId('action-resume')).toBeDisabled();
    await expect(detail.getByTestId('why-resume')).toHaveText(
      'Resume: Not paused: the rollout is running, there is nothing to resume.',
    );
    await expect(detail.getByTestId('action-pause')).toBeEnabled();
    await saveScreenshot(page, 'model-detail');
  });

  test('rolls back through the dialog: diff, typed confirmation, watch, outcome', async ({ page }) => {
    test.setTimeout(180_000);
    const { main } = e2eEnv();
    const auditBefore = await api<Array<{ seq: number }>>(main, 'audit.list', { limit: 1000 });
    await openDetail(page);
    const detail = page.getByTestId('model-detail');
    const errorsBefore = errorPercent(await detail.getByTestId('md-errors').innerText());
    expect(errorsBefore).toBeGreaterThanOrEqual(5);

    await detail.getByTestId('action-rollback').click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole('heading', { name: 'Roll back to the previous revision' })).toBeVisible();
    await expect(dialog.getByTestId('ad-summary')).toHaveText(
      /^Roll back Deployment llm\/llama-70b-chat from revision \d+ to revision \d+$/,
    );
    await expect(dialog.getByTestId('ad-uid')).toContainText(/uid [0-9a-f-]{36}/);
    await expect(dialog.getByTestId('ad-permission')).toContainText('Allowed');
    await expect(dialog.getByTestId('ad-dryrun')).toContainText('accepted the change in a dry run');
    const imageLine = dialog
      .getByTestId('ad-diff-row')
      .filter({ hasText: 'spec.template.spec.containers[0].image' });
    await expect(imageLine).toContainText(BAD);
    await expect(imageLine).toContainText(GOOD);

    // Confirm stays disabled until the target's name is typed exactly
    const confirm = dialog.getByTestId('ad-confirm');
    const input = dialog.getByTestId('ad-confirm-input');
    await expect(input).toBeFocused();
    await expect(confirm).toBeDisabled();
    await expect(confirm).toHaveText('Roll back llama-70b-chat');
    await input.fill('llama-70b');
    await expect(confirm).toBeDisabled();
    await input.fill('llama-8b-chat');
    await expect(confirm).toBeDisabled();
    await input.fill('llama-70b-chat');
    await expect(confirm).toBeEnabled();
    await saveScreenshot(page, 'action-dialog');

    // nothing was written while the dialog was open
    const auditMid = await api<Array<{ seq: number }>>(main, 'audit.list', { limit: 1000 });
    expect(auditMid.length).toBe(auditBefore.length);

    await confirm.click();
    const outcome = dialog.getByTestId('ad-outcome');
    await expect(outcome).toBeVisible({ timeout: 120_000 });
    await expect(outcome).toHaveAttribute('data-status', 'done');
    await expect(outcome).toContainText('successfully rolled out');
    await expect(outcome).toContainText(/audit log as entry #\d+/);
    await saveScreenshot(page, 'rollback-done');
    await dialog.getByTestId('ad-close').click();
    await expect(dialog).toHaveCount(0);

    // the detail reads the history again: v0.6.3 is current now
    const current = detail.locator('[data-testid="revision-row"][data-current="true"]');
    await expect(current.getByTestId('revision-images')).toHaveText(GOOD);
    await expect(detail.getByTestId('md-last-action')).toContainText('successfully rolled out');
    await expect(detail.getByTestId('md-image')).toHaveText(GOOD);

    // the Models view shows the image; the error ratio starts to fall with the next live refreshes
    // (Prometheus rates are over 5 minutes: it cannot reach 0 within this test)
    await detail.getByTestId('back-to-models').click();
    const row = page.locator('[data-testid="model-row"][data-model="llama-70b-chat"]');
    await expect(row.locator('.image')).toHaveAttribute('title', GOOD);
    await expect
      .poll(async () => errorPercent(await row.getByTestId('error-ratio').innerText()), {
        timeout: 120_000,
        intervals: [5_000],
        message: 'the error ratio of llama-70b-chat starts to drop after the rollback',
      })
      .toBeLessThan(errorsBefore - 1);
  });

  test('the audit log holds the rollback, and the chain verifies', async ({ page }) => {
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-audit').click();
    const view = page.getByTestId('audit-view');
    const rollback = view
      .getByTestId('audit-row')
      .filter({ hasText: 'Deployment llm/llama-70b-chat uid=' })
      .filter({ hasText: 'rollback' })
      .first();
    await expect(rollback).toBeVisible();
    await expect(rollback).toContainText('done');
    await expect(rollback).toContainText(
      /Roll back Deployment llm\/llama-70b-chat from revision \d+ to revision \d+/,
    );
    await expect(rollback).toContainText('successfully rolled out');
    await view.getByRole('button', { name: 'Verify chain' }).click();
    await expect(view.getByTestId('verify-result')).toContainText('Chain intact');
  });

  test('rolls forward again to a revision chosen in the history', async ({ page }) => {
    test.setTimeout(180_000);
    await openDetail(page);
    const detail = page.getByTestId('model-detail');
    const bad = detail.locator('[data-testid="revision-row"]:not([data-current])', { hasText: BAD }).first();
    const revision = await bad.getAttribute('data-revision');
    await bad.getByTestId(`rollback-to-${revision}`).click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog.getByRole('heading', { name: `Roll back to revision ${revision}` })).toBeVisible();
    await expect(dialog.getByTestId('ad-summary')).toContainText(`to revision ${revision}`);
    await dialog.getByTestId('ad-confirm-input').fill('llama-70b-chat');
    await dialog.getByTestId('ad-confirm').click();
    await expect(dialog.getByTestId('ad-outcome')).toHaveAttribute('data-status', 'done', {
      timeout: 120_000,
    });
    await dialog.getByTestId('ad-close').click();
    await expect(
      detail.locator('[data-testid="revision-row"][data-current="true"]').getByTestId('revision-images'),
    ).toHaveText(BAD);
  });

  test('a model service with nothing to do, and Escape, write nothing', async ({ page }) => {
    const { main } = e2eEnv();
    const before = await api<Array<{ seq: number }>>(main, 'audit.list', { limit: 1000 });
    await page.goto(main.openUrl);
    await page.locator('[data-testid="model-row"][data-model="bert-sentiment"] a.model-link').click();
    const detail = page.getByTestId('model-detail');
    // an InferenceService keeps no ReplicaSet history: the note says how it rolls back instead
    await expect(detail.getByTestId('history-note')).toContainText('canary');
    await expect(detail.getByTestId('action-rollback')).toHaveCount(0);
    await expect(detail.getByTestId('action-canary-zero')).toBeVisible();

    // promote when it already sends everything to its latest revision: a plain answer, no Confirm
    await detail.getByTestId('action-promote').click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog.getByTestId('ad-noop')).toContainText('already sends 100%');
    await expect(dialog.getByTestId('ad-confirm')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);

    // a real change, cancelled with Escape after typing the name: nothing written
    await detail.getByTestId('action-canary-zero').click();
    await expect(dialog.getByTestId('ad-diff')).toContainText('canaryTrafficPercent');
    await dialog.getByTestId('ad-confirm-input').fill('bert-sentiment');
    await expect(dialog.getByTestId('ad-confirm')).toBeEnabled();
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
    const after = await api<Array<{ seq: number }>>(main, 'audit.list', { limit: 1000 });
    expect(after.length).toBe(before.length);
  });
});
