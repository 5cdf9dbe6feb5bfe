import { Hono } from 'hono';
import type { AppContext } from '../http/app-context.ts';

/** Stipple's icon: four white dots of falling size on blue, the stippling in the name. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2456d3"/>' +
  '<circle cx="5" cy="5.5" r="2.2" fill="#fff"/><circle cx="11" cy="5" r="1.5" fill="#fff"/>' +
  '<circle cx="6.5" cy="11.5" r="1.3" fill="#fff"/><circle cx="11.5" cy="11" r="0.9" fill="#fff"/></svg>';

/**
 * The same icon as an ICO holding one 32×32 PNG (an ICONDIR and one ICONDIRENTRY, then the PNG; ICO allows PNG images
 * since Windows Vista), for clients that ask for `/favicon.ico` without reading the pages' `<link rel="icon">`.
 * Made from FAVICON_SVG with sharp (`resize(32, 32).png({ palette: true })`).
 */
const FAVICON_ICO = Uint8Array.from(
  atob(
    'AAABAAEAICAAAAEAIADuAQAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgDAAAARKSKxgAAAJBQTFRFTGlxI1XTI1bSI1XTI1XSJVXPKl' +
      'XUI1bSI1bSJEjaI1bSI1XSI1XSJVXSJFbTI1XSJFbT////KVrUP2vYmbDqucnxPmrYcJHikqvp/P3+6e77/f7/pLntP2vZcJDikarpPWnY8fT8' +
      '6u77prrtuMjxmK/qkKrp6O36orfs8vX88PT86u/7mrHro7jtk6vpQGzZG+Yw+wAAABB0Uk5TAMdt9GwbBs/zB8nI0G7G8UJ9hRgAAAAJcEhZcw' +
      'AAFiUAABYlAUlSJPAAAADoSURBVDjLvZPHEoMwDESVhFBSLYzphPRe/v/v4kIOjEHcsqfV8GwtHgkAguV8wjo0mY8DkJouWK+8qTxPfJdEAEtG' +
      'yoEZDYzApwEffo4nSdxFNEB4KBCLMjTFc59HYRs4oFapi0jZqAXwwgCZ7rJX9tECEmy0UVWu3IUAdItTu0XWtNjqkFFuhSwN8Or/zVLGzK5hL8' +
      'BYnGy2xEP1689AlabcuI8QlQ1UN8SdIQSisIG3eqr0BxxtIFXA2VwmjtwG+A7xHlMheV3bUzc0tOvhsR8PLU7gkavnyuX16OUFcJ1RZ1J/5bgA' +
      'Xy7AQb2WBNK1AAAAAElFTkSuQmCC',
  ),
  (character) => character.charCodeAt(0),
);

/** A day: the icon changes with a deploy, if ever. */
const ICON_CACHE = 'public, max-age=86400';

/** `/favicon.svg` (what the playground and `/docs` link to) and `/favicon.ico`; open, like the pages. */
export const faviconRoutes = new Hono<AppContext>()
  .get('/favicon.svg', (c) =>
    c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': ICON_CACHE }),
  )
  .get('/favicon.ico', (c) =>
    c.body(FAVICON_ICO, 200, { 'content-type': 'image/x-icon', 'cache-control': ICON_CACHE }),
  );
