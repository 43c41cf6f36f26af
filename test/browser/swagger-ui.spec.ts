import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { appEnv } from '../modules/tds/enqueue/enqueue-test-kit.js';
import { describeBrowser, launchChromium, listenOnLoopback, openPage, screenshot, type BrowserPage } from './browser-test-kit.js';

/*
 * Swagger UI at /api/docs, clicked through in headless Chromium under the app's CSP: the page
 * loads, and "Try it out" then "Execute" on GET /api/bff/tds/health gets its 200. The embedded
 * database is enough (nothing but the health check is read), so this needs no server but Chromium.
 */
describeBrowser('Swagger UI in Chromium', () => {
  let testApp: TestApp | undefined;
  let browser: Browser;
  let baseUrl: string;
  let opening: BrowserPage | undefined;

  beforeAll(async () => {
    testApp = await createTestApp({ ...appEnv, DATABASE_URL: '', TDS_DATA_DIR: 'memory' });
    baseUrl = await listenOnLoopback(testApp.app);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await opening?.context.close();
    await browser?.close();
    await testApp?.close();
  });

  it('executes GET /api/bff/tds/health from the Swagger UI page and shows its 200', async () => {
    opening = await openPage(browser);
    const { page, problems } = opening;
    await page.goto(`${baseUrl}/api/docs`);
    const operation = page.locator('.opblock-get', { has: page.locator('[data-path="/api/bff/tds/health"]') });
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    const answered = page.waitForResponse((r) => r.url() === `${baseUrl}/api/bff/tds/health`);
    await operation.locator('button.execute').click();
    expect((await answered).status()).toBe(200);
    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.waitFor();
    expect((await status.textContent())?.trim()).toBe('200');
    expect(await operation.locator('.live-responses-table .response .response-col_description').textContent()).toContain('"status"');
    await operation.scrollIntoViewIfNeeded();
    await screenshot(page, 'swagger-ui-health', false);
    expect(problems).toEqual([]);
  });
});
