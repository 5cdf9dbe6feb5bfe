/// <reference path="./.sst/platform/config.d.ts" />

/** Stages whose data outlives `sst remove` and which `sst remove` refuses to touch. */
const PRODUCTION_STAGES = ['prod', 'production'];

// Stipple on your own AWS and Cloudflare accounts (docs/DEPLOY.md). Only wiring: each concern is one file in infra/,
// put together in dependency order by infra/stack.ts.
export default $config({
  app(input) {
    const production = PRODUCTION_STAGES.includes(input?.stage ?? '');
    return {
      name: 'stipple',
      home: 'aws',
      removal: production ? 'retain' : 'remove',
      protect: production,
      // Pinned to the versions SST 4.6.11's own components are built against.
      providers: { aws: '7.20.0', command: '1.0.1', 'docker-build': '0.0.14' },
    };
  },
  async run() {
    const { readDeployConfig } = await import('./infra/deploy-config.ts');
    const { createStack } = await import('./infra/stack.ts');

    const { storage, gpu, router } = createStack({
      stage: $app.stage,
      production: PRODUCTION_STAGES.includes($app.stage),
      config: readDeployConfig(process.env),
      newSecret: (name) => new sst.Secret(name),
      repositoryRoot: process.cwd(),
    });

    return {
      api: router.url,
      bucket: storage.bucket.bucket,
      region: storage.bucket.region,
      sagemakerEndpoint: gpu?.endpoint.name,
      workerImage: gpu?.image.imageUri,
    };
  },
});
