/**
 * Bundles the playground (playground/*.ts, browser TypeScript) into the Worker's static assets, `dist/assets`
 * (wrangler.jsonc `assets`): `playground.js` and `playground.css`. Not committed: `npm start`
 * (packages/cli/src/local-stack/router-in-workerd.ts), the tests (vitest.config.ts) and the deploy (infra/deploy-router.ts)
 * run it before they start the router, so the assets always match the sources. Run by hand:
 * `node --import tsx functions/router/build-playground.ts`.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const SOURCES = resolve(import.meta.dirname, 'playground');
/** wrangler.jsonc's `assets.directory`. */
export const PLAYGROUND_ASSETS = resolve(import.meta.dirname, 'dist/assets');

export async function buildPlayground(): Promise<void> {
  await mkdir(PLAYGROUND_ASSETS, { recursive: true });
  await build({
    entryPoints: [join(SOURCES, 'playground.ts')],
    outfile: join(PLAYGROUND_ASSETS, 'playground.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of the last few years; `<script type="module">` needs one anyway.
    target: 'es2022',
    logLevel: 'warning',
  });
  await copyFile(join(SOURCES, 'playground.css'), join(PLAYGROUND_ASSETS, 'playground.css'));
}

if (process.argv[1] === import.meta.filename) await buildPlayground();
