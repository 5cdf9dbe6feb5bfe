/**
 * A Worker that uses every part of @stipple/adapters, for `wrangler deploy --dry-run`: bundling it without
 * `nodejs_compat` fails if anything in the package imports a Node-only module (test/adapters/edge-bundle.test.ts).
 */
import {
  EdgeStorage,
  HttpProvider,
  ProviderPool,
  SageMakerAsyncProvider,
  SageMakerRealtimeProvider,
} from '@stipple/adapters';

export default {
  async fetch(): Promise<Response> {
    const credentials = { accessKeyId: 'id', secretAccessKey: 'secret' };
    const storage = new EdgeStorage({ credentials });
    const sageMaker = {
      region: 'us-east-1',
      credentials,
      models: ['tiny-shapes'],
      workerSecret: 'x'.repeat(16),
      storage,
    };
    const pool = new ProviderPool({
      providers: [
        {
          provider: new HttpProvider({ url: 'https://gpu.example.com', secret: 'x'.repeat(16) }),
          models: ['tiny-shapes'],
        },
        { provider: new SageMakerAsyncProvider({ ...sageMaker, endpointName: 'a' }), models: ['tiny-shapes'] },
        { provider: new SageMakerRealtimeProvider({ ...sageMaker, endpointName: 'b' }), models: ['tiny-shapes'] },
      ],
    });
    return Response.json({
      url: await storage.presignGet({ bucket: 'results', key: 'a.png' }),
      pool: pool.breakerStates(),
    });
  },
};
