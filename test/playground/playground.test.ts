import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@stipple/test-support/worker-process';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalStackProcess,
  STACK_TEST_TIMEOUT_MS,
  startLocalStackProcess,
} from '../local-stack/local-stack-process.ts';

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
  localStorage: { getItem(key: string): string | null };
}

/** An element as the layout checks read it. */
interface LaidOut {
  id: string;
  textContent: string;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  parentElement: LaidOut;
  style: Record<string, string>;
  getBoundingClientRect(): { width: number; height: number };
  cloneNode(deep: boolean): LaidOut;
  append(child: LaidOut): void;
  remove(): void;
}
interface LayoutGlobals {
  document: {
    scrollingElement: LaidOut;
    querySelector(selector: string): LaidOut | null;
    querySelectorAll(selector: string): Iterable<LaidOut>;
  };
  getComputedStyle(element: LaidOut): { lineHeight: string };
}

/**
 * What does not fit at the page's width: the page scrolling sideways, and each select narrower than its longest
 * option. A select clips its text without counting it in its scrollWidth (Chromium reports scrollWidth ==
 * clientWidth however cut the text is), so a copy at its natural width (longest option, padding and arrow) is
 * measured against it instead.
 */
function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as LayoutGlobals;
    const problems: string[] = [];
    const root = document.scrollingElement;
    if (root.scrollWidth > root.clientWidth)
      problems.push(`the page is ${root.scrollWidth} px wide in ${root.clientWidth}`);
    for (const select of document.querySelectorAll('select')) {
      const copy = select.cloneNode(true);
      Object.assign(copy.style, { width: 'auto', position: 'absolute', visibility: 'hidden' });
      select.parentElement.append(copy);
      const needed = copy.getBoundingClientRect().width;
      copy.remove();
      const width = select.getBoundingClientRect().width;
      if (needed > width) problems.push(`#${select.id} is ${width} px wide; its longest option needs ${needed}`);
    }
    return problems;
  });
}

/** The size menu's choices, as the page offers them. */
function sizeOptions(page: Page): Promise<string[]> {
  return page.$$eval('#size option', (options) => options.map((option) => option.textContent ?? ''));
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
      // The local stack's catalogue: tiny-shapes draws 64² only, so that is all the size menu offers.
      expect(await sizeOptions(page)).toEqual(['64x64']);
      // No empty result panel before the first job.
      expect(await page.isVisible('#result')).toBe(false);
      expect(await layoutProblems(page)).toEqual([]);

      // Long enough (a second or more on a CPU) for the event stream to report steps before the end.
      const shown = await generate(page, 'a red circle on a blue background', { '#steps': '150' });
      expect(shown.naturalWidth).toBe(64);
      expect(shown.progressEvents).toBeGreaterThan(0);
      expect(shown.previewEvents).toBeGreaterThan(0);
      expect(shown.progress).toEqual([150, 150]);
      expect(shown.status).toMatch(/^Done: 1 image, \d+ credits?\.$/);
      expect(shown.caption).toContain('seed 7');
      expect(JSON.parse(shown.record!)).toMatchObject({
        prompt: 'a red circle on a blue background',
        seeds: [7],
        width: 64,
        steps: 150,
      });
      await page.waitForFunction(
        () => (globalThis as unknown as PageGlobals).document.querySelectorAll('#jobs li img').length === 1,
      );
      // The recent job's card leads with its prompt, whole.
      expect(
        await page.evaluate(() => {
          const prompt = (globalThis as unknown as LayoutGlobals).document.querySelector('#jobs li q');
          return prompt && { text: prompt.textContent, clipped: prompt.scrollHeight > prompt.clientHeight };
        }),
      ).toEqual({ text: 'a red circle on a blue background', clipped: false });
      expect(await layoutProblems(page)).toEqual([]);
      expect(await page.textContent('#credits')).toMatch(/^\d+ credits left$/);

      await page.click('#copy-curl');
      const curl = await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.clipboard.readText());
      expect(curl).toContain(`curl ${stack.url}/v1/jobs`);
      expect(curl).toContain('"prompt":"a red circle on a blue background"');
      expect(curl).not.toContain(stack.key);

      await page.screenshot({ path: join(OUTPUT_DIR, 'playground.png'), fullPage: true });
      await page.reload();
      expect(await page.inputValue('#api-key')).toBe(stack.key);

      // The key is kept for this tab only: another tab starts without it, until the user ticks "Remember".
      const otherTab = await context.newPage();
      await otherTab.goto(stack.url);
      expect(await otherTab.inputValue('#api-key')).toBe('');
      await page.check('#remember-key');
      await otherTab.reload();
      expect(await otherTab.inputValue('#api-key')).toBe(stack.key);
      expect(await otherTab.isChecked('#remember-key')).toBe(true);
      await otherTab.close();

      await page.goto(`${stack.url}/docs`);
      expect(await layoutProblems(page)).toEqual([]);
      expect(problems).toEqual([]);

      // A new #key= link opened in a tab already on the playground (only the hash changes) replaces the stored key.
      await page.goto(stack.url);
      const newKey = `sk_test_${'N'.repeat(43)}`;
      await page.goto(`${stack.url}/#key=${newKey}`);
      await page.waitForFunction(() => (globalThis as unknown as { location: { hash: string } }).location.hash === '');
      expect(await page.inputValue('#api-key')).toBe(newKey);
      expect(
        await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('stipple.apiKey')),
      ).toBe(newKey);
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
      await page.waitForSelector('#model option:text-is("tiny-shapes")', { state: 'attached' });
      expect(await layoutProblems(page)).toEqual([]);
      // Ten-digit seeds under two images: each caption stays on one line.
      const shown = await generate(page, 'a green triangle', { '#seed': '4294967290', '#n': '2' });
      expect(shown.naturalWidth).toBe(64);
      const captions = await page.evaluate(() => {
        const { document, getComputedStyle } = globalThis as unknown as LayoutGlobals;
        return [...document.querySelectorAll('#images figcaption')].map((element) => ({
          lines: Math.round(
            element.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(element).lineHeight),
          ),
          clipped: element.scrollWidth > element.clientWidth,
        }));
      });
      expect(captions).toEqual([
        { lines: 1, clipped: false },
        { lines: 1, clipped: false },
      ]);
      await page.click('#images details summary');
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await layoutProblems(page)).toEqual([]);
      await page.screenshot({ path: join(OUTPUT_DIR, 'playground-phone.png'), fullPage: true });
      await page.goto(`${stack.url}/docs`);
      expect(await layoutProblems(page)).toEqual([]);
      await page.screenshot({ path: join(OUTPUT_DIR, 'docs-phone.png'), fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    },
    STACK_TEST_TIMEOUT_MS,
  );
});
