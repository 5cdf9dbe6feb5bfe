import { SCHEDULERS } from '@stipple/jobs';
import { type Context, Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';
import { playgroundPage } from '../playground/playground-page.ts';
import { PLAYGROUND_SCRIPT } from '../playground/playground-script.ts';
import { PLAYGROUND_CSS } from '../playground/playground-style.ts';

/**
 * Where the page may load images from: the result store that presigns the output URLs (`S3_ENDPOINT`), else AWS S3.
 * Previews arrive as data URLs.
 */
function imageSources(c: Context<AppContext>): string {
  const endpoint = c.env.S3_ENDPOINT ? new URL(c.env.S3_ENDPOINT).origin : 'https://*.amazonaws.com';
  return `'self' data: ${endpoint}`;
}

/**
 * The page's own script and stylesheet only, the API on this origin only, no framing (clickjacking), no forms
 * posted elsewhere; the key lives in sessionStorage (localStorage if the user asks) and travels in headers, never in
 * a URL the page loads.
 */
function securityHeaders(c: Context<AppContext>): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      `img-src ${imageSources(c)}`,
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

/** The playground at `/` (docs/router.md): a page, its script and its stylesheet; open, like `/docs`. */
export const playgroundRoutes = new Hono<AppContext>()
  .get('/', (c) => c.html(playgroundPage(SCHEDULERS), 200, securityHeaders(c)))
  .get('/playground.js', (c) =>
    c.body(PLAYGROUND_SCRIPT, 200, { ...securityHeaders(c), 'content-type': 'text/javascript; charset=utf-8' }),
  )
  .get('/playground.css', (c) =>
    c.body(PLAYGROUND_CSS, 200, { ...securityHeaders(c), 'content-type': 'text/css; charset=utf-8' }),
  );
