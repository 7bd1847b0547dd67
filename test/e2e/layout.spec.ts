import type { Page } from '@playwright/test';
import { configure, e2eEnv } from './env';
import { expect, saveScreenshot, test } from './fixtures';

/**
 * Issue 12 item 8: every view holds from 1024 px wide up, in both themes. Nothing scrolls sideways (the page
 * or any panel in it, charts aside), no header is cut with an ellipsis, and the screenshots are kept for a
 * person to look at (test-results/screenshots/layout-<view>-<width>-<theme>.png).
 */
const views = ['models', 'traffic', 'health', 'gpus', 'cost', 'alerts', 'incident', 'audit', 'settings'];
const sizes = [
  { width: 1024, height: 768 },
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
];

/** Elements that scroll sideways (or the page itself), described for the failure message. */
async function sidewaysScrollers(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1) out.push(`the page (${doc.scrollWidth} > ${doc.clientWidth})`);
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      if (el.closest('canvas, svg, [data-chart], .echarts, [data-scroll-x]')) continue;
      const style = getComputedStyle(el);
      if (style.overflowX !== 'auto' && style.overflowX !== 'scroll') continue;
      if (el.scrollWidth > el.clientWidth + 1) {
        const name = (e: Element) =>
          `${e.tagName.toLowerCase()}.${e.getAttribute('data-testid') ?? e.className}`;
        // the deepest element that sticks out past the scroller's right edge: where to look
        const right = el.getBoundingClientRect().left + el.clientWidth;
        const culprit = Array.from(el.querySelectorAll('*'))
          .filter((c) => c.getBoundingClientRect().right > right + 1)
          .pop();
        out.push(
          `${name(el)} (${el.scrollWidth} > ${el.clientWidth}${culprit ? `, by ${name(culprit)}` : ''})`,
        );
      }
    }
    return out;
  });
}

/** Table headers whose text is cut (ellipsis or hidden overflow). */
async function cutHeaders(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('th'))
      .filter((th) => th.offsetParent !== null && th.scrollWidth > th.clientWidth + 1)
      .map(
        (th) =>
          `${th.innerText.trim()}" (${th.scrollWidth} > ${th.clientWidth} px, in table.${th.closest('table')?.className}`,
      ),
  );
}

test.describe('layout from 1024 px', () => {
  test.beforeAll(async () => {
    const { main, sandbox } = e2eEnv();
    await configure(main, sandbox.prometheusUrl);
  });

  for (const theme of ['dark', 'light'] as const) {
    test(`every view at 1024, 1280 and 1440 px, ${theme} theme: nothing scrolls sideways, no header is cut`, async ({
      page,
    }) => {
      test.setTimeout(180_000);
      const { main } = e2eEnv();
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(main.openUrl);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      const problems: string[] = [];
      for (const size of sizes) {
        await page.setViewportSize(size);
        for (const view of views) {
          await page.getByTestId(`nav-${view}`).click();
          await expect(page.getByTestId(`nav-${view}`)).toHaveAttribute('aria-current', 'page');
          // let the view load its data before measuring (a loading line is narrower than the table)
          await expect(page.locator('.loading-line')).toHaveCount(0, { timeout: 20_000 });
          await page.waitForTimeout(300);
          for (const s of await sidewaysScrollers(page)) problems.push(`${view} at ${size.width}: ${s}`);
          for (const h of await cutHeaders(page))
            problems.push(`${view} at ${size.width}: header "${h}) is cut`);
          await saveScreenshot(page, `layout-${view}-${size.width}-${theme}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
