import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/router/src/app.ts';
import { call } from './router-fixture.ts';

/** `METHOD /path` with every path parameter written `{}`, from Hono's `:name{pattern}` or OpenAPI's `{name}`. */
const routeName = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/:\w+(\{[^}]*\})?|\{\w+\}/g, '{}')}`;

/**
 * What the app serves outside the public API, so outside the document: the pages and their assets (HTML, script,
 * style, icons), the document itself, and the gpu-worker's signed callback.
 */
const UNDOCUMENTED = [
  'GET /',
  'GET /playground.js',
  'GET /playground.css',
  'GET /docs',
  'GET /openapi.json',
  'GET /favicon.svg',
  'GET /favicon.ico',
  'POST /internal/jobs/{}/events',
];

interface DocumentedOperation {
  summary?: string;
  security?: unknown[];
  responses: Record<string, { description?: string }>;
}

async function documentPaths(): Promise<Record<string, Record<string, DocumentedOperation>>> {
  return (
    (await (await call('/openapi.json')).json()) as { paths: Record<string, Record<string, DocumentedOperation>> }
  ).paths;
}

describe('/openapi.json and /docs', () => {
  it('describe the API from the schemas that validate it', async () => {
    const response = await call('/openapi.json');
    expect(response.status).toBe(200);
    interface BodySchema {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { enum?: string[]; format?: string }>;
    }
    const document = (await response.json()) as {
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: BodySchema }> } }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: 'https://api.stipple.test' }]);
    const jobBody = document.paths['/v1/jobs'].post.requestBody!.content['application/json'].schema;
    expect(jobBody.required).toEqual(['prompt']);
    expect(jobBody.additionalProperties).toBe(false);
    expect(jobBody.properties.n).toMatchObject({ type: 'integer', minimum: 1, maximum: 8, default: 1 });
    expect(jobBody.properties.width).toMatchObject({ minimum: 64, maximum: 2048, multipleOf: 8 });
    expect(jobBody.properties.scheduler.enum).toContain('dpmpp-2m');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/jobs/{id}/events', '/v1/usage', '/v1/images/generations', '/v1/models']),
    );
    const imageBody = document.paths['/v1/images/generations'].post.requestBody!.content['application/json'].schema;
    expect(imageBody.properties).toHaveProperty('size');
    expect(imageBody.properties).toHaveProperty('negative_prompt');
    expect(jobBody.properties.image).toMatchObject({ type: 'string' });
    expect(jobBody.properties.strength).toMatchObject({ minimum: 0, maximum: 1 });
    const uploadBody = document.paths['/v1/uploads'].post.requestBody!.content['application/json'].schema;
    expect(uploadBody.required.sort()).toEqual(['content_type', 'size_bytes']);
    // The OpenAI image forms are multipart: files are binary strings, the rest fields as in JSON.
    const editBody = document.paths['/v1/images/edits'].post.requestBody!.content['multipart/form-data'].schema;
    expect(editBody.required.sort()).toEqual(['image', 'prompt']);
    expect(editBody.properties.image).toMatchObject({ type: 'string', format: 'binary', maxLength: 4 * 1024 * 1024 });
    expect(editBody.properties.mask).toMatchObject({ format: 'binary' });
    const variationBody =
      document.paths['/v1/images/variations'].post.requestBody!.content['multipart/form-data'].schema;
    expect(variationBody.required).toEqual(['image']);
  });

  it('document every route the app serves, but those listed as outside the API, and nothing it does not', async () => {
    // Hono lists a route once per handler and middleware; middleware (`use`) shows as ALL.
    const served = [
      ...new Set(
        createApp()
          .routes.filter((route) => route.method !== 'ALL')
          .map((route) => routeName(route.method, route.path)),
      ),
    ];
    const paths = await documentPaths();
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => routeName(method, path)),
    );
    expect(served.filter((route) => !UNDOCUMENTED.includes(route)).sort()).toEqual([...documented].sort());
    // An exclusion for a route the app no longer serves would hide the next one added under its name.
    expect(UNDOCUMENTED.filter((route) => !served.includes(route))).toEqual([]);
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/models/{id}',
        '/v1/admin/tenants/{tenant_id}/keys/{key_id}',
        '/v1/jobs/{id}/events',
      ]),
    );
  });

  it('give every operation a summary, a security requirement and a described success', async () => {
    for (const [path, item] of Object.entries(await documentPaths())) {
      for (const [method, operation] of Object.entries(item)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(operation.summary, name).toBeTruthy();
        expect(operation.security, name).toHaveLength(1);
        const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
        expect(successes.length, name).toBeGreaterThan(0);
        for (const [, response] of Object.entries(operation.responses)) expect(response.description, name).toBeTruthy();
      }
    }
  });

  it('serves a readable page with every operation and its fields', async () => {
    const response = await call('/docs');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<span class="m">POST</span> /v1/jobs</h2>');
    expect(html).toContain('<code>prompt</code> <b>required</b>');
    expect(html).toContain('64–2048; multiple of 8');
    expect(html).toContain('<th>allowed</th><th>description</th>');
    // Each table scrolls sideways inside its own box on a phone (test/playground checks the layout in Chromium).
    expect(html).toContain('<div class="table"><table>');
    expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it('serves the icon at /favicon.svg and as a real ICO at /favicon.ico', async () => {
    const svg = await call('/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const ico = await call('/favicon.ico');
    expect([ico.status, ico.headers.get('content-type')]).toEqual([200, 'image/x-icon']);
    const bytes = new Uint8Array(await ico.arrayBuffer());
    const view = new DataView(bytes.buffer);
    // ICONDIR: reserved 0, type 1 (icon), one image; its entry: 32×32, the PNG's length and offset.
    expect([view.getUint16(0, true), view.getUint16(2, true), view.getUint16(4, true)]).toEqual([0, 1, 1]);
    expect([bytes[6], bytes[7], view.getUint32(14, true), view.getUint32(18, true)]).toEqual([
      32,
      32,
      bytes.length - 22,
      22,
    ]);
    expect(Array.from(bytes.subarray(23, 26), (byte) => String.fromCharCode(byte)).join('')).toBe('PNG');
  });
});
