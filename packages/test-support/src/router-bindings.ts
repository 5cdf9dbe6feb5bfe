import { S3RVER_CREDENTIALS } from './s3-server.ts';
import { TEST_TINY_SHAPES } from './test-model-catalogue.ts';

/**
 * The router's bindings for one real gpu-worker serving tiny-shapes (provider `local`) and results in `bucket` on
 * s3rver; a suite adds its secrets and anything else it needs.
 */
export function tinyShapesRouterBindings(workerUrl: string, s3Endpoint: string, bucket: string) {
  return {
    PROVIDERS: JSON.stringify([{ type: 'http', id: 'local', url: workerUrl, models: ['tiny-shapes'] }]),
    MODELS: JSON.stringify({ 'tiny-shapes': TEST_TINY_SHAPES }),
    S3_ENDPOINT: s3Endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
}
