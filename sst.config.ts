/// <reference path="./.sst/platform/config.d.ts" />

/** Stages whose data outlives `sst remove` and which `sst remove` refuses to touch. */
const PRODUCTION_STAGES = ['prod', 'production'];

// Stipple on your own AWS and Cloudflare accounts (docs/DEPLOY.md). Only wiring: each concern is one file in infra/.
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
    const { createStorage } = await import('./infra/storage.ts');
    const { createSecrets } = await import('./infra/secrets.ts');
    const { createGpu } = await import('./infra/gpu.ts');
    const { createRouter } = await import('./infra/router.ts');

    const config = readDeployConfig(process.env);
    const production = PRODUCTION_STAGES.includes($app.stage);
    const repositoryRoot = process.cwd();
    const storage = createStorage({ config, forceDestroy: !production });
    const secrets = createSecrets((name) => new sst.Secret(name), config.httpProviders);
    const gpu =
      config.sagemaker === undefined
        ? undefined
        : createGpu({
            config,
            sagemaker: config.sagemaker,
            storage,
            secrets,
            repositoryRoot,
            forceDelete: !production,
          });
    const router = createRouter({
      name: `stipple-${$app.stage}-router`,
      repositoryRoot,
      config,
      storage,
      secrets,
      gpu,
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
