import type { Locator, Page } from '@playwright/test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { api, configure, e2eEnv, type ServeInfo } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/**
 * Routes the chat HTTPRoute (100% llama-70b-chat, 0% llama-8b-chat) to its fallback through the Traffic
 * view, sees the split move, refuses an all-zero split, finds the changes (and the rollback of
 * rollback.spec, when it ran) in the audit log, and restores the split with "Restore previous". The sandbox
 * is shared: this file starts from the story's split whatever ran before, and ends with it.
 */

const ROUTE = { kind: 'HTTPRoute', namespace: 'llm', name: 'chat' } as const;
const STORY = { 'llama-70b-chat': 100, 'llama-8b-chat': 0 };

interface Route {
  kind: string;
  namespace: string;
  name: string;
  rules: Array<Array<{ name: string; weight: number }>>;
}

async function chatWeights(server: ServeInfo): Promise<Record<string, number>> {
  const routes = await api<Route[]>(server, 'traffic.routes', {});
  const chat = routes.find(
    (r) => r.kind === ROUTE.kind && r.namespace === ROUTE.namespace && r.name === ROUTE.name,
  );
  if (!chat) throw new Error('the sandbox has no HTTPRoute llm/chat');
  return Object.fromEntries((chat.rules[0] ?? []).map((b) => [b.name, b.weight]));
}

/** Sets the chat route's weights through the pipeline, unless it has them already. */
async function setWeights(server: ServeInfo, weights: Record<string, number>): Promise<void> {
  const now = await chatWeights(server);
  if (Object.entries(weights).every(([k, v]) => now[k] === v)) return;
  const prepared = await api<{ id: string; confirmPhrase: string }>(server, 'actions.prepare', {
    request: { type: 'traffic', route: ROUTE, rule: 0, weights },
  });
  const outcome = await api<{ status: string; message: string }>(server, 'actions.execute', {
    id: prepared.id,
    confirm: prepared.confirmPhrase,
  });
  if (outcome.status !== 'done')
    throw new Error(`setting the chat split: ${outcome.status} ${outcome.message}`);
}

async function openTraffic(page: Page): Promise<Locator> {
  const { main } = e2eEnv();
  await page.goto(main.openUrl);
  await page.getByTestId('nav-traffic').click();
  await expect(page).toHaveURL(/#\/traffic$/);
  const card = page.locator('[data-testid="route-card"][data-route="chat"]');
  await expect(card).toBeVisible();
  return card;
}

const share = (card: Locator, backend: string) =>
  card.locator(`[data-testid="backend-row"][data-backend="${backend}"]`).getByTestId('backend-share');

/** The sandbox's Knative Services, as a client with its kubeconfig sees them (the story has none). */
function knativeServices() {
  const kc = new KubeConfig();
  kc.loadFromFile(e2eEnv().sandbox.kubeconfigPath);
  kc.setCurrentContext(e2eEnv().sandbox.context);
  const api = kc.makeApiClient(CustomObjectsApi);
  const where = { group: 'serving.knative.dev', version: 'v1', plural: 'services', namespace: 'llm' };
  return {
    create: (body: object) => api.createNamespacedCustomObject({ ...where, body }),
    delete: (name: string) => api.deleteNamespacedCustomObject({ ...where, name }),
  };
}

const EMBEDDER = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'embedder', namespace: 'llm' },
  spec: {
    template: { spec: { containers: [{ image: 'ghcr.io/example/embedder:2' }] } },
    traffic: [
      { latestRevision: true, percent: 100 },
      { revisionName: 'embedder-00001', percent: 0, tag: 'previous' },
    ],
  },
};

test.describe.configure({ mode: 'serial' });

test.describe('traffic', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
    await setWeights(main, STORY);
  });

  test.afterAll(async () => {
    const { main } = e2eEnv();
    await setWeights(main, STORY);
    await knativeServices()
      .delete(EMBEDDER.metadata.name)
      .catch(() => undefined);
  });

  test('shows the split and routes everything to the fallback through the dialog', async ({ page }) => {
    test.setTimeout(120_000);
    const card = await openTraffic(page);
    await expect(page.locator('.topbar-title')).toHaveText('Traffic');
    await expect(card.getByTestId('route-conditions')).toContainText('Accepted');
    await expect(card.getByTestId('route-conditions')).toContainText('ResolvedRefs');
    await expect(share(card, 'llama-70b-chat')).toHaveText('100%');
    await expect(share(card, 'llama-8b-chat')).toHaveText('0%');
    await expect(card.getByTestId('split-bar')).toHaveAttribute(
      'aria-label',
      'Traffic split: llama-70b-chat 100%, llama-8b-chat 0%',
    );
    await expect(card.getByTestId('preset-all:llama-70b-chat')).toBeDisabled();
    await expect(card.getByTestId('preset-split:llama-8b-chat')).toHaveText('Split 90/10');

    await card.getByTestId('preset-all:llama-8b-chat').click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog.getByRole('heading', { name: 'Change the traffic split' })).toBeVisible();
    await expect(dialog.getByTestId('ad-summary')).toHaveText(
      'Route HTTPRoute llm/chat: llama-70b-chat 0%, llama-8b-chat 100%',
    );
    await expect(dialog.getByTestId('ad-diff')).toContainText('spec.rules[0].backendRefs[1].weight');
    await expect(dialog.getByTestId('ad-diff')).toContainText('spec.rules[0].backendRefs[0].weight');
    // what the fallback is in for: the chat route's requests now, on its 2 replicas, against its 24 h peak
    const notes = dialog.getByTestId('ad-notes');
    await expect(notes).toContainText(
      /llama-8b-chat would get about (\d+(\.\d)?x its current requests \(.+\)|.+, from none now) on 2 replicas/,
    );
    await expect(notes).toContainText("(from the rule's requests now, last 5 min)");
    await expect(notes.locator('[data-tone="warning"]')).toContainText(
      'more than llama-8b-chat served at its peak over the last 24 h',
    );
    const confirm = dialog.getByTestId('ad-confirm');
    await expect(confirm).toBeDisabled();
    await dialog.getByTestId('ad-confirm-input').fill('cha');
    await expect(confirm).toBeDisabled();
    await dialog.getByTestId('ad-confirm-input').fill('chat');
    await expect(confirm).toBeEnabled();
    await saveScreenshot(page, 'traffic-dialog');
    await confirm.click();

    const outcome = dialog.getByTestId('ad-outcome');
    await expect(outcome).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(outcome).toContainText('Accepted by the gateway');
    await dialog.getByTestId('ad-close').click();
    await expect(dialog).toHaveCount(0);

    // the view reads the route again: 0 / 100
    await expect(share(card, 'llama-70b-chat')).toHaveText('0%');
    await expect(share(card, 'llama-8b-chat')).toHaveText('100%');
    await expect(card.getByTestId('split-bar')).toHaveAttribute(
      'aria-label',
      'Traffic split: llama-70b-chat 0%, llama-8b-chat 100%',
    );
    const change = card.getByTestId('route-change').first();
    await expect(change.locator('table')).toHaveAttribute(
      'aria-label',
      'llama-70b-chat 100% → 0%, llama-8b-chat 0% → 100%',
    );
    await expect(change).toContainText('done');
    await expect(card.getByTestId('preset-restore')).toBeEnabled();
    // the broken model is drained, not healthy: marked on its route, and users now see the fallback's errors
    const drained = card.locator('[data-testid="backend-row"][data-backend="llama-70b-chat"]');
    await expect(drained.getByTestId('drained-marker')).toHaveText('drained, fallback active', {
      timeout: 30_000,
    });
    await expect(
      card.locator('[data-testid="backend-row"][data-backend="llama-8b-chat"]').getByTestId('drained-marker'),
    ).toHaveCount(0);
    await expect(card.getByTestId('route-error-ratio')).toContainText(/Users see \d+(\.\d+)?% errors/);
    await expect(card.getByTestId('route-error-ratio')).not.toContainText(/Users see (1\d|2\d)/);
    await saveScreenshot(page, 'traffic');

    // and on Models, where the column beside it says what it counts (pods, not errors)
    await page.getByTestId('nav-models').click();
    const row = page.locator('[data-testid="model-row"][data-model="llama-70b-chat"]');
    await expect(row.getByTestId('drained-marker')).toContainText('drained, fallback active');
    await expect(page.getByTestId('sort-health')).toHaveText('Pods');
    await saveScreenshot(page, 'models-drained');
  });

  test('refuses an all-zero split before anything is sent', async ({ page }) => {
    const card = await openTraffic(page);
    await card.getByTestId('weight-llama-70b-chat').fill('0');
    await card.getByTestId('weight-llama-8b-chat').fill('0');
    const problem = card.getByTestId('split-problem');
    await expect(problem).toContainText('Every backend would get weight 0: that sends traffic nowhere');
    await expect(problem).toContainText('Give at least one backend a weight above 0.');
    await expect(card.getByTestId('review-split')).toBeDisabled();
    await expect(page.getByTestId('action-dialog')).toHaveCount(0);
    // a valid free split is offered for review again
    await card.getByTestId('weight-llama-8b-chat').fill('3');
    await expect(problem).toHaveCount(0);
    await expect(card.getByTestId('review-split')).toBeEnabled();
  });

  test('the audit log holds the actions with their targets, and the chain verifies', async ({ page }) => {
    const { main } = e2eEnv();
    const entries = await api<Array<{ action: string; target: string; result: string }>>(main, 'audit.list', {
      limit: 1000,
    });
    await page.goto(main.openUrl);
    await page.getByTestId('nav-audit').click();
    const view = page.getByTestId('audit-view');
    const rows = view.getByTestId('audit-row');
    const traffic = rows
      .filter({ hasText: 'HTTPRoute llm/chat uid=' })
      .filter({ hasText: 'traffic' })
      .first();
    await expect(traffic).toContainText('done');
    // the entry reads as its sentence and outcome
    await expect(traffic).toContainText('Route HTTPRoute llm/chat: llama-70b-chat 0%, llama-8b-chat 100%');
    await expect(traffic).toContainText('Accepted by the gateway');
    // the rollback of rollback.spec, when it ran in this suite
    if (
      entries.some((e) => e.action === 'rollback' && e.target.startsWith('Deployment llm/llama-70b-chat '))
    ) {
      const rollback = rows
        .filter({ hasText: 'Deployment llm/llama-70b-chat uid=' })
        .filter({ hasText: 'rollback' });
      await expect(rollback.first()).toContainText('done');
    }
    await view.getByRole('button', { name: 'Verify chain' }).click();
    await expect(view.getByTestId('verify-result')).toContainText('Chain intact');
    await saveScreenshot(page, 'audit-after-actions');
  });

  test('restores the previous split from the audit trail', async ({ page }) => {
    test.setTimeout(120_000);
    const card = await openTraffic(page);
    const restore = card.getByTestId('preset-restore');
    await expect(restore).toBeEnabled();
    await restore.click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog.getByTestId('ad-summary')).toHaveText(
      'Route HTTPRoute llm/chat: llama-70b-chat 100%, llama-8b-chat 0%',
    );
    await dialog.getByTestId('ad-confirm-input').fill('chat');
    await dialog.getByTestId('ad-confirm').click();
    await expect(dialog.getByTestId('ad-outcome')).toHaveAttribute('data-status', 'done', {
      timeout: 60_000,
    });
    await dialog.getByTestId('ad-close').click();
    await expect(share(card, 'llama-70b-chat')).toHaveText('100%');
    await expect(share(card, 'llama-8b-chat')).toHaveText('0%');
  });

  test('moves a Knative Service’s traffic back to the previous revision', async ({ page }) => {
    test.setTimeout(120_000);
    await knativeServices().create(EMBEDDER);
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-traffic').click();
    const card = page.locator('[data-testid="route-card"][data-route="embedder"]');
    await expect(card).toContainText('KnativeService');
    await expect(card.getByTestId('route-conditions')).toContainText('Ready');
    await expect(share(card, '@latest')).toHaveText('100%');
    await expect(share(card, 'embedder-00001')).toHaveText('0%');
    await expect(card).toContainText('@latest follows the latest ready revision');

    await card.getByTestId('preset-all:embedder-00001').click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog.getByTestId('ad-summary')).toHaveText(
      'Route KnativeService llm/embedder: @latest 0%, embedder-00001 100%',
    );
    await expect(dialog.getByTestId('ad-diff')).toContainText('percent of embedder-00001');
    await dialog.getByTestId('ad-confirm-input').fill('embedder');
    await dialog.getByTestId('ad-confirm').click();
    const outcome = dialog.getByTestId('ad-outcome');
    await expect(outcome).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(outcome).toContainText('Ready: Knative routes the new split');
    await saveScreenshot(page, 'traffic-knative');
    await dialog.getByTestId('ad-close').click();
    await expect(share(card, '@latest')).toHaveText('0%');
    await expect(share(card, 'embedder-00001')).toHaveText('100%');
    await expect(card.getByTestId('preset-restore')).toBeEnabled();
  });
});
