/**
 * Time, said once (issue 12, item 5): the top bar's UTC / local switch changes every time on screen and names
 * the zone; a URL with a chart range and a model opens Model health on them; a range picked goes to the URL.
 * The browser runs in a zone with an offset (Asia/Kolkata, UTC+5:30) so local and UTC differ.
 */
import { api, configure, e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.use({ timezoneId: 'Asia/Kolkata' });

test.describe('time zone and chart ranges', () => {
  test.beforeAll(async () => {
    await configure(e2eEnv().main, e2eEnv().sandbox.prometheusUrl);
  });

  test('switch to UTC: times change and say UTC, and the choice is kept', async ({ page }) => {
    const { main } = e2eEnv();
    await page.goto(main.openUrl);
    await page.getByTestId('nav-audit').click();
    const cell = page.getByTestId('audit-row').first().locator('td').nth(1);
    await expect(cell).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} GMT\+5:30$/);
    const iso = (await cell.getAttribute('title'))!;
    const local = await cell.textContent();

    await page.getByTestId('time-zone-utc').click();
    await expect(page.getByTestId('time-zone-utc')).toHaveAttribute('aria-pressed', 'true');
    // the same moment, 5:30 earlier on the clock, in UTC
    const utc = `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    await expect(cell).toHaveText(utc);
    expect(local).not.toBe(utc);
    await saveScreenshot(page, 'time-utc');

    await page.reload();
    await expect(page.getByTestId('time-zone-utc')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('audit-row').first().locator('td').nth(1)).toHaveText(/ UTC$/);
    await page.getByTestId('time-zone-local').click();
    await expect(page.getByTestId('audit-row').first().locator('td').nth(1)).toHaveText(/ GMT\+5:30$/);
  });

  test('a URL with a range and a model opens on them; a range picked goes to the URL', async ({ page }) => {
    const { main } = e2eEnv();
    const list = await api<{ models: Array<{ id: string; name: string }> }>(main, 'models.list', {});
    const model = list.models.find((m) => m.name === 'llama-8b-chat')!;
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3600_000);
    const from = new Date(to.getTime() - 2 * 3600_000);
    await page.goto(main.openUrl); // takes the access token
    await page.getByTestId('time-zone-utc').click();
    await page.goto('about:blank'); // the link is opened as a new page load, not a hash change
    await page.goto(
      `${main.url}#/health?model=${encodeURIComponent(model.id)}&from=${from.toISOString()}&to=${to.toISOString()}`,
    );
    const detail = page.locator('[data-testid="model-health"][data-model="llama-8b-chat"]');
    await expect(detail).toBeVisible();
    const custom = page.getByTestId('health-window-custom');
    await expect(custom).toHaveAttribute('aria-pressed', 'true');
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    await expect(custom).toHaveText(
      `${from.toISOString().slice(0, 10)} ${hhmm(from)} – ${to.toISOString().slice(0, 10)} ${hhmm(to)} UTC`,
    );
    await expect(detail.locator('canvas').first()).toBeVisible();
    await saveScreenshot(page, 'health-absolute-range');

    // a relative window: the URL says so, the model kept
    await page.getByTestId('health-window').getByRole('button', { name: '1h', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`model=${encodeURIComponent(model.id)}.*&range=1h$`));

    // an absolute one typed in UTC: the URL carries it as UTC text
    await custom.click();
    await page.getByTestId('health-window-from').fill(`${from.toISOString().slice(0, 10)}T${hhmm(from)}`);
    await page.getByTestId('health-window-to').fill(`${to.toISOString().slice(0, 10)}T${hhmm(to)}`);
    await page.getByTestId('health-window-apply').click();
    await expect(page).toHaveURL(
      new RegExp(
        `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}$`,
      ),
    );
    await page.getByTestId('time-zone-local').click();
  });
});
