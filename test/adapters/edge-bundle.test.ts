import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_startWorker } from 'wrangler';

const FOLDER = resolve(import.meta.dirname, 'workerd');

describe('@stipple/adapters bundled as a Worker', () => {
  it('loads and runs in workerd without nodejs_compat, so it imports no Node-only module', {
    timeout: 20_000,
  }, async () => {
    // Offline here: skip wrangler's download of the `Request.cf` placeholder data.
    process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
    const worker = await unstable_startWorker({
      config: resolve(FOLDER, 'wrangler.jsonc'),
      entrypoint: resolve(FOLDER, 'bundle-entry.ts'),
      dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, logLevel: 'error', persist: false },
    });
    try {
      await worker.ready;
      const response = await worker.fetch('http://adapters.test/');
      expect(response.status).toBe(200);
      const body = (await response.json()) as { url: string; pool: Record<string, string> };
      expect(new URL(body.url).searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(body.pool).toEqual({ http: 'closed', 'sagemaker-async': 'closed', 'sagemaker-realtime': 'closed' });
    } finally {
      await worker.dispose();
    }
  });
});
