import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@stipple/core';
import { type Env, readBoolean, readEnv, readInteger } from './env-values.ts';
import { type ExecutionProviderConfig, readExecutionProviderConfig } from './execution-provider-config.ts';

/** The fewest characters the worker's HMAC secret may have, wherever it comes from. */
export const MIN_WORKER_SECRET_CHARACTERS = 16;

/**
 * Where the worker's HMAC secret comes from: `WORKER_SECRET` itself, or (`WORKER_SECRET_ARN`) a secret in AWS Secrets
 * Manager that the worker reads at start-up, so the value is not in the container's environment (SageMaker's
 * DescribeModel shows a model's environment in plain text).
 */
export type WorkerSecretSource =
  | { kind: 'value'; secret: string }
  | {
      kind: 'secrets-manager';
      arn: string;
      /** The secret's region, taken from its ARN: Secrets Manager is called there. */
      region: string;
    };

/**
 * A Secrets Manager secret's ARN, `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>` (AWS Secrets
 * Manager User Guide, "Permissions policy examples": the resource ARN format).
 */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/;

/** What the worker reads from its environment (S3 settings are read by `readS3Config`). */
export interface WorkerConfig extends ExecutionProviderConfig {
  /**
   * `SAGEMAKER_BIND_TO_PORT` (SageMaker sets it for each container of a multi-container endpoint), else `PORT`, else
   * 8080 as SageMaker's container contract requires. An empty value counts as unset.
   */
  port: number;
  /**
   * `HOST`: the address to listen on. Default `127.0.0.1`, so a worker started by hand is not on the network; the
   * image sets `0.0.0.0`, as a container must listen on every interface (docs/gpu-worker.md, "Exposure").
   */
  host: string;
  /** `MAX_REQUEST_BODY_BYTES`: the largest signed request body read; larger ones get 413 unread. Default 262144. */
  maxRequestBodyBytes: number;
  /**
   * `WORKER_SECRET` (the shared HMAC secret, at least 16 characters) or `WORKER_SECRET_ARN` (a Secrets Manager secret
   * holding it): exactly one of them.
   */
  secret: WorkerSecretSource;
  /**
   * `MODEL_REGISTRY`: a JSON registry `{ "models": { "<id>": "<folder or s3://…>" } }`, or the path of a file holding
   * it; tiny-shapes is always there.
   */
  registry: string | undefined;
  /**
   * `INFERENCE_THREAD`: run ONNX Runtime (model loads and every `session.run`) in its own thread, so `/ping`, progress
   * and cancellation answer while a model runs. Default true; false runs it on the main thread (for comparison).
   */
  inferenceThread: boolean;
  /**
   * `MAX_CONCURRENT_JOBS`: jobs in progress at once (generating together in a batch, waiting for the next batch, or
   * uploading). Default `MAX_BATCH_IMAGES`, so a full batch can form.
   */
  maxConcurrentJobs: number;
  /** `MAX_QUEUED_JOBS`: jobs waiting for one of those places before new ones get 429. Default 8. */
  maxQueuedJobs: number;
  /** `MAX_BATCH_IMAGES`: images denoised together in one batch; 1 turns dynamic batching off. Default 8. */
  maxBatchImages: number;
  /**
   * `BATCH_WINDOW_MS`: how long the batcher waits for another companion after the last one arrived, while other jobs
   * are in the worker (at most 4 windows in all). 0 starts every batch with whatever is queued. Default 20.
   */
  batchWindowMs: number;
  /** `PRELOAD_MODELS`: comma-separated model ids loaded at start; `/ping` is 503 until they are. Default `tiny-shapes`. */
  preloadModels: string[];
  /** `MODEL_CACHE_DIR`: where models registered as `s3://…` are downloaded and verified. Default the OS temp dir. */
  modelCacheDir: string;
  /** `MODEL_MEMORY_BUDGET_MB`: weight megabytes the loaded models may hold before idle ones are evicted; 0 = no limit. */
  modelMemoryBudgetMb: number;
  /** `LOG_PROMPTS`: put prompts and negative prompts in the `job_started` log line. Default false (prompts are user data). */
  logPrompts: boolean;
  /** `SHUTDOWN_GRACE_SECONDS`: how long running jobs may finish after SIGTERM before they are canceled. Default 25. */
  shutdownGraceSeconds: number;
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  return readInteger(env, name, fallback, min, 'invalid_worker_config');
}

export function readWorkerConfig(env: Env): WorkerConfig {
  const portVariable = readEnv(env, 'SAGEMAKER_BIND_TO_PORT') === undefined ? 'PORT' : 'SAGEMAKER_BIND_TO_PORT';
  const rawPort = readEnv(env, portVariable) ?? '8080';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError(
      'invalid_worker_config',
      `${portVariable} is "${rawPort}"; use an integer from 0 to 65535`,
      {
        variable: portVariable,
        value: rawPort,
      },
    );
  }
  const secret = readSecretSource(env);
  const maxBatchImages = integer(env, 'MAX_BATCH_IMAGES', 8, 1);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    // A job is a few KiB (the router refuses bodies over 64 KiB); four times that leaves room, and no more.
    maxRequestBodyBytes: integer(env, 'MAX_REQUEST_BODY_BYTES', 256 * 1024, 1024),
    secret,
    registry: env.MODEL_REGISTRY || undefined,
    ...readExecutionProviderConfig(env),
    inferenceThread: readBoolean(env, 'INFERENCE_THREAD', true, 'invalid_worker_config'),
    maxConcurrentJobs: integer(env, 'MAX_CONCURRENT_JOBS', maxBatchImages, 1),
    maxBatchImages,
    batchWindowMs: integer(env, 'BATCH_WINDOW_MS', 20, 0),
    maxQueuedJobs: integer(env, 'MAX_QUEUED_JOBS', 8, 0),
    logPrompts: readBoolean(env, 'LOG_PROMPTS', false, 'invalid_worker_config'),
    shutdownGraceSeconds: integer(env, 'SHUTDOWN_GRACE_SECONDS', 25, 0),
    modelMemoryBudgetMb: integer(env, 'MODEL_MEMORY_BUDGET_MB', 0, 0),
    modelCacheDir: env.MODEL_CACHE_DIR || join(tmpdir(), 'stipple-models'),
    preloadModels: (env.PRELOAD_MODELS ?? 'tiny-shapes')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  };
}

function readSecretSource(env: Env): WorkerSecretSource {
  // Not trimmed: the router signs with the same value, byte for byte.
  const secret = env.WORKER_SECRET || undefined;
  const arn = readEnv(env, 'WORKER_SECRET_ARN');
  const variables = ['WORKER_SECRET', 'WORKER_SECRET_ARN'];
  if (secret !== undefined && arn !== undefined) {
    throw new ValidationError(
      'invalid_worker_config',
      'WORKER_SECRET and WORKER_SECRET_ARN are both set; set exactly one: WORKER_SECRET to the secret, or WORKER_SECRET_ARN to the Secrets Manager secret that holds it',
      { variables },
    );
  }
  if (arn !== undefined) {
    const region = SECRET_ARN.exec(arn)?.[1];
    if (region === undefined) {
      throw new ValidationError(
        'invalid_worker_config',
        `WORKER_SECRET_ARN is "${arn}"; use a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>`,
        { variable: 'WORKER_SECRET_ARN', value: arn },
      );
    }
    return { kind: 'secrets-manager', arn, region };
  }
  if (secret === undefined) {
    throw new ValidationError(
      'invalid_worker_config',
      'neither WORKER_SECRET nor WORKER_SECRET_ARN is set; set exactly one: WORKER_SECRET to the secret (at least 16 characters), or WORKER_SECRET_ARN to the Secrets Manager secret that holds it',
      { variables },
    );
  }
  if (secret.length < MIN_WORKER_SECRET_CHARACTERS) {
    throw new ValidationError(
      'invalid_worker_config',
      `WORKER_SECRET must be set to at least ${MIN_WORKER_SECRET_CHARACTERS} characters`,
    );
  }
  return { kind: 'value', secret };
}
