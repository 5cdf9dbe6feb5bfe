import { SCHEDULERS } from '@stipple/jobs';
import { type Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { PLAYGROUND_SCRIPT, PLAYGROUND_STYLESHEET } from '../playground/playground-assets.js';
import { playgroundPage } from '../playground/playground-page.ts';

/**
 * The result store that presigns the output URLs and the upload URLs (`S3_ENDPOINT`), else AWS S3: the page loads
 * images from it and PUTs input images to it.
 */
function storeOrigin(c: Context<AppContext>): string {
  return c.env.S3_ENDPOINT ? new URL(c.env.S3_ENDPOINT).origin : 'https://*.amazonaws.com';
}

/**
 * The page's own script and stylesheet only, images from the store (previews arrive as data URLs, a picked input image
 * is shown from a blob URL), the API on this origin and uploads to the store only, no framing (clickjacking), no forms
 * posted elsewhere; the key lives in sessionStorage (localStorage if the user asks) and travels in headers, never in
 * a URL the page loads.
 */
function securityHeaders(c: Context<AppContext>): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      `img-src 'self' data: blob: ${storeOrigin(c)}`,
      `connect-src 'self' ${storeOrigin(c)}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/** One of the playground's files (bundled into the Worker by build-playground.ts), with the page's headers. */
function asset(c: Context<AppContext>, body: string, contentType: string): Response {
  return c.body(body, 200, { ...securityHeaders(c), 'content-type': contentType });
}

/**
 * The playground at `/` (docs/router.md): a page, its script and its stylesheet (bundled into the Worker by
 * build-playground.ts), all with the page's headers; open, like `/docs`.
 */
export const playgroundRoutes = new Hono<AppContext>()
  .get('/', (c) => c.html(playgroundPage(SCHEDULERS), 200, securityHeaders(c)))
  .get('/playground.js', (c) => asset(c, PLAYGROUND_SCRIPT, 'text/javascript; charset=utf-8'))
  .get('/playground.css', (c) => asset(c, PLAYGROUND_STYLESHEET, 'text/css; charset=utf-8'));
