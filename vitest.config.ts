import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: [
            'packages/*/src/**/*.test.ts',
            'functions/*/src/**/*.test.ts',
            'tools/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // @stipple/adapters inside workerd, the router's runtime (see packages/adapters/test-workerd).
        plugins: [cloudflareTest({ wrangler: { configPath: './packages/adapters/test-workerd/wrangler.jsonc' } })],
        test: {
          name: 'workerd',
          include: ['packages/adapters/test-workerd/**/*.workerd.test.ts'],
          globalSetup: ['packages/adapters/test-workerd/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The edge router in workerd, with its own wrangler.jsonc (Durable Objects and all).
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './functions/router/wrangler.jsonc' },
            miniflare: { bindings: { ADMIN_SECRET: 'router-test-admin-secret-0123456789abcdef' } },
          }),
        ],
        test: {
          name: 'router',
          include: ['functions/router/test/**/*.workerd.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
