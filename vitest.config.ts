import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';
import { buildPlayground } from './functions/router/build-playground.ts';
// By path, not by package name: vitest bundles this file's relative imports but leaves packages to Node, which
// loads no .ts.
import { TEST_TINY_SHAPES } from './packages/test-support/src/test-model-catalogue.ts';

// The playground's script and stylesheet, a module the router imports (build-playground.ts), must exist before the
// router's project bundles it, and match the sources: the local stack's tests build it again when they start the router.
await buildPlayground();

export default defineConfig({
  test: {
    // The router's request log (one line per request, thousands in the fuzzing files) would bury everything else.
    onConsoleLog: (log) => !log.includes('"event":"request"'),
    projects: [
      {
        test: {
          name: 'node',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test-support/**/*.test.ts',
            'functions/*/src/**/*.test.ts',
            'tools/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          // The suites that run inside workerd belong to the two projects below.
          exclude: [...configDefaults.exclude, '**/*.workerd.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // @stipple/adapters inside workerd, the router's runtime (see test/adapters/workerd).
        plugins: [cloudflareTest({ wrangler: { configPath: './test/adapters/workerd/wrangler.jsonc' } })],
        test: {
          name: 'workerd',
          include: ['test/adapters/workerd/**/*.workerd.test.ts'],
          globalSetup: ['test/adapters/workerd/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The edge router in workerd, with its own wrangler.jsonc (Durable Objects and all).
        plugins: [
          // Bindings point at the real s3rver and gpu-worker that test/router/global-setup.ts starts.
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: './functions/router/wrangler.jsonc' },
            miniflare: {
              // The router listens on loopback too, so the real gpu-worker can push jobs' events to it (PUBLIC_URL).
              unsafeDirectSockets: [{ host: '127.0.0.1', port: inject('routerCallbackPort'), entrypoint: 'default' }],
              bindings: {
                PUBLIC_URL: `http://127.0.0.1:${inject('routerCallbackPort')}`,
                ADMIN_SECRET: 'router-test-admin-secret-0123456789abcdef',
                WORKER_SECRET: 'router-test-worker-secret-0123',
                TOKEN_SIGNING_SECRET: 'router-test-token-signing-secret-0123456789',
                // Short, so the tests can watch a revoked key's client tokens stop within the bound (key-cache.ts).
                KEY_CACHE_SECONDS: '2',
                PROVIDERS: JSON.stringify([
                  {
                    type: 'http',
                    id: 'local',
                    url: inject('routerWorkerUrl'),
                    models: ['tiny-shapes', 'safety-checker'],
                  },
                  {
                    type: 'http',
                    id: 'stalled',
                    url: inject('routerStalledWorkerUrl'),
                    models: ['busy-shapes', 'stalled-shapes'],
                  },
                  { type: 'http', id: 'flaky', url: inject('routerFlakyWorkerUrl'), models: ['flaky-shapes'] },
                ]),
                // The default model first; the others only the stalled workers serve (time-to-start, health tests).
                MODELS: JSON.stringify({
                  'tiny-shapes': TEST_TINY_SHAPES,
                  'busy-shapes': { width: 64, height: 64, steps: 20 },
                  'stalled-shapes': { width: 64, height: 64, steps: 20 },
                  'flaky-shapes': { width: 64, height: 64, steps: 20 },
                  // test/fixtures/models/safety-checker at the size of SAFETY_CHECKER_KNOWN_IMAGES (content safety).
                  'safety-checker': { width: 48, height: 40, steps: 4 },
                }),
                S3_ENDPOINT: inject('routerS3Endpoint'),
                S3_BUCKET: 'results',
                S3_ACCESS_KEY_ID: 'S3RVER',
                S3_SECRET_ACCESS_KEY: 'S3RVER',
                // Webhooks may reach the local receiver; tests of the SSRF guard override this per request.
                ALLOW_LOCAL_WEBHOOKS: 'true',
                // Retries a fifth of a second apart, so tests see several attempts without waiting minutes.
                WEBHOOK_RETRY_DELAYS_SECONDS: '0.2',
                TEST_WEBHOOK_RECEIVER_URL: inject('routerWebhookReceiverUrl'),
                TEST_STALLED_WORKER_URL: inject('routerStalledWorkerUrl'),
                TEST_FLAKY_WORKER_URL: inject('routerFlakyWorkerUrl'),
                // The fake moderation endpoint; tests point MODERATION_URL at it per request (content-safety tests).
                TEST_MODERATION_URL: inject('routerModerationUrl'),
              },
            },
          })),
        ],
        test: {
          name: 'router',
          include: ['test/router/**/*.workerd.test.ts'],
          globalSetup: ['test/router/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
