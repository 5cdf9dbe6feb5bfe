import { describe, expect, it } from 'vitest';
import { call } from './router-fixture.ts';

describe('the playground at /', () => {
  it('serves a page whose policy allows its own script and style, the API here, images from the store and uploads to it only', async () => {
    const page = await call('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<script type="module" src="/playground.js"></script>');
    expect(html).toContain('<option>dpmpp-2m-karras</option>');
    expect(html).not.toMatch(/<script>|<style>| style="/);
    const policy = page.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(policy.split('; ').map((directive) => directive.split(/ (.*)/s, 2)));
    expect(directives).toMatchObject({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'frame-ancestors': "'none'",
    });
    // The test project's S3_ENDPOINT is the s3rver on loopback that presigned output and upload URLs point at; a
    // picked input image is shown from a blob URL.
    const store = /^'self' data: blob: (http:\/\/127\.0\.0\.1:\d+)$/.exec(directives['img-src'])?.[1];
    expect(store).toBeDefined();
    expect(directives['connect-src']).toBe(`'self' ${store}`);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('serves its script and stylesheet with their types, and leaves /docs and /openapi.json as they were', async () => {
    const script = await call('/playground.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const source = await script.text();
    // The bundle of functions/router/playground (build-playground.ts), the job's event stream and its parser with it.
    expect(source).toMatch(/`\/v1\/jobs\/\$\{job\.id\}\/events`/);
    expect(source).toContain('function serverSentEventParser(');
    // A syntax error would only show in a browser; compiling it here catches one early.
    expect(() => new Function(source.replace(/^(import|export) .*$/gm, ''))).not.toThrow();
    const style = await call('/playground.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await style.text()).toContain('@media (max-width: 760px)');
    expect((await call('/docs')).headers.get('content-type')).toMatch(/^text\/html/);
    expect(((await (await call('/openapi.json')).json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});
