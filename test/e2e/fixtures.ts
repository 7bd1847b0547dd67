import fs from 'node:fs';
import path from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { screenshotDir } from './env';

/**
 * `page` fails the test on any uncaught exception in the console (a blank-screen bug would otherwise
 * pass as long as the asserted text happened to render).
 */
export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

export { expect };

/** Saves `test-results/screenshots/<name>.png` (animations stopped, no caret) for people to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({
    path: path.join(screenshotDir, `${name}.png`),
    animations: 'disabled',
    caret: 'hide',
  });
}
