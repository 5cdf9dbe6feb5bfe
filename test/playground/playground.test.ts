import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalStackProcess,
  STACK_TEST_TIMEOUT_MS,
  startLocalStackProcess,
} from '../local-stack/local-stack-process.ts';
import { freePort } from '../support/worker-process.ts';

const OUTPUT_DIR = resolve(import.meta.dirname, '../output');
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path) => path && existsSync(path),
);
const SKIPPED = CHROMIUM
  ? ''
  : ' (skipped: no Chromium at CHROMIUM_PATH, /usr/bin/chromium or /usr/bin/chromium-browser; apt-get install chromium)';

/**
 * The little of the browser these checks read. This project's TypeScript has no DOM types (it targets Node and
 * workerd), and page functions cannot be strings: the page's Content-Security-Policy forbids eval, as it should.
 */
interface PageGlobals {
  document: {
    querySelector(selector: string): { complete: boolean; naturalWidth: number; value: number; max: number } | null;
    querySelectorAll(selector: string): { length: number };
    documentElement: { scrollWidth: number };
  };
  innerWidth: number;
  navigator: { clipboard: { readText(): Promise<string> } };
}

/** Problems the page reported: script errors, failed requests, Content-Security-Policy violations. */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return problems;
}

/**
 * Types a prompt (and any other fields), clicks Generate and waits until the first image has loaded; returns what the
 * page showed.
 */
async function generate(page: Page, prompt: string, fields: Record<string, string> = {}) {
  await page.fill('#prompt', prompt);
  await page.fill('#seed', '7');
  for (const [selector, value] of Object.entries(fields)) {
    if (selector === '#size') await page.selectOption(selector, value);
    else await page.fill(selector, value);
  }
  await page.click('#generate');
  await page.waitForFunction(
    () => {
      const image = (globalThis as unknown as PageGlobals).document.querySelector('#images figure img');
      return image?.complete && image.naturalWidth > 0;
    },
    undefined,
    { timeout: 60_000 },
  );
  return {
    progressEvents: Number(await page.getAttribute('#progress', 'data-events')),
    previewEvents: Number(await page.getAttribute('#previews', 'data-events')),
    progress: await page.evaluate(() => {
      const bar = (globalThis as unknown as PageGlobals).document.querySelector('#progress');
      return [bar?.value, bar?.max];
    }),
    status: await page.textContent('#status'),
    caption: await page.textContent('#images figcaption'),
    record: await page.textContent('#images pre'),
    naturalWidth: await page.evaluate(
      () => (globalThis as unknown as PageGlobals).document.querySelector('#images figure img')?.naturalWidth,
    ),
  };
}

describe.skipIf(!CHROMIUM)(`the playground in headless Chromium${SKIPPED}`, () => {
  let stack: LocalStackProcess;
  let browser: Browser;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'stipple-playground-'));
    [stack, browser] = await Promise.all([
      startLocalStackProcess({ STIPPLE_STATE_DIR: stateDir, PORT: String(await freePort()) }),
      // No sandbox: CI runs as root, which Chromium's sandbox refuses.
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    ]);
    await mkdir(OUTPUT_DIR, { recursive: true });
  }, STACK_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await stack?.interrupt();
    await rm(stateDir, { recursive: true, force: true });
  }, STACK_TEST_TIMEOUT_MS);

  it(
    'takes the key from the printed link, shows progress, and shows the image with its seed and record',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
      const page = await context.newPage();
      const problems = watchForProblems(page);
      await page.goto(`${stack.url}/#key=${stack.key}`);
      expect(await page.inputValue('#api-key')).toBe(stack.key);
      expect(new URL(page.url()).hash).toBe('');
      await page.waitForSelector('#model option:text-is("tiny-shapes")', { state: 'attached' });

      // Big enough and long enough (a few seconds on a CPU) for the event stream to report steps before the end.
      const shown = await generate(page, 'a red circle on a blue background', { '#size': '128x128', '#steps': '50' });
      expect(shown.naturalWidth).toBe(128);
      expect(shown.progressEvents).toBeGreaterThan(0);
      expect(shown.previewEvents).toBeGreaterThan(0);
      expect(shown.progress).toEqual([50, 50]);
      expect(shown.status).toMatch(/^Done: 1 image, \d+ credits?\.$/);
      expect(shown.caption).toContain('seed 7');
      expect(JSON.parse(shown.record!)).toMatchObject({
        prompt: 'a red circle on a blue background',
        seeds: [7],
        width: 128,
        steps: 50,
      });
      await page.waitForFunction(
        () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#jobs li img').length === 1,
      );
      expect(await page.textContent('#credits')).toMatch(/^\d+ credits left$/);

      await page.click('#copy-curl');
      const curl = await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText());
      expect(curl).toContain(`curl ${stack.url}/v1/jobs`);
      expect(curl).toContain('"prompt":"a red circle on a blue background"');
      expect(curl).not.toContain(stack.key);

      await page.screenshot({ path: join(OUTPUT_DIR, 'playground.png'), fullPage: true });
      await page.reload();
      expect(await page.inputValue('#api-key')).toBe(stack.key);
      expect(problems).toEqual([]);
      await context.close();
    },
    STACK_TEST_TIMEOUT_MS,
  );

  it(
    'fits a phone-sized screen with no sideways scrolling, before and after a job',
    async () => {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      const page = await context.newPage();
      const problems = watchForProblems(page);
      await page.goto(`${stack.url}/#key=${stack.key}`);
      const overflow = () =>
        page.evaluate(() => {
          const page = globalThis as unknown as PageGlobals;
          return page.document.documentElement.scrollWidth - page.innerWidth;
        });
      expect(await overflow()).toBeLessThanOrEqual(0);
      const shown = await generate(page, 'a green triangle');
      expect(shown.naturalWidth).toBe(64);
      await page.click('#images details summary');
      expect(await overflow()).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(OUTPUT_DIR, 'playground-phone.png'), fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    },
    STACK_TEST_TIMEOUT_MS,
  );
});
