import { e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

test.describe('access token', () => {
  test('a wrong token in the URL shows the unauthorized message', async ({ page }) => {
    const { main } = e2eEnv();
    const wrong = 'deadbeef'.repeat(8);
    expect(wrong).not.toBe(main.token);
    await page.goto(`${main.url}#token=${wrong}`);

    const screen = page.getByTestId('access-refused');
    await expect(screen).toBeVisible();
    await expect(screen.getByRole('heading', { name: 'The access token was refused' })).toBeVisible();
    await expect(screen).toContainText('UNAUTHORIZED');
    await expect(screen).toContainText('Open the URL printed by npm run serve (it carries the access token)');
    // nothing of the console is shown behind it
    await expect(page.getByTestId('models-view')).toHaveCount(0);
    expect(page.url()).not.toContain(wrong);
    await saveScreenshot(page, 'unauthorized');

    // the refused token is forgotten: a reload asks for the printed URL
    await page.reload();
    await expect(page.getByTestId('access-no-token')).toBeVisible();
  });

  test('no token at all says where to get one', async ({ page }) => {
    const { main } = e2eEnv();
    await page.goto(main.url);
    const screen = page.getByTestId('access-no-token');
    await expect(screen).toBeVisible();
    await expect(screen).toContainText('Open the URL printed by npm run serve (it carries the access token)');
  });

  test('the right token survives a reload (sessionStorage), without staying in the URL', async ({ page }) => {
    const { fresh } = e2eEnv();
    await page.goto(fresh.openUrl);
    // first start with no cluster: the sample incident's war room
    await expect(page.getByTestId('sample-banner')).toBeVisible();
    expect(page.url()).not.toContain('token=');
    await page.reload();
    await expect(page.getByTestId('sample-banner')).toBeVisible();
  });
});
