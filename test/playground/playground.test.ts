import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3ClientFor } from '@stipple/test-support/s3-server';
import { freePort } from '@stipple/test-support/worker-process';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
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

/** A phone's screen, as Playwright emulates one: narrow, dense, touch. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** What a browser-side DataTransfer needs, for a file dropped on the page (no DOM types here: see PageGlobals). */
interface DropGlobals {
  atob(base64: string): string;
  File: new (parts: Uint8Array[], name: string, options: { type: string }) => unknown;
  DataTransfer: new () => { items: { add(file: unknown): void } };
}

/** A 64² scene as tiny-shapes draws them: a red circle on a blue background. */
const scene = () =>
  sharp(
    Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#2040c0"/>' +
        '<circle cx="32" cy="32" r="14" fill="#d02020"/></svg>',
    ),
  )
    .png()
    .toBuffer();

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Where the page PUTs files: the presigned upload URLs it is given, without their signatures. */
function watchUploads(page: Page): string[] {
  const targets: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'PUT') targets.push(request.url().split('?')[0]);
  });
  return targets;
}

/** Checks a mask is the scene's size, white (repaint) at each of `painted`'s (x, y), black at each of `kept`'s. */
async function expectMask(mask: Buffer, painted: [number, number][], kept: [number, number][]) {
  const { data, info } = await sharp(mask).greyscale().raw().toBuffer({ resolveWithObject: true });
  const levels = (points: [number, number][]) => points.map(([x, y]) => data[y * info.width + x]);
  expect({ size: [info.width, info.height], painted: levels(painted), kept: levels(kept) }).toEqual({
    size: [64, 64],
    painted: painted.map(() => 255),
    kept: kept.map(() => 0),
  });
}

interface InputView {
  upload_id: string;
  sha256: string;
}

/**
 * The page's latest job, as the router holds it, checked against the bucket: the page PUT the image and the mask
 * straight to the store (not through the router), the image byte for byte, and the job names both by digest; returns
 * the mask as stored.
 */
async function checkEditJob(stack: LocalStackProcess, image: Buffer, puts: string[], strength: number) {
  const response = await fetch(`${stack.url}/v1/jobs?limit=1`, { headers: { authorization: `Bearer ${stack.key}` } });
  type Job = { input: { image: InputView; mask: InputView; strength: number }; records: unknown[] };
  const [job] = ((await response.json()) as { data: Job[] }).data;
  const store = /^\[s3\] serving .+ at (\S+)$/m.exec(stack.output())![1];
  const stored = async ({ upload_id }: InputView) => {
    const key = puts.find((url) => url.startsWith(`${store}/`) && url.endsWith(`/${upload_id}`));
    expect(key, `a PUT of ${upload_id} to the store at ${store}`).toBeDefined();
    const s3 = s3ClientFor({ endpoint: store });
    const [, bucket, ...path] = new URL(key!).pathname.split('/');
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: path.join('/') }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    s3.destroy();
    return bytes;
  };
  expect(puts).toHaveLength(2);
  expect((await stored(job.input.image)).equals(image)).toBe(true);
  const mask = await stored(job.input.mask);
  expect(job.input).toMatchObject({
    image: { upload_id: expect.stringMatching(/^upl_/), sha256: sha256(image) },
    mask: { upload_id: expect.stringMatching(/^upl_/), sha256: sha256(mask) },
    strength,
  });
  expect(job.records[0]).toMatchObject({
    edit: { image_sha256: sha256(image), mask_sha256: sha256(mask), strength },
  });
  return mask;
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

  /** The playground in a new tab with the stack's key, once it lists the model; watching for problems and uploads. */
  async function openPlayground(context: BrowserContext) {
    const page = await context.newPage();
    const watched = { page, problems: watchForProblems(page), uploads: watchUploads(page) };
    await page.goto(`${stack.url}/#key=${stack.key}`);
    await page.waitForSelector('#model option:text-is("tiny-shapes")', { state: 'attached' });
    return watched;
  }

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
      const context = await browser.newContext(PHONE);
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

  it(
    'starts from a picked image with a mask painted by mouse: refuses bad files, uploads both, shows the result',
    async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const { page, problems, uploads } = await openPlayground(context);
      expect(await page.isVisible('#image-editor')).toBe(false);

      await page.setInputFiles('#image-file', {
        name: 'notes.png',
        mimeType: 'image/png',
        buffer: Buffer.from('not an image at all'),
      });
      await page.waitForSelector('#status.error:text-is("notes.png is not a PNG, JPEG or WebP image")');
      await page.setInputFiles('#image-file', {
        name: 'huge.png',
        mimeType: 'image/png',
        buffer: Buffer.alloc(21 * 1024 * 1024),
      });
      await page.waitForSelector('#status.error:text-is("huge.png is 21.0 MiB; use an image of at most 20.0 MiB")');
      expect(await page.isVisible('#image-editor')).toBe(false);

      const image = await scene();
      await page.setInputFiles('#image-file', { name: 'scene.png', mimeType: 'image/png', buffer: image });
      await page.waitForSelector('#image-editor', { state: 'visible' });
      expect(await page.textContent('#status')).toBe('');
      // Image-to-image until something is painted, at the router's default strength.
      expect(await page.textContent('#strength-value')).toBe('0.80');
      expect(await page.textContent('#edit-mode')).toMatch(/^Image-to-image/);
      expect(await layoutProblems(page)).toEqual([]);

      // A stroke across the circle, from a quarter of the way in to three quarters, at half height.
      const canvas = page.locator('#mask-canvas');
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      await page.waitForSelector('#mask-canvas[data-strokes="1"]', { state: 'attached' });
      expect(await page.textContent('#strength-value')).toBe('1.00');
      expect(await page.textContent('#edit-mode')).toMatch(/^Inpainting/);
      // The user's strength: two steps of 0.05 down, by keyboard.
      await page.focus('#strength');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      expect(await page.textContent('#strength-value')).toBe('0.90');

      const shown = await generate(page, 'a green triangle on a blue background', { '#steps': '20' });
      expect(shown.naturalWidth).toBe(64);
      expect(shown.status).toMatch(/^Done: 1 image, \d+ credits?\.$/);
      const mask = await checkEditJob(stack, image, uploads, 0.9);
      // White along the stroke, black far from it (the top corners).
      await expectMask(
        mask,
        [
          [20, 32],
          [32, 32],
          [44, 32],
        ],
        [
          [2, 2],
          [61, 2],
        ],
      );

      // Invert, then clear: back to image-to-image, and the strength the user chose stays.
      await page.click('#invert-mask');
      expect(await page.textContent('#edit-mode')).toMatch(/^Inpainting/);
      await page.click('#clear-mask');
      expect(await page.textContent('#edit-mode')).toMatch(/^Image-to-image/);
      expect(await page.textContent('#strength-value')).toBe('0.90');
      await page.screenshot({ path: join(OUTPUT_DIR, 'playground-edit.png'), fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    },
    STACK_TEST_TIMEOUT_MS,
  );

  it(
    'takes a dropped image and a mask painted with a finger on a phone',
    async () => {
      const context = await browser.newContext(PHONE);
      const { page, problems, uploads } = await openPlayground(context);

      const image = await scene();
      const dataTransfer = await page.evaluateHandle((base64) => {
        const { atob, File, DataTransfer } = globalThis as unknown as DropGlobals;
        const transfer = new DataTransfer();
        const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
        transfer.items.add(new File([bytes], 'scene.png', { type: 'image/png' }));
        return transfer;
      }, image.toString('base64'));
      await page.dispatchEvent('#edit', 'drop', { dataTransfer });
      await page.waitForSelector('#image-editor', { state: 'visible' });
      expect(await layoutProblems(page)).toEqual([]);

      // A finger drawn down the middle of the image: touch events, as a phone's screen sends them.
      const canvas = page.locator('#mask-canvas');
      await canvas.scrollIntoViewIfNeeded();
      const box = (await canvas.boundingBox())!;
      const x = box.x + box.width / 2;
      const touch = await context.newCDPSession(page);
      await touch.send('Input.dispatchTouchEvent', {
        type: 'touchStart',
        touchPoints: [{ x, y: box.y + box.height * 0.25 }],
      });
      for (const fraction of [0.4, 0.55, 0.75]) {
        await touch.send('Input.dispatchTouchEvent', {
          type: 'touchMove',
          touchPoints: [{ x, y: box.y + box.height * fraction }],
        });
      }
      await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await page.waitForSelector('#mask-canvas[data-strokes="1"]', { state: 'attached' });
      // The page stayed put: the finger painted instead of scrolling.
      expect((await canvas.boundingBox())!.y).toBe(box.y);

      const shown = await generate(page, 'a green triangle on a blue background', { '#steps': '10' });
      expect(shown.naturalWidth).toBe(64);
      const mask = await checkEditJob(stack, image, uploads, 1);
      await expectMask(
        mask,
        [
          [32, 20],
          [32, 32],
          [32, 44],
        ],
        [
          [4, 32],
          [59, 32],
        ],
      );
      await page.screenshot({ path: join(OUTPUT_DIR, 'playground-edit-phone.png'), fullPage: true });
      expect(problems).toEqual([]);
      await context.close();
    },
    STACK_TEST_TIMEOUT_MS,
  );
});
