import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { isCi } from '../support/global-setup.js';

/** Debian's chromium (`.ci/run` installs it); TEST_CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.TEST_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of every browser test, for a human to look at (git-ignored). */
const ARTIFACTS = join(__dirname, '..', '..', 'artifacts');

/**
 * `describe` for suites that drive a real browser. Without Chromium the suite is skipped with a
 * loud notice, or, on CI, fails: skipped coverage must not pass unnoticed there.
 * `needs` adds the suite's other prerequisites (the PostgreSQL server, say).
 */
export function describeBrowser(name: string, fn: () => void, needs: () => boolean = () => true): void {
  if (!existsSync(CHROMIUM_PATH)) {
    if (isCi()) throw new Error(`CI: Chromium is missing at ${CHROMIUM_PATH} (apt-get install chromium, or set TEST_CHROMIUM_PATH)`);
    const bar = '!'.repeat(78);
    console.warn(
      [
        '',
        bar,
        `!!  CHROMIUM MISSING at ${CHROMIUM_PATH}: the browser suite "${name}" is SKIPPED.`,
        '!!  Install it (apt-get install chromium) or set TEST_CHROMIUM_PATH. With CI=true this fails instead.',
        bar,
        '',
      ].join('\n'),
    );
    describe.skip(name, fn);
    return;
  }
  (needs() ? describe : describe.skip)(name, fn);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Listens on a free loopback port, as a browser needs; returns the base URL. */
export async function listenOnLoopback(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and Content-Security-Policy refusals seen so far: a page that works only without the CSP fails here. */
  problems: string[];
}

/** A fresh context (its own sessionStorage: no key yet) and page, watched for script errors and CSP refusals. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<BrowserPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return { context, page, problems };
}

/** artifacts/<name>.png: the whole page, or what the viewport shows (`fullPage` false, for a very long page). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

/** `document.scrollingElement`'s scroll and client widths: equal when nothing sticks out sideways. */
export function pageWidths(page: Page): Promise<[number, number]> {
  // A string, evaluated in the page: the test tsconfig has no DOM types.
  return page.evaluate<[number, number]>('[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]');
}
