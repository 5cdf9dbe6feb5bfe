import { type SecretsManagerStandIn, startSecretsManagerStandIn } from '@stipple/test-support/secrets-manager-stand-in';
import { freePort } from '@stipple/test-support/worker-process';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readWorkerConfig } from './worker-config.ts';
import { fetchWorkerSecret, resolveWorkerSecret, WorkerSecretError } from './worker-secret.ts';

const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'AKIASTANDIN', secretAccessKey: 'stand-in-secret-key' };
const SECRET = 'worker-secret-from-secrets-manager-0123';
const SHORT = 'fifteen-chars!!';

describe('fetchWorkerSecret', () => {
  let secretsManager: SecretsManagerStandIn;

  beforeAll(async () => {
    secretsManager = await startSecretsManagerStandIn({
      region: REGION,
      credentials: CREDENTIALS,
      secrets: {
        'stipple/worker': { string: SECRET },
        'stipple/short': { string: SHORT },
        'stipple/binary': { binary: new Uint8Array(32).fill(7) },
      },
    });
  });
  afterAll(() => secretsManager?.stop());
  // The SDK finds the stand-in through its standard endpoint override and the key through its default chain.
  const pointAtStandIn = () => {
    for (const [name, value] of Object.entries(secretsManager.env)) vi.stubEnv(name, value);
  };
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function failure(arn: string): Promise<WorkerSecretError> {
    const error = await fetchWorkerSecret(arn, REGION).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(WorkerSecretError);
    return error as WorkerSecretError;
  }

  it('returns the SecretString, read with a signed GetSecretValue for the ARN', async () => {
    pointAtStandIn();
    const arn = secretsManager.arnOf('stipple/worker');
    const before = secretsManager.requests.length;
    expect(await fetchWorkerSecret(arn, REGION)).toBe(SECRET);
    expect(secretsManager.requests.slice(before)).toEqual([
      { target: 'secretsmanager.GetSecretValue', secretId: arn, signature: 'valid' },
    ]);
  });

  it('fails naming the ARN and the AWS error when the secret does not exist', async () => {
    pointAtStandIn();
    const error = await failure(secretsManager.missingArn);
    expect(error.code).toBe('worker_secret_unavailable');
    expect(error.message).toBe(
      `WORKER_SECRET_ARN ${secretsManager.missingArn}: Secrets Manager GetSecretValue failed: ResourceNotFoundException: Secrets Manager can't find the specified secret. (HTTP 400)`,
    );
    expect(error.details).toMatchObject({ awsError: 'ResourceNotFoundException', httpStatus: 400 });
  });

  it('refuses a secret shorter than 16 characters without showing it', async () => {
    pointAtStandIn();
    const arn = secretsManager.arnOf('stipple/short');
    const error = await failure(arn);
    expect(error.code).toBe('invalid_worker_secret');
    expect(error.message).toBe(`WORKER_SECRET_ARN ${arn}: the secret is 15 characters long; use at least 16`);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(SHORT);
  });

  it('refuses a binary secret', async () => {
    pointAtStandIn();
    const arn = secretsManager.arnOf('stipple/binary');
    const error = await failure(arn);
    expect(error.code).toBe('invalid_worker_secret');
    expect(error.message).toContain(`WORKER_SECRET_ARN ${arn}: the secret holds binary data`);
  });

  it('fails with the AWS error when Secrets Manager refuses the credentials', async () => {
    pointAtStandIn();
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAUNKNOWN');
    const error = await failure(secretsManager.arnOf('stipple/worker'));
    expect(error.code).toBe('worker_secret_unavailable');
    expect(error.message).toContain('UnrecognizedClientException');
  });

  it('fails when Secrets Manager cannot be reached', async () => {
    pointAtStandIn();
    vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', `http://127.0.0.1:${await freePort()}`);
    const error = await failure(secretsManager.arnOf('stipple/worker'));
    expect(error.code).toBe('worker_secret_unavailable');
    expect(error.message).toContain(`WORKER_SECRET_ARN ${secretsManager.arnOf('stipple/worker')}:`);
  });

  it('resolves from WORKER_SECRET_ARN through the config, and from WORKER_SECRET without calling AWS', async () => {
    pointAtStandIn();
    const arn = secretsManager.arnOf('stipple/worker');
    expect(await resolveWorkerSecret(readWorkerConfig({ WORKER_SECRET_ARN: arn }).secret)).toBe(SECRET);
    const before = secretsManager.requests.length;
    const plain = 'a-plain-secret-of-32-characters!';
    expect(await resolveWorkerSecret(readWorkerConfig({ WORKER_SECRET: plain }).secret)).toBe(plain);
    expect(secretsManager.requests.length).toBe(before);
  });
});

describe('readWorkerConfig, the worker secret', () => {
  const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:stipple/worker-AbC123';

  it('takes WORKER_SECRET_ARN, with the region from the ARN', () => {
    expect(readWorkerConfig({ WORKER_SECRET_ARN: ARN }).secret).toEqual({
      kind: 'secrets-manager',
      arn: ARN,
      region: 'eu-central-1',
    });
  });

  it('refuses both variables, or neither, naming both', () => {
    for (const env of [{ WORKER_SECRET: SECRET, WORKER_SECRET_ARN: ARN }, {}]) {
      let thrown: unknown;
      try {
        readWorkerConfig(env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({
        code: 'invalid_worker_config',
        details: { variables: ['WORKER_SECRET', 'WORKER_SECRET_ARN'] },
      });
      expect((thrown as Error).message).toMatch(/WORKER_SECRET .*WORKER_SECRET_ARN/);
    }
  });

  it('refuses a value that is not a Secrets Manager ARN', () => {
    expect(() => readWorkerConfig({ WORKER_SECRET_ARN: 'stipple/worker' })).toThrow(
      'WORKER_SECRET_ARN is "stipple/worker"; use a Secrets Manager secret ARN',
    );
    expect(() => readWorkerConfig({ WORKER_SECRET_ARN: ARN.replace('secretsmanager', 'ssm') })).toThrow(
      /WORKER_SECRET_ARN is/,
    );
  });
});
