import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { StippleError } from '@stipple/core';
import { MIN_WORKER_SECRET_CHARACTERS, type WorkerSecretSource } from './worker-config.ts';

/** Stable codes of `WorkerSecretError`. */
export type WorkerSecretErrorCode =
  /** Secrets Manager did not answer with the secret (not found, access denied, unreachable, no credentials). */
  | 'worker_secret_unavailable'
  /** The secret was read but cannot be the HMAC secret: binary, or shorter than 16 characters. */
  | 'invalid_worker_secret';

/** The worker could not get its HMAC secret from Secrets Manager; it does not start. */
export class WorkerSecretError extends StippleError {
  declare readonly code: WorkerSecretErrorCode;
}

/**
 * Bounds on the one start-up call, so an unreachable Secrets Manager (a VPC without a route or endpoint) fails the
 * start in seconds instead of holding it until SageMaker's health-check timeout.
 */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** The HMAC secret: `WORKER_SECRET` as given, or the `SecretString` of the `WORKER_SECRET_ARN` secret. */
export async function resolveWorkerSecret(
  source: WorkerSecretSource,
  clientOptions: SecretsManagerClientConfig = {},
): Promise<string> {
  if (source.kind === 'value') return source.secret;
  return fetchWorkerSecret(source.arn, source.region, clientOptions);
}

/**
 * Reads the secret's current version with GetSecretValue (AWS SDK v3; credentials from the default chain, the
 * endpoint from `AWS_ENDPOINT_URL_SECRETS_MANAGER` when set). Errors name the ARN and the reason, never the value.
 */
export async function fetchWorkerSecret(
  arn: string,
  region: string,
  clientOptions: SecretsManagerClientConfig = {},
): Promise<string> {
  const client = new SecretsManagerClient({
    region,
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
    ...clientOptions,
  });
  let answer: GetSecretValueCommandOutput;
  try {
    answer = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  } catch (error) {
    const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
    const status = $metadata?.httpStatusCode;
    throw new WorkerSecretError(
      'worker_secret_unavailable',
      `WORKER_SECRET_ARN ${arn}: Secrets Manager GetSecretValue failed: ${name}: ${message}${status === undefined ? '' : ` (HTTP ${status})`}`,
      { arn, awsError: name, httpStatus: status },
      { cause: error },
    );
  } finally {
    client.destroy();
  }
  const secret = answer.SecretString;
  if (secret === undefined) {
    const reason =
      answer.SecretBinary === undefined
        ? 'has no SecretString'
        : 'holds binary data (SecretBinary); store the worker secret as a string';
    throw new WorkerSecretError('invalid_worker_secret', `WORKER_SECRET_ARN ${arn}: the secret ${reason}`, { arn });
  }
  if (secret.length < MIN_WORKER_SECRET_CHARACTERS) {
    throw new WorkerSecretError(
      'invalid_worker_secret',
      `WORKER_SECRET_ARN ${arn}: the secret is ${secret.length} characters long; use at least ${MIN_WORKER_SECRET_CHARACTERS}`,
      { arn, length: secret.length },
    );
  }
  return secret;
}
