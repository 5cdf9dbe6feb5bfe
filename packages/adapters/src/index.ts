/**
 * @stipple/adapters: how the edge router reaches GPUs. One versioned provider interface (`ImageProviderV1`), its
 * implementations (`http`, `sagemaker-async`, `sagemaker-realtime`), a routing pool with health checks, breakers and
 * failover, and S3 access for the edge. Fetch and Web Crypto only: it runs in Cloudflare Workers and in Node.
 */

export { type AwsCredentials, awsCredentialsSchema } from './aws/aws-credentials.ts';
export { AwsSigner, type AwsSignerOptions } from './aws/aws-signer.ts';
export { formatS3Uri, objectUrl, parseS3Uri, type S3Location } from './aws/s3-location.ts';
export { AdapterError, AdapterValidationError } from './errors/adapter-error.ts';
export { PoolError } from './errors/pool-error.ts';
export { ProviderError, type ProviderErrorCode, type ProviderErrorOptions } from './errors/provider-error.ts';
export { fullJitterDelayMs } from './pool/backoff.ts';
export { type BreakerState, CircuitBreaker, type CircuitBreakerOptions } from './pool/circuit-breaker.ts';
export { jsonLogger, type PoolLogEntry, type PoolLogger } from './pool/pool-log.ts';
export { orderByPriorityAndWeight } from './pool/provider-order.ts';
export {
  type PoolSubmission,
  type PoolSubmitOptions,
  ProviderPool,
  type ProviderPoolOptions,
} from './pool/provider-pool.ts';
export * from './providers/http/index.ts';
export {
  createProvider,
  type ProviderConfig,
  type ProviderConfigInput,
  type ProviderContext,
  providerConfigSchema,
} from './providers/provider-config.ts';
export * from './providers/sagemaker/index.ts';
export * from './providers/sagemaker-async/index.ts';
export * from './providers/sagemaker-realtime/index.ts';
export { type Clock, systemClock } from './spec/clock.ts';
export type * from './spec/image-provider-v1.ts';
export { jobHandle } from './spec/job-handle.ts';
export {
  EdgeStorage,
  type EdgeStorageOptions,
  type PresignGetOptions,
  type PresignPutOptions,
  type StoredObject,
} from './storage/edge-storage.ts';
export { MAX_PRESIGN_TTL_SECONDS, PRESIGN_TTL_SECONDS } from './storage/presign-expiry.ts';
export { readCappedBody } from './transport/read-capped-body.ts';
export { retryAfterMs } from './transport/retry-after.ts';
