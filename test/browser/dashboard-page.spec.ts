import { request } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { rows } from '../support/queue-fixtures.js';
import { eventually } from '../support/spawn-app.js';
import { createTestDatabase, postgresAvailable } from '../support/test-database.js';
import { evaluate } from '../modules/tds/alerts/alerts-test-kit.js';
import { getAs } from '../modules/tds/enqueue/enqueue-test-kit.js';
import {
  drain,
  enqueue,
  KEYS,
  makeDeadLetters,
  newProducts,
  SYNC_RUN_ENV,
  type SyncRunSuite,
} from '../modules/tds/sync-runs/sync-run-test-kit.js';
import { describeBrowser, launchChromium, listenOnLoopback, openPage, pageWidths, screenshot, type BrowserPage } from './browser-test-kit.js';

/*
 * The operator dashboard page (/) in headless Chromium against the real app on a loopback port,
 * under the CSP the app sends. A known workload, made before the page first loads, and nothing
 * running on its own (no workers, relay or jobs), so every number on the page is known:
 * 3 products applied (one completed run), 1 dead-lettered (a failed run) and 4 pending (a
 * pending run); one dead letter is enough for the dead-letter alert here.
 */
const APPLIED = newProducts(3);
const DEAD = newProducts(1);
const PENDING = newProducts(4);

describeBrowser(
  'operator dashboard page in Chromium',
  () => {
    const suite = {} as SyncRunSuite;
    let testApp: TestApp | undefined;
    let browser: Browser;
    let baseUrl: string;
    let alertId: number;
    let openAlerts: number;
    let deadLetterId: number;
    const opened: BrowserPage[] = [];

    beforeAll(async () => {
      suite.database = await createTestDatabase();
      testApp = await createTestApp({ ...SYNC_RUN_ENV, DATABASE_URL: suite.database.url, TDS_ALERT_DEAD_LETTER_THRESHOLD: '1' });
      suite.app = testApp.app;
      suite.db = testApp.app.get(DataSource);

      await enqueue(suite.app, APPLIED);
      await drain(suite.app);
      [deadLetterId] = await makeDeadLetters(suite, DEAD);
      await enqueue(suite.app, PENDING);
      // The dead-letter alert, and whatever other rules find in this workload (the failed run, say).
      ({ open: openAlerts } = await evaluate(suite.app));
      [{ id: alertId }] = await rows<{ id: number }>(suite.db, `SELECT id FROM tds_alerts WHERE rule = 'dead_letter_growth' AND status = 'active'`);

      baseUrl = await listenOnLoopback(suite.app);
      browser = await launchChromium();
    });

    afterEach(async () => {
      // Checked after every test: nothing the page did was refused by the CSP or threw.
      for (const { context, problems } of opened.splice(0)) {
        await context.close();
        expect(problems).toEqual([]);
      }
    });

    afterAll(async () => {
      await browser?.close();
      await testApp?.close();
      await suite.database?.drop();
    });

    /** The page opened in a fresh tab, the key typed into its form, the board shown. */
    async function signIn(key: string, viewport?: { width: number; height: number }): Promise<Page> {
      const opening = await openPage(browser, viewport);
      opened.push(opening);
      const { page } = opening;
      await page.goto(`${baseUrl}/`);
      await page.locator('#key-input').fill(key);
      await page.locator('#key-form button[type=submit]').click();
      return page;
    }

    const tile = (page: Page, name: string) => page.locator(`[data-tile="${name}"] .tile__value`);
    const alertCard = (page: Page) => page.locator(`[data-alert-id="${alertId}"]`);

    async function expectText(page: Page, selector: string, expected: string | RegExp): Promise<void> {
      await eventually(async () => {
        const text = (await page.locator(selector).first().textContent()) ?? '';
        if (typeof expected === 'string') expect(text).toBe(expected);
        else expect(text).toMatch(expected);
      }, 15_000);
    }

    it('serves the page and its two assets without a key, and nothing else from the disk', async () => {
      for (const path of ['/', '/index.html', '/assets/dashboard.js', '/assets/dashboard.css']) {
        const res = await fetch(`${baseUrl}${path}`);
        expect([path, res.status]).toEqual([path, 200]);
      }
      // Sent as written (fetch would resolve the dot segments itself before sending).
      for (const path of ['/assets/', '/assets/dashboard.ts', '/package.json', '/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/dist/web/dashboard/index.html']) {
        expect([path, await statusOfRawPath(baseUrl, path)]).toEqual([path, 404]);
      }
    });

    it('asks for a key, then shows the known numbers, the entity types, the runs, the alert and the dead letter', async () => {
      const opening = await openPage(browser);
      opened.push(opening);
      const { page } = opening;
      const index = await page.goto(`${baseUrl}/`);
      // No key for the page itself, and the app's CSP on it (the page is written for it).
      expect(index?.status()).toBe(200);
      expect(index?.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(await page.locator('#key-form').isVisible()).toBe(true);
      expect(await page.locator('#board').isVisible()).toBe(false);

      await page.locator('#key-input').fill(KEYS.viewer);
      await page.locator('#key-form button[type=submit]').click();
      await expectText(page, '[data-tile="pending"] .tile__value', '4');
      expect(await tile(page, 'processing').textContent()).toBe('0');
      expect(await tile(page, 'retry').textContent()).toBe('0');
      expect(await tile(page, 'dead-letters').textContent()).toBe('1');
      expect(await tile(page, 'received-5m').textContent()).toBe('8');
      expect(await tile(page, 'applied-5m').textContent()).toBe('3');

      const product = page.locator('#entity-types tr', { hasText: 'product' });
      expect(await product.locator('td[data-label="Mirrored"]').textContent()).toBe('3');
      expect(await product.locator('td[data-label="Pending"]').textContent()).toBe('4');
      expect(await product.locator('td[data-label="Open dead letters"]').textContent()).toBe('1');

      expect(await page.locator('#runs [data-run-id]').count()).toBe(3);
      expect(await page.locator('#runs progress').count()).toBe(3);
      expect(await page.locator('#alerts [data-alert-id]').count()).toBe(openAlerts);
      expect(await alertCard(page).locator('strong').textContent()).toBe('Dead letters growing');
      expect(await page.locator('#dead-letters tbody tr').count()).toBe(1);
      expect(await page.locator('#dead-letters tbody tr').textContent()).toContain(DEAD[0].sourceEntityId);
      // The chart is drawn: uPlot's canvas and its series legend.
      expect(await page.locator('#throughput-chart canvas').count()).toBe(1);
      expect(await page.locator('#throughput-chart .u-legend').textContent()).toContain('Received');
      // The key stays in the tab: a reload shows the board without asking again.
      await page.reload();
      await expectText(page, '[data-tile="pending"] .tile__value', '4');
      await screenshot(page, 'dashboard-desktop');
    });

    it('keeps the last dashboard when the server answers 304 Not Modified to its conditional poll', async () => {
      const page = await signIn(KEYS.viewer);
      await expectText(page, '[data-tile="pending"] .tile__value', '4');
      const notModified = await page.waitForResponse((r) => r.url().endsWith('/api/bff/tds/dashboard') && r.status() === 304, { timeout: 15_000 });
      expect(notModified.request().headers()['if-none-match']).toBeTruthy();
      await expectText(page, '[data-tile="pending"] .tile__value', '4');
    });

    it('shows the auth banner and asks again when the key is wrong', async () => {
      const page = await signIn('not-a-key-of-this-app-000000');
      await page.locator('#banner[data-kind="auth"]').waitFor({ state: 'visible' });
      expect(await page.locator('#banner-text').textContent()).toContain('AUTH.INVALID_API_KEY');
      expect(await page.locator('#key-form').isVisible()).toBe(true);
      expect(await page.locator('#board').isVisible()).toBe(false);
      await screenshot(page, 'dashboard-wrong-key');
    });

    it('shows the role banner when a viewer key tries to acknowledge, and nothing changes', async () => {
      const page = await signIn(KEYS.viewer);
      await alertCard(page).locator('button', { hasText: 'Acknowledge' }).click();
      await page.locator('#banner[data-kind="role"]').waitFor({ state: 'visible' });
      expect(await page.locator('#banner-text').textContent()).toContain('AUTH.INSUFFICIENT_ROLE');
      const [alert] = await rows<{ status: string }>(suite.db, `SELECT status FROM tds_alerts WHERE id = $1`, [alertId]);
      expect(alert.status).toBe('active');
    });

    it('acknowledges the alert end to end: the page, the database and the API agree', async () => {
      const page = await signIn(KEYS.operator);
      await alertCard(page).locator('button', { hasText: 'Acknowledge' }).click();
      await expectText(page, `[data-alert-id="${alertId}"] .badge--acknowledged`, 'acknowledged');
      expect(await alertCard(page).locator('button').count()).toBe(0);

      const [stored] = await rows<{ status: string; acknowledgedBy: string }>(
        suite.db,
        `SELECT status, acknowledged_by AS "acknowledgedBy" FROM tds_alerts WHERE id = $1`,
        [alertId],
      );
      expect(stored.status).toBe('acknowledged');
      expect(stored.acknowledgedBy).toMatch(/^operator:/);
      expect(await alertCard(page).textContent()).toContain(`Acknowledged by ${stored.acknowledgedBy}`);
      const listed = await getAs(suite.app, '/api/bff/tds/alerts?status=acknowledged');
      expect(listed.statusCode).toBe(200);
      expect(listed.json().items).toEqual([expect.objectContaining({ id: alertId, status: 'acknowledged', acknowledgedBy: stored.acknowledgedBy })]);
    });

    it('replays the dead letter end to end: it leaves the open list and its replay run appears', async () => {
      const page = await signIn(KEYS.operator);
      const row = page.locator('#dead-letters tbody tr', { hasText: DEAD[0].sourceEntityId });
      await row.locator('button', { hasText: 'Replay' }).click();
      await expectText(page, '#dead-letters', 'No open dead letters.');

      const [stored] = await rows<{ replayedBy: string; syncRunId: number }>(
        suite.db,
        `SELECT d.replayed_by AS "replayedBy", q.sync_run_id::int AS "syncRunId"
         FROM tds_dead_letters d JOIN tds_sync_queue q ON q.id = d.replay_queue_item_id WHERE d.id = $1`,
        [deadLetterId],
      );
      expect(stored.replayedBy).toMatch(/^operator:/);
      expect(await page.locator('#notice').textContent()).toBe(`Dead letter #${deadLetterId} replayed in run #${stored.syncRunId}.`);
      await expectText(page, `#runs [data-run-id="${stored.syncRunId}"] strong`, `#${stored.syncRunId} replay`);
      await expectText(page, '[data-tile="dead-letters"] .tile__value', '0');
      await expectText(page, '[data-tile="pending"] .tile__value', '5');
      const open = await getAs(suite.app, '/api/bff/tds/dead-letter?resolved=false');
      expect(open.json().items).toEqual([]);
    });

    it("finds a record's timeline, and says so when there is no such record", async () => {
      const page = await signIn(KEYS.viewer);
      const [record] = APPLIED;
      await page.locator('#timeline-type').fill('product');
      await page.locator('#timeline-id').fill(record.sourceEntityId);
      await page.locator('#timeline-form button[type=submit]').click();
      await expectText(page, '#timeline h3', `product / ${record.sourceEntityId}`);
      expect(await page.locator('#timeline [data-timeline="current"]').textContent()).toMatch(
        new RegExp(`^Version ${Date.parse(record.version)} from zoho, synced `),
      );
      expect(await page.locator('#timeline li[data-kind="applied"]').count()).toBe(1);
      await screenshot(page, 'dashboard-timeline');

      // What the user typed comes back as text, not markup.
      await page.locator('#timeline-id').fill('<img src=x>');
      await page.locator('#timeline-form button[type=submit]').click();
      await expectText(page, '#timeline', 'No record product / <img src=x> is known.');
      expect(await page.locator('#timeline img').count()).toBe(0);
    });

    it('fits a 390 px wide phone without sideways scrolling', async () => {
      const page = await signIn(KEYS.viewer, { width: 390, height: 844 });
      await expectText(page, '[data-tile="pending"] .tile__value', '5');
      await page.locator('#timeline-type').fill('product');
      await page.locator('#timeline-id').fill(APPLIED[0].sourceEntityId);
      await page.locator('#timeline-form button[type=submit]').click();
      await page.locator('#timeline li[data-kind="applied"]').waitFor();
      const [scrollWidth, clientWidth] = await pageWidths(page);
      expect(clientWidth).toBe(390);
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
      await screenshot(page, 'dashboard-390px');
    });

    it('shows the unreachable banner while the API does not answer, keeping the last numbers, and clears it when it is back', async () => {
      const page = await signIn(KEYS.viewer);
      await expectText(page, '[data-tile="pending"] .tile__value', '5');
      await page.route('**/api/bff/tds/**', (route) => route.abort('connectionrefused'));
      await page.locator('#banner[data-kind="unreachable"]').waitFor({ state: 'visible', timeout: 15_000 });
      expect(await page.locator('#banner-text').textContent()).toMatch(/^The API is unreachable \(no answer\); retrying every 5 s\. Showing the data of /);
      expect(await tile(page, 'pending').textContent()).toBe('5');
      await screenshot(page, 'dashboard-unreachable');
      await page.unroute('**/api/bff/tds/**');
      await page.locator('#banner').waitFor({ state: 'hidden', timeout: 15_000 });
    });
  },
  postgresAvailable,
);

/** The status of a GET of `path` exactly as given, dot segments and escapes untouched. */
function statusOfRawPath(baseUrl: string, path: string): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    request({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}
