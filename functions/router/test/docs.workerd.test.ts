import { describe, expect, it } from 'vitest';
import { call } from './router-fixture.ts';

describe('/openapi.json and /docs', () => {
  it('describe the API from the schemas that validate it', async () => {
    const response = await call('/openapi.json');
    expect(response.status).toBe(200);
    interface BodySchema {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { enum?: string[] }>;
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
  });

  it('serves a readable page with every operation and its fields', async () => {
    const response = await call('/docs');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<span class="m">POST</span> /v1/jobs</h2>');
    expect(html).toContain('<code>prompt</code> <b>required</b>');
    expect(html).toContain('64–2048; multiple of 8');
  });
});
